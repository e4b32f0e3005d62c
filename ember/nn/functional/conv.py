"""Convolutions and their transposes."""

__all__ = []
