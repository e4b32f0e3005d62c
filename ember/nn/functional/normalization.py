"""Normalization functions."""

__all__ = []
