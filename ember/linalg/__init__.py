"""ember.linalg: norms, solvers, decompositions (torch.linalg's names)."""

__all__ = []
