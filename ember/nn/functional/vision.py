"""interpolate, pixel_shuffle, unfold/fold."""

__all__ = []
