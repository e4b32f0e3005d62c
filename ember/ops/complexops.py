"""Complex numbers: real, imag, conj, angle, polar, complex, view_as_real/view_as_complex."""

__all__ = []
