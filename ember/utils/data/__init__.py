"""Datasets, samplers, collation and DataLoader (torch.utils.data's names)."""

__all__ = []
