"""Parameter, Buffer."""

__all__ = []
