"""The L2 penalty and what to decay (chapter 4).

L2 regularization prefers small weights by adding their squared length to the loss:

    L̃(w) = L(w) + (λ/2) · ‖w‖₂² = L(w) + (λ/2) · Σ w²

(The lecture calls Σ w² "the L2-norm"; strictly it is the *squared* L2 norm, ‖w‖₂².) The
1/2 makes the gradient clean: ∇ (λ/2)‖w‖² = λ·w, so one SGD step with learning rate α is

    w ← w − α·(∇L + λ·w) = (1 − α·λ)·w − α·∇L,

plain SGD on a weight first shrunk by the decay factor β = α·λ: weight decay.
"""

import torch
from torch import nn

from ._checks import check_nonnegative, check_tensors

__all__ = ["l2_penalty", "decay_param_groups"]


def l2_penalty(parameters, lam):
    """The L2 penalty (λ/2) · Σ w² over the given tensors, as a 0-d tensor.

    Its gradient is λ·w, so SGD on ``loss + l2_penalty(params, λ)`` takes the same steps
    as SGD with ``weight_decay=λ`` (decay factor β = α·λ per step). torch: the
    ``weight_decay=λ`` argument of ``torch.optim.SGD`` adds λ·w to the gradient instead of
    changing the loss; Keras: ``kernel_regularizer=keras.regularizers.L2(l2)`` adds
    l2 · Σ w² (no 1/2, so Keras's l2 is λ/2).

    >>> import torch
    >>> w = torch.tensor([1.0, 2.0], requires_grad=True)
    >>> penalty = l2_penalty([w], lam=0.1)  # 0.05 · (1 + 4)
    >>> round(penalty.item(), 6)
    0.25
    >>> penalty.backward(); w.grad  # λ·w
    tensor([0.1000, 0.2000])
    """
    lam = check_nonnegative("lam", lam)
    tensors = check_tensors("parameters", parameters)
    if not tensors:
        return torch.tensor(0.0)
    sum_of_squares = torch.stack([w.pow(2).sum() for w in tensors]).sum()
    return (lam / 2) * sum_of_squares


def decay_param_groups(model, weight_decay):
    """Split a model's trainable parameters into a decayed and a non-decayed group.

    Weight matrices and embeddings (``dim ≥ 2``) get ``weight_decay``; biases and
    normalisation scales/shifts (``dim < 2``) get 0.0: pulling a LayerNorm scale towards 0
    or a bias towards 0 does not make the model simpler, it only fights the fit.
    Every trainable parameter appears exactly once (tied weights, such as a shared
    embedding and output matrix, once); frozen parameters (``requires_grad=False``) are
    left out. Each group also carries the parameters' ``names``, for reading.

    Pass the result to any torch optimizer: this is nanoGPT's ``configure_optimizers``
    and Hugging Face Trainer's "no decay for bias and LayerNorm weight" rule. Keras:
    ``optimizer.exclude_from_weight_decay(var_names=[...])``; optax: ``mask=`` of
    ``adamw``.

    >>> import torch
    >>> model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.LayerNorm(3))
    >>> groups = decay_param_groups(model, weight_decay=0.1)
    >>> [(group["names"], group["weight_decay"]) for group in groups]
    [(['0.weight'], 0.1), (['0.bias', '1.weight', '1.bias'], 0.0)]
    >>> optimizer = torch.optim.AdamW(groups, lr=1e-3)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    weight_decay = check_nonnegative("weight_decay", weight_decay)
    decay, no_decay = {}, {}
    # named_parameters() yields a shared tensor only once, under its first name.
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        group = decay if parameter.dim() >= 2 else no_decay
        group[name] = parameter
    return [
        {"params": list(decay.values()), "weight_decay": weight_decay, "names": list(decay)},
        {"params": list(no_decay.values()), "weight_decay": 0.0, "names": list(no_decay)},
    ]
