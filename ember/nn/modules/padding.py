"""Zero/Constant/Reflection/Replication/Circular padding layers."""

__all__ = []
