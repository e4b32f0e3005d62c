"""SparseAdam (``torch.optim.SparseAdam``): Adam for sparse gradients.

ember has no sparse tensors yet, so every gradient it produces is dense and, as in
torch, a dense gradient is an error here (use Adam).  The update rule itself is
``_functional.sparse_adam`` on ``(indices, values)`` pairs.
"""
from .._tensor import Tensor
from ._state import check_betas
from .optimizer import Optimizer

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """Adam that only touches the rows a sparse gradient names.

    >>> w = ember.zeros(3, requires_grad=True)
    >>> opt = ember.optim.SparseAdam([w])
    >>> opt.defaults['lr']
    0.001
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_betas(betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, maximize=maximize)
        super().__init__(params, defaults)
        complex_params = [[i, j] for i, group in enumerate(self.param_groups)
                          for j, p in enumerate(group["params"]) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does "
                             "not support complex parameters")

    def step(self, closure=None):
        """Raises for the dense gradients ember produces, as torch does."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is not None and not p._grad.is_sparse:
                    raise RuntimeError("SparseAdam does not support dense gradients, please "
                                       "consider Adam instead")
        return loss
