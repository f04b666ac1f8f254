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

from ._checks import check_bool, check_positive, check_real, check_tensors

__all__ = [
    "clip_by_norm",
    "global_grad_norm",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grad_norm_per_tensor_",
    "clip_grad_norm_foreach_",
    "adaptive_clip_grad_",
    "clip_grad_norm_sharded_",
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
    """
    if not grads:
        return torch.tensor(0.0)
    norms = [torch.linalg.vector_norm(g, norm_type) for g in grads]
    return torch.linalg.vector_norm(torch.stack(norms), norm_type)


def _total_norm_foreach(grads, norm_type):
    """:func:`_total_norm` in one call for all tensors (one fused kernel per device and
    dtype on a GPU): how torch's own ``clip_grad_norm_`` stays fast on hundreds of tensors."""
    if not grads:
        return torch.tensor(0.0)
    norms = torch._foreach_norm(grads, norm_type)
    device = grads[0].device
    return torch.linalg.vector_norm(torch.stack([n.to(device) for n in norms]), norm_type)


def _checked_clip_options(max_norm, norm_type, error_if_nonfinite):
    return (check_positive("max_norm", max_norm), _check_norm_type(norm_type),
            check_bool("error_if_nonfinite", error_if_nonfinite))


def _raise_if_nonfinite(total_norm, norm_type):
    if not torch.isfinite(total_norm):
        raise RuntimeError(
            f"The total norm of order {norm_type} of the gradients is non-finite ({total_norm.item()}), "
            "so it cannot be clipped. Pass error_if_nonfinite=False to scale them by it anyway."
        )


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
    return _total_norm_foreach(_gradients(parameters), norm_type)


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

    Written to be read: one norm per tensor, then the norm of those. The same numbers,
    faster on a model with many tensors: :func:`clip_grad_norm_foreach_`.

    >>> import torch
    >>> w = torch.zeros(2, requires_grad=True); w.grad = torch.tensor([3.0, 4.0])
    >>> clip_grad_norm_([w], max_norm=1.0)  # the norm before clipping
    tensor(5.)
    >>> w.grad
    tensor([0.6000, 0.8000])
    """
    max_norm, norm_type, error_if_nonfinite = _checked_clip_options(max_norm, norm_type, error_if_nonfinite)
    grads = _gradients(parameters)
    total_norm = _total_norm(grads, norm_type)
    if error_if_nonfinite:
        _raise_if_nonfinite(total_norm, norm_type)
    clip_factor = torch.clamp(max_norm / (total_norm + 1e-6), max=1.0)
    for g in grads:
        g.mul_(clip_factor.to(g.device))
    return total_norm


@torch.no_grad()
def clip_grad_norm_foreach_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """:func:`clip_grad_norm_` with torch's fast path: the same arguments and numbers.

    ``torch._foreach_norm`` and ``torch._foreach_mul_`` (private torch functions, used by
    torch's own ``clip_grad_norm_``) handle all tensors of one device in one call instead
    of one Python call per tensor. ``regkit.training.train`` clips with this one.

    >>> import torch
    >>> w = torch.zeros(2, requires_grad=True); w.grad = torch.tensor([3.0, 4.0])
    >>> clip_grad_norm_foreach_([w], max_norm=1.0)
    tensor(5.)
    """
    max_norm, norm_type, error_if_nonfinite = _checked_clip_options(max_norm, norm_type, error_if_nonfinite)
    grads = _gradients(parameters)
    total_norm = _total_norm_foreach(grads, norm_type)
    if error_if_nonfinite:
        _raise_if_nonfinite(total_norm, norm_type)
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


def _unit_norms(x):
    """One L2 norm per unit: per index of the first dim (an output unit of a Linear or Conv
    weight) for a tensor with ≥ 2 dims, the whole tensor for a bias or a scalar."""
    if x.dim() <= 1:
        return torch.linalg.vector_norm(x)
    return torch.linalg.vector_norm(x, dim=tuple(range(1, x.dim())), keepdim=True)


@torch.no_grad()
def adaptive_clip_grad_(parameters, clip_factor=0.01, eps=1e-3):
    """Adaptive gradient clipping (AGC, Brock et al., 2021), unit-wise, in place.

    G_i ← G_i                                  if ‖G_i‖ < λ · max(‖W_i‖, ε)
    G_i ← λ · max(‖W_i‖, ε) · G_i / ‖G_i‖      otherwise

    for each unit i (one row of a weight matrix: the weights into one output unit; a bias
    counts as one unit), λ = ``clip_factor``, ε = ``eps`` (so that zero-initialised weights
    can still move); ‖G_i‖ is floored at 10⁻⁶ in the division. The threshold is relative to
    the weights' own size: what matters is the step against the weights, ‖ΔW_i‖/‖W_i‖,
    not the gradient's absolute size. The NFNets paper used it to train ResNets without
    batch normalisation at large batch sizes and learning rates (larger batches needed a
    smaller λ), with the final linear layer left unclipped. The same numbers as
    ``timm.utils.agc.adaptive_clip_grad``; torch and Keras have none built in.

    Returns the fraction of units that were clipped (a float in [0, 1]), worth logging.

    >>> import torch
    >>> w = torch.tensor([[3.0, 4.0], [0.0, 1.0]], requires_grad=True)  # row norms 5 and 1
    >>> w.grad = torch.tensor([[0.1, 0.0], [0.0, 0.001]])
    >>> adaptive_clip_grad_([w], clip_factor=0.01)  # row 0: 0.1 > 0.05, row 1: 0.001 < 0.01
    0.5
    >>> w.grad
    tensor([[0.0500, 0.0000],
            [0.0000, 0.0010]])
    """
    clip_factor = check_positive("clip_factor", clip_factor)
    eps = check_real("eps", eps, low=0.0)
    clipped, units = 0, 0
    for p in check_tensors("parameters", parameters):
        if p.grad is None:
            continue
        max_norm = _unit_norms(p.detach()).clamp(min=eps) * clip_factor
        grad_norm = _unit_norms(p.grad)
        too_long = grad_norm >= max_norm
        p.grad.copy_(torch.where(too_long, p.grad * (max_norm / grad_norm.clamp(min=1e-6)), p.grad))
        clipped += int(too_long.sum())
        units += too_long.numel()
    return clipped / units if units else 0.0


@torch.no_grad()
def clip_grad_norm_sharded_(parameters, max_norm):
    """Clip a gradient that is split across processes by its global norm, in place.

    ‖g‖² = Σ_r ‖g^(r)‖²        (r: the processes of the default torch.distributed group)
    g^(r) ← g^(r) · min(1, η / (‖g‖ + 10⁻⁶))   on every process r

    With sharded parameters (FSDP, ZeRO, tensor parallelism) each process holds only its
    shard g^(r) of the gradient. Clipping it locally would compare ‖g^(r)‖ with η: every
    shard would get its own factor, the direction of g would change and the whole could be
    up to √R η long. Here each process computes its squared norm, one ``all_reduce`` sums
    them, and every process scales by the same factor: the result equals
    :func:`clip_grad_norm_` on the whole, unsharded gradient. Returns ‖g‖ (the same on every
    process). Without an initialised process group it is :func:`clip_grad_norm_`. torch's
    FSDP does the same in ``FullyShardedDataParallel.clip_grad_norm_`` (FSDP1) and, for
    DTensor parameters (FSDP2), ``torch.nn.utils.clip_grad_norm_`` itself, whose norm is a
    DTensor reduced across the shards. With plain data parallelism (DDP) no such step is
    needed: the gradients are averaged before clipping, so every process clips the same
    vector.

    >>> clip_grad_norm_sharded_([w_shard], max_norm=1.0)  # doctest: +SKIP
    tensor(5.)
    """
    import torch.distributed as dist

    max_norm = check_positive("max_norm", max_norm)
    if not (dist.is_available() and dist.is_initialized()):
        return clip_grad_norm_(parameters, max_norm)
    grads = _gradients(parameters)
    squared = torch.zeros((), dtype=torch.float32)
    for g in grads:
        squared += g.detach().float().pow(2).sum().cpu()
    dist.all_reduce(squared, op=dist.ReduceOp.SUM)  # every process now holds Σ_r ‖g^(r)‖²
    total_norm = squared.sqrt()
    clip_factor = torch.clamp(max_norm / (total_norm + 1e-6), max=1.0)
    for g in grads:
        g.mul_(clip_factor.to(device=g.device, dtype=g.dtype))
    return total_norm
