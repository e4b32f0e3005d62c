"""Upsample."""

__all__ = []
