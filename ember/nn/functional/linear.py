"""linear, bilinear."""

__all__ = []
