"""The sharpness of a loss: its largest Hessian eigenvalue (chapter 2).

Chapter 2 derives that gradient descent with learning rate α is stable on a quadratic of
curvature a only if α < 2/a. On a network the role of a is played by the **sharpness**
λ_max, the largest eigenvalue of the Hessian ∇²L(θ): α < 2/λ_max near θ. Warmup is that
bound in action when λ_max is large at initialization (Gilmer et al., 2022; Kalra &
Barkeshli, 2024); under gradient descent λ_max tends to rise until it reaches 2/α (Cohen et
al., 2021, "the edge of stability").

λ_max is found without ever forming the Hessian, by power iteration on Hessian-vector
products (a double backward pass each)::

    v ← H v / ‖H v‖     (repeated)          λ ≈ vᵀ H v

>>> model = MLP(); X, _, y, _ = load_digits_split()
>>> sharpness(model, cross_entropy_loss, (X, y))        # 0.5-0.8 at initialization
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from ._checks import check_nonnegative_int, check_positive_int

__all__ = ["sharpness"]


def sharpness(models, loss_fn, batch, iters=20, seed=0):
    """λ_max = the largest eigenvalue of ∇²L(θ), by power iteration on Hessian-vector products.

    ``models`` is one module or a list of modules of one architecture (then all of them are
    measured at once, batched with ``torch.func.vmap``); ``loss_fn(model, batch)`` is the loss
    whose Hessian is meant, as in :func:`regkit.training.train` (e.g. ``cross_entropy_loss``
    on the whole training set). Each iteration computes H v = ∇(∇L · v) by differentiating
    twice (``torch.func.grad`` of the gradient's inner product with v) and sets v ← Hv/‖Hv‖, from a
    random v fixed by ``seed`` (the same for every model); the result is the Rayleigh
    quotient vᵀHv of the last v.

    Power iteration finds the eigenvalue of largest *magnitude*; near a minimum, and for the
    networks of this course, that is the largest positive one (a negative one of larger
    magnitude would come back negative). A Rayleigh quotient of a unit vector never exceeds
    λ_max, so the value is a lower bound that rises towards λ_max with more iterations: on
    chapter 2's network at initialization 12 iterations come within about 5 % of it, 40 within 1 %
    (the tests compare with ``torch.linalg.eigvalsh`` of the full Hessian).

    There is no torch or Keras function for it; PyHessian (Yao et al., 2020) does the same
    for one model, with ``torch.autograd.grad`` twice.

    Returns a float for one model, a NumPy array with one λ_max per model for a list.

    Example
    -------
    >>> torch.manual_seed(0); model = MLP()
    >>> lam = sharpness(model, cross_entropy_loss, (X_train, y_train))
    >>> lr_limit = 2 / lam                # the stability bound of chapter 2 at θ
    """
    from torch.func import functional_call, grad, stack_module_state, vmap

    one = isinstance(models, torch.nn.Module)
    models = [models] if one else list(models)
    if not models or not all(isinstance(m, torch.nn.Module) for m in models):
        raise TypeError("models must be a torch module or a non-empty list of modules of one architecture")
    iters = check_positive_int("iters", iters)
    params, buffers = stack_module_state(models)
    params = {name: p.detach() for name, p in params.items()}
    skeleton = copy.deepcopy(models[0]).to("meta")

    def loss(p, b):
        return loss_fn(lambda *inputs: functional_call(skeleton, (p, b), inputs), batch)

    def hessian_times(p, b, v):  # H v = ∇_θ (∇_θ L · v)
        def gradient_along_v(q):
            g = grad(loss)(q, b)
            return sum((g[name] * v[name]).sum() for name in g)
        return grad(gradient_along_v)(p)

    def normalised(v):
        norm = sum(t.pow(2).flatten(1).sum(1) for t in v.values()).sqrt()
        return {name: t / norm.view(-1, *[1] * (t.dim() - 1)) for name, t in v.items()}

    gen = torch.Generator().manual_seed(check_nonnegative_int("seed", seed))
    # one random start, the same for every model: a list gives what each model gives alone
    v = normalised({name: torch.randn(p.shape[1:], generator=gen, dtype=p.dtype).expand_as(p).clone()
                    for name, p in params.items()})
    batched = vmap(hessian_times)
    for _ in range(iters):
        hv = batched(params, buffers, v)
        rayleigh = sum((h * u).flatten(1).sum(1) for h, u in zip(hv.values(), v.values()))
        v = normalised(hv)
    values = rayleigh.numpy().astype(float)
    return float(values[0]) if one else values
