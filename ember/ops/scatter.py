"""gather, scatter and friends: index_select/add/copy/fill, masked_*, take, put, nonzero."""

__all__ = []
