"""Sorting and searching: sort, argsort, topk, kthvalue, unique, searchsorted, histc, bincount."""

__all__ = []
