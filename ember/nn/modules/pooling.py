"""Max/Avg/Adaptive pooling, MaxUnpool."""

__all__ = []
