"""SGD and Adam from scratch, with L2 *or* decoupled weight decay (chapter 5).

Two ways to prefer small weights, which the lecture contrasts:

- ``l2`` (coupled, L2 regularization): add λ·w to the gradient, as if the loss had the
  penalty (λ/2)·‖w‖². The optimizer then treats λ·w like any other gradient: momentum
  accumulates it, Adam divides it by √v̂.
- ``weight_decay`` (decoupled, Loshchilov & Hutter 2019): shrink the weights directly,
  w ← w·(1 − α·λ), apart from the gradient step.

For plain SGD the two are the same update (β = α·λ); with momentum, and above all with
Adam, they are not. These classes are ``torch.optim.Optimizer`` subclasses that match
``torch.optim.SGD`` / ``Adam`` / ``AdamW`` number for number, written as one loop over
the parameters so that each line is a line of the math. Every setting can be set per
param group, so :func:`regkit.regularization.decay_param_groups` and torch's LR
schedulers work with them.
"""

import torch

from ._checks import check_fraction, check_lr, check_nonnegative, check_real

__all__ = ["SGD", "Adam"]


def _check_betas(betas):
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2), each in [0, 1), got {betas!r}")
    return (check_fraction("betas[0]", betas[0]), check_fraction("betas[1]", betas[1]))


class SGD(torch.optim.Optimizer):
    """Stochastic gradient descent with momentum, L2 and decoupled weight decay.

    One step, for each weight w with gradient g (α = ``lr``, μ = ``momentum``):

        g ← g + λ₂·w                  (``l2=λ₂``: the L2 penalty's gradient)
        w ← w·(1 − α·λ)               (``weight_decay=λ``: decoupled, β = α·λ)
        v ← μ·v + g   (v = g at the first step)
        w ← w − α·v                   (μ = 0: w ← w − α·g)

    torch: ``torch.optim.SGD(params, lr, momentum=μ, weight_decay=λ₂)`` is ``SGD(params,
    lr, momentum=μ, l2=λ₂)`` (torch's ``weight_decay`` is L2); torch has no decoupled
    SGD. Keras: ``keras.optimizers.SGD(learning_rate, momentum, weight_decay=λ)`` is
    decoupled, but Keras's momentum is v ← μ·v − α·g (the same for a constant α).

    With ``momentum=0`` ``l2=λ`` and ``weight_decay=λ`` give the same weights (to
    round-off): w − α·(g + λ·w) = w·(1 − α·λ) − α·g.

    >>> import torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> optimizer = SGD([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = torch.tensor([2.0]); optimizer.step()
    >>> round(w.item(), 6)  # 1·(1 − 0.1·0.5) − 0.1·2
    0.75
    """

    def __init__(self, params, lr, momentum=0.0, l2=0.0, weight_decay=0.0):
        defaults = dict(lr=lr, momentum=momentum, l2=l2, weight_decay=weight_decay)
        _check_sgd_group(defaults)
        super().__init__(params, defaults)

    def add_param_group(self, param_group):
        # torch fills a group's missing settings from the defaults; check what it will use.
        _check_sgd_group({**self.defaults, **param_group})
        super().add_param_group(param_group)

    @torch.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]
            l2, weight_decay = group["l2"], group["weight_decay"]
            for w in group["params"]:
                if w.grad is None:
                    continue
                g = w.grad
                if l2 != 0:
                    g = g.add(w, alpha=l2)  # a new tensor: w.grad itself stays the loss's gradient
                if weight_decay != 0:
                    w.mul_(1 - lr * weight_decay)
                if momentum != 0:
                    state = self.state[w]
                    if "momentum_buffer" not in state:
                        # torch starts the velocity at g, not at 0 (no bias towards 0 at step 1).
                        state["momentum_buffer"] = g.clone()
                    else:
                        state["momentum_buffer"].mul_(momentum).add_(g)
                    g = state["momentum_buffer"]
                w.add_(g, alpha=-lr)
        return loss


def _check_sgd_group(group):
    check_lr("lr", group["lr"])
    check_fraction("momentum", group["momentum"])
    check_nonnegative("l2", group["l2"])
    check_nonnegative("weight_decay", group["weight_decay"])


class Adam(torch.optim.Optimizer):
    """Adam (Kingma & Ba, 2015) with L2 (Adam) or decoupled weight decay (AdamW).

    One step t = 1, 2, … for each weight w with gradient g (α = ``lr``):

        g ← g + λ₂·w                          (``l2=λ₂``: coupled, torch's Adam)
        w ← w·(1 − α·λ)                       (``weight_decay=λ``: decoupled, AdamW)
        m ← β₁·m + (1 − β₁)·g                 (first moment, the mean)
        v ← β₂·v + (1 − β₂)·g²                (second moment, the uncentred variance)
        m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ) (bias correction: m and v start at 0)
        w ← w − α · m̂ / (√v̂ + ε)

    With ``l2`` the decay term λ₂·w is divided by √v̂ like the rest of the gradient, so
    weights with large gradients are barely decayed; ``weight_decay`` decays every weight
    by the same factor. That is why AdamW exists.

    torch: ``torch.optim.Adam(params, lr, betas, eps, weight_decay=λ₂)`` is ``l2=λ₂``;
    ``torch.optim.AdamW(params, lr, betas, eps, weight_decay=λ)`` is ``weight_decay=λ``
    (note AdamW's default λ = 0.01, here 0). Keras: ``keras.optimizers.AdamW``; optax:
    ``adamw``. Both may be set at once: ``l2`` acts on the gradient, ``weight_decay`` on
    the weights.

    >>> import torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> optimizer = Adam([w], lr=0.1)
    >>> w.grad = torch.tensor([123.0]); optimizer.step()
    >>> round(w.item(), 6)  # the first step has length α whatever |g| is: m̂/√v̂ = g/|g|
    0.9
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, l2=0.0, weight_decay=0.0):
        defaults = dict(lr=lr, betas=betas, eps=eps, l2=l2, weight_decay=weight_decay)
        _check_adam_group(defaults)
        super().__init__(params, defaults)

    def add_param_group(self, param_group):
        _check_adam_group({**self.defaults, **param_group})
        super().add_param_group(param_group)

    @torch.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            l2, weight_decay = group["l2"], group["weight_decay"]
            for w in group["params"]:
                if w.grad is None:
                    continue
                g = w.grad
                if l2 != 0:
                    g = g.add(w, alpha=l2)
                if weight_decay != 0:
                    w.mul_(1 - lr * weight_decay)

                state = self.state[w]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(w)  # m
                    state["exp_avg_sq"] = torch.zeros_like(w)  # v
                state["step"] += 1
                t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]

                # The same torch operations, in the same order, as torch.optim.Adam, so
                # the two agree to the last bit: lerp_ is m + (1 − β₁)·(g − m).
                m.lerp_(g, 1 - beta1)
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                bias_correction1 = 1 - beta1**t
                bias_correction2 = 1 - beta2**t
                # α·m̂/(√v̂ + ε) written as (α/(1 − β₁ᵗ)) · m / (√v/√(1 − β₂ᵗ) + ε)
                step_size = lr / bias_correction1
                denominator = (v.sqrt() / bias_correction2**0.5).add_(eps)
                w.addcdiv_(m, denominator, value=-step_size)
        return loss


def _check_adam_group(group):
    check_lr("lr", group["lr"])
    _check_betas(group["betas"])
    # ε > 0: with ε = 0 a weight whose gradient has always been 0 would get 0/0 = NaN.
    check_real("eps", group["eps"], 0.0, low_open=True)
    check_nonnegative("l2", group["l2"])
    check_nonnegative("weight_decay", group["weight_decay"])
