"""BatchNorm, LayerNorm, GroupNorm, RMSNorm, InstanceNorm, LocalResponseNorm."""

__all__ = []
