"""Gradient clipping (chapter 1): keep one bad batch from throwing the weights away.

The lecture's rule: if the gradient's norm ‖g‖₂ exceeds a threshold η (the lecture's
"Eta"), rescale it to length η and keep only its direction,

    g ← η · g / ‖g‖₂    if ‖g‖₂ > η.

:func:`clip_by_norm` is that rule on one NumPy array. The torch-facing functions apply it
to a model's gradients: :func:`clip_grad_norm_` treats all of them as one long vector
(torch's ``clip_grad_norm_``, Keras's ``global_clipnorm``), :func:`clip_grad_norm_per_tensor_`
clips each tensor on its own (Keras's ``clipnorm``), and :func:`clip_grad_value_` clamps
every element (torch's ``clip_grad_value_``, Keras's ``clipvalue``).

Like torch's, the torch-facing functions take one tensor or an iterable of parameters and
skip parameters whose ``.grad`` is None.
"""


import numpy as np
import torch

from ._checks import check_bool, check_positive, check_tensors

__all__ = [
    "clip_by_norm",
    "global_grad_norm",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grad_norm_per_tensor_",
]


def clip_by_norm(g, threshold):
    """The lecture's rule on one NumPy array: rescale g to length η if it is longer.

    g ← g                   if ‖g‖₂ ≤ η
    g ← η · g / ‖g‖₂        otherwise

    Exact: no epsilon (torch's ``clip_grad_norm_`` adds 1e-6 to ‖g‖₂). Returns a new array;
    ``g`` is not modified. η is ``threshold``. torch: ``clip_grad_norm_`` on one tensor
    (with the epsilon); Keras/TF: ``tf.clip_by_norm(g, η)``; optax: ``clip_by_global_norm``.

    >>> clip_by_norm(np.array([3.0, 4.0]), threshold=1.0)  # ‖g‖ = 5: shrunk to length 1
    array([0.6, 0.8])
    >>> clip_by_norm(np.array([3.0, 4.0]), threshold=10.0)  # short enough: unchanged
    array([3., 4.])
    """
    threshold = check_positive("threshold", threshold)
    try:
        g = np.asarray(g)
    except ValueError as error:  # e.g. a ragged list
        raise TypeError("g must be an array of real numbers") from error
    if g.dtype.kind not in "iuf":
        raise TypeError(f"g must be an array of real numbers, got dtype {g.dtype}")
    g = np.array(g, dtype=np.result_type(g.dtype, np.float32))  # a float copy; g is untouched
    if not np.all(np.isfinite(g)):
        raise ValueError("g must contain only finite numbers: an inf or NaN gradient has no direction")
    norm = np.linalg.norm(g)
    if norm <= threshold:
        return g
    return threshold * g / norm


def _gradients(parameters):
    return [p.grad for p in check_tensors("parameters", parameters) if p.grad is not None]


def _check_norm_type(norm_type):
    """A p-norm order: p >= 1 (below 1 it is not a norm) or inf; "inf" works as in torch."""
    allowed = "a number >= 1 or inf"
    if isinstance(norm_type, bool):
        raise TypeError(f"norm_type must be {allowed}, got {norm_type!r}")
    try:
        p = float(norm_type)  # like torch: 2, 2.0, math.inf and "inf" all work
    except (TypeError, ValueError) as error:
        raise TypeError(f"norm_type must be {allowed}, got {norm_type!r}") from error
    if not p >= 1:  # also catches NaN
        raise ValueError(f"norm_type must be {allowed}, got {norm_type!r}")
    return p


def _total_norm(grads, norm_type):
    """‖(g_1, …, g_n)‖_p: the norm of all gradients laid end to end as one vector.

    The p-norm of the per-tensor p-norms is that number, so nothing is concatenated.
    ``torch._foreach_norm`` computes all per-tensor norms in one call (one fused kernel per
    device and dtype on a GPU) instead of one Python call per tensor: that is how torch's
    own ``clip_grad_norm_`` stays fast on a model with hundreds of tensors.
    """
    if not grads:
        return torch.tensor(0.0)
    norms = torch._foreach_norm(grads, norm_type)
    device = grads[0].device
    return torch.linalg.vector_norm(torch.stack([n.to(device) for n in norms]), norm_type)


@torch.no_grad()
def global_grad_norm(parameters, norm_type=2.0):
    """The norm of all gradients taken as one long vector, as a 0-d tensor.

    ‖g‖_p = (Σ_i Σ_j |g_ij|^p)^(1/p)  over every tensor i and element j;  p = inf: max |g_ij|

    This is the number :func:`clip_grad_norm_` compares with η (and the one worth logging
    every step: spikes in it are the instability clipping guards against). torch:
    ``torch.nn.utils.get_total_norm([p.grad for p in params], norm_type)``; optax:
    ``global_norm``.

    >>> import torch
    >>> w = torch.zeros(2, requires_grad=True); w.grad = torch.tensor([3.0, 0.0])
    >>> b = torch.zeros(1, requires_grad=True); b.grad = torch.tensor([4.0])
    >>> global_grad_norm([w, b])
    tensor(5.)
    >>> global_grad_norm([w, b], norm_type=float("inf"))
    tensor(4.)
    """
    norm_type = _check_norm_type(norm_type)
    return _total_norm(_gradients(parameters), norm_type)


@torch.no_grad()
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Clip the global gradient norm to η, in place; return the norm before clipping.

    g ← g · min(1, η / (‖g‖ + 10⁻⁶))    for every gradient tensor, ‖g‖ the global norm

    The same contract and numbers as ``torch.nn.utils.clip_grad_norm_`` (the 10⁻⁶ keeps
    ‖g‖ = 0 from dividing by zero; it makes a gradient of norm exactly η shrink by a hair).
    η is ``max_norm``. A non-finite norm (an inf or NaN gradient) raises ``RuntimeError``
    with ``error_if_nonfinite=True``; otherwise, as in torch, the gradients are scaled by
    η / inf = 0 (inf · 0 = NaN stays NaN) and the returned norm shows what happened. Keras:
    ``optimizer(global_clipnorm=η)``; optax: ``clip_by_global_norm(η)``.

    >>> import torch
    >>> w = torch.zeros(2, requires_grad=True); w.grad = torch.tensor([3.0, 4.0])
    >>> clip_grad_norm_([w], max_norm=1.0)  # the norm before clipping
    tensor(5.)
    >>> w.grad
    tensor([0.6000, 0.8000])
    """
    max_norm = check_positive("max_norm", max_norm)
    norm_type = _check_norm_type(norm_type)
    error_if_nonfinite = check_bool("error_if_nonfinite", error_if_nonfinite)
    grads = _gradients(parameters)
    total_norm = _total_norm(grads, norm_type)
    if error_if_nonfinite and not torch.isfinite(total_norm):
        raise RuntimeError(
            f"The total norm of order {norm_type} of the gradients is non-finite ({total_norm.item()}), "
            "so it cannot be clipped. Pass error_if_nonfinite=False to scale them by it anyway."
        )
    # Multiplying by a factor clamped to 1 (instead of `if norm > max_norm`) never asks a
    # GPU for the norm's value, so the clip never waits for the GPU to catch up.
    clip_factor = torch.clamp(max_norm / (total_norm + 1e-6), max=1.0)
    for device, device_grads in _by_device(grads).items():
        torch._foreach_mul_(device_grads, clip_factor.to(device))
    return total_norm


def _by_device(tensors):
    groups = {}
    for tensor in tensors:
        groups.setdefault(tensor.device, []).append(tensor)
    return groups


@torch.no_grad()
def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient element into [−c, c], in place.

    g_j ← min(max(g_j, −c), c)    for every element j of every gradient, c = ``clip_value``

    Unlike norm clipping this changes the gradient's direction. Same as
    ``torch.nn.utils.clip_grad_value_`` (except that regkit refuses c ≤ 0, which torch
    accepts and which would overwrite every element); Keras: ``optimizer(clipvalue=c)``;
    optax: ``clip(c)``.

    >>> import torch
    >>> w = torch.zeros(3, requires_grad=True); w.grad = torch.tensor([-5.0, 0.5, 2.0])
    >>> clip_grad_value_(w, clip_value=1.0)
    >>> w.grad
    tensor([-1.0000,  0.5000,  1.0000])
    """
    clip_value = check_positive("clip_value", clip_value)
    for grad in _gradients(parameters):
        grad.clamp_(min=-clip_value, max=clip_value)


@torch.no_grad()
def clip_grad_norm_per_tensor_(parameters, max_norm):
    """Keras's ``clipnorm``: clip each gradient tensor to norm η on its own, in place.

    g ← g · η / max(‖g‖₂, η)    for each gradient tensor g separately

    Returns the norms before clipping, one 0-d tensor per parameter that has a gradient,
    in order. Compared with :func:`clip_grad_norm_` (one norm for the whole model, Keras's
    ``global_clipnorm``) this changes the direction of the full gradient: a layer with a
    small gradient keeps it while a large one is shrunk. No epsilon (a zero gradient has
    max(0, η) = η in the denominator). Keras: ``optimizer(clipnorm=η)``; TF:
    ``tf.clip_by_norm`` per variable; torch: none built in.

    >>> import torch
    >>> w = torch.zeros(2, requires_grad=True); w.grad = torch.tensor([3.0, 4.0])
    >>> b = torch.zeros(1, requires_grad=True); b.grad = torch.tensor([0.5])
    >>> clip_grad_norm_per_tensor_([w, b], max_norm=1.0)
    [tensor(5.), tensor(0.5000)]
    >>> w.grad, b.grad
    (tensor([0.6000, 0.8000]), tensor([0.5000]))
    """
    max_norm = check_positive("max_norm", max_norm)
    grads = _gradients(parameters)
    norms = list(torch._foreach_norm(grads, 2.0)) if grads else []
    for grad, norm in zip(grads, norms):
        # Keras's order of operations: (g · η) / max(‖g‖, η).
        grad.mul_(max_norm).div_(torch.clamp(norm, min=max_norm))
    return norms
