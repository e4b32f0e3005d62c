"""normalize, cosine_similarity, pairwise_distance, cdist."""

__all__ = []
