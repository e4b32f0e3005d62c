"""ember.fft: discrete Fourier transforms (torch.fft's names)."""

__all__ = []
