"""The L2 and L1 penalties and what to decay (chapter 4).

L2 regularization prefers small weights by adding their squared length to the loss:

    L̃(w) = L(w) + (λ/2) · ‖w‖₂² = L(w) + (λ/2) · Σ w²

(The lecture calls Σ w² "the L2-norm"; strictly it is the *squared* L2 norm, ‖w‖₂².) The
1/2 makes the gradient clean: ∇ (λ/2)‖w‖² = λ·w, so one SGD step with learning rate α is

    w ← w − α·(∇L + λ·w) = (1 − α·λ)·w − α·∇L,

plain SGD on a weight first shrunk by the decay factor β = α·λ: weight decay.

L1 regularization adds λ·‖w‖₁ = λ·Σ|w| instead. Its pull, λ·sign(w), does not fade as a
weight gets small, so it sets weights exactly to 0 (sparsity) when it is applied as its
proximal step, soft-thresholding: w ← sign(w)·max(|w| − α·λ, 0).
"""

import torch
from torch import nn

from ._checks import check_nonnegative, check_tensors

__all__ = ["l2_penalty", "l1_penalty", "soft_threshold", "weight_norm", "decay_param_groups"]


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


def l1_penalty(parameters, lam):
    """The L1 penalty λ · Σ |w| over the given tensors, as a 0-d tensor.

    Its gradient is λ·sign(w) (0 at w = 0, torch's choice of subgradient): a pull of the
    same size however small the weight, unlike L2's λ·w. Gradient steps on it make weights
    hop around 0 rather than land on it; :func:`soft_threshold` is the step that lands.
    torch has no built-in (add it to the loss); Keras:
    ``kernel_regularizer=keras.regularizers.L1(l1)`` adds l1 · Σ|w|, so Keras's l1 is λ;
    scikit-learn: ``Lasso(alpha)`` minimises (1/2n)‖y − Xw‖₂² + alpha·‖w‖₁.

    >>> import torch
    >>> w = torch.tensor([1.0, -2.0, 0.0], requires_grad=True)
    >>> penalty = l1_penalty([w], lam=0.1)  # 0.1 · (1 + 2 + 0)
    >>> round(penalty.item(), 6)
    0.3
    >>> penalty.backward(); w.grad  # λ·sign(w)
    tensor([ 0.1000, -0.1000,  0.0000])
    """
    lam = check_nonnegative("lam", lam)
    tensors = check_tensors("parameters", parameters)
    if not tensors:
        return torch.tensor(0.0)
    return lam * torch.stack([w.abs().sum() for w in tensors]).sum()


def soft_threshold(w, threshold):
    """The proximal step of the L1 penalty: sign(w) · max(|w| − threshold, 0).

    One step of proximal gradient descent (ISTA) on L(w) + λ‖w‖₁ with learning rate α is
    ``soft_threshold(w − α·∇L(w), α·λ)``: a plain gradient step, then every weight moves
    α·λ towards 0 and stops there if it would cross it. It is the exact minimiser of
    ½(v − w)² + α·λ·|v| over v, so weights whose data gradient cannot hold them end at
    exactly 0. torch: ``torch.nn.functional.softshrink(w, lambd=threshold)``.

    >>> import torch
    >>> soft_threshold(torch.tensor([0.75, -0.125, 0.25]), 0.25).tolist()  # 0.5, and two zeros
    [0.5, -0.0, 0.0]
    """
    if not isinstance(w, torch.Tensor):
        raise TypeError(f"w must be a tensor, got {type(w).__name__}")
    threshold = check_nonnegative("threshold", threshold)
    return w.sign() * (w.abs() - threshold).clamp(min=0)


def weight_norm(model):
    """‖w‖₂ of a model's weight matrices and embeddings (``dim ≥ 2``), as a float.

    The tensors :func:`decay_param_groups` decays and the chapters penalise; biases and
    normalisation parameters are left out. Chapters 4 and 5 plot it to watch the penalty
    or the decay act.

    >>> import torch
    >>> layer = torch.nn.Linear(2, 1)
    >>> with torch.no_grad():
    ...     _ = layer.weight.copy_(torch.tensor([[3.0, 4.0]]))
    >>> weight_norm(layer)  # √(3² + 4²); the bias does not count
    5.0
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    matrices = [p.detach() for p in model.parameters() if p.dim() >= 2]
    return float(torch.sqrt(sum((p ** 2).sum() for p in matrices))) if matrices else 0.0


def decay_param_groups(model, weight_decay):
    """Split a model's trainable parameters into a decayed and a non-decayed group.

    Weight matrices and embeddings (``dim ≥ 2``) get ``weight_decay``; biases and
    normalisation scales/shifts (``dim < 2``) get 0.0: pulling a LayerNorm scale towards 0
    or a bias towards 0 does not make the model simpler, it only fights the fit.
    Every trainable parameter appears exactly once (tied weights, such as a shared
    embedding and output matrix, once); frozen parameters (``requires_grad=False``) are
    left out. Each group also carries the parameters' ``names``, for reading.

    Pass the result to any torch optimizer: this is nanoGPT's ``configure_optimizers`` rule
    (``dim ≥ 2``). Hugging Face's ``Trainer`` decides by module type and name instead
    (transformers 5.23, ``Trainer.get_decay_parameter_names``: no decay for ``nn.LayerNorm``
    modules and names matching ``bias``, ``layernorm``, ``rmsnorm``, ``norm``, ``_norm``); the two
    agree on the usual Transformer layouts but not everywhere (an ``nn.RMSNorm`` under a
    plain name is decayed by the ``Trainer``, not here). Keras:
    ``optimizer.exclude_from_weight_decay(var_names=[...])``; optax: ``mask=`` of ``adamw``.

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
