"""DLPack interop: to_dlpack / from_dlpack."""

__all__ = []
