"""SGD and Adam from scratch, with L2 *or* decoupled weight decay (chapter 5), and their
schedule-free versions (chapter 3).

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

``l2`` and ``weight_decay`` may also be one value per model, as a 1-D tensor, for a grid of
models whose parameters are stacked along their first dimension (as
:func:`regkit.training.train_grid` stacks them): entry m acts on slice m of every tensor.
A sweep over λ is then one optimizer, with the same update as M separate ones::

    make_optimizer = functools.partial(optim.SGD, momentum=0.9, l2=torch.tensor(lams))

:class:`ScheduleFreeSGD` and :class:`ScheduleFreeAdamW` (Defazio et al., 2024) replace the
schedule by an average of the iterates; they match Meta's ``schedulefree`` reference classes.
Their ``lr`` may be one value per stacked model in the same way (a sweep over peaks is one
optimizer, which :func:`regkit.training.train_grid` uses for a grid of schedule-free runs).
"""

import torch

from ._checks import check_fraction, check_lr, check_nonnegative, check_nonnegative_int, check_real

__all__ = ["SGD", "Adam", "ScheduleFreeSGD", "ScheduleFreeAdamW"]


def _check_coefficient(name, value):
    """``l2`` or ``weight_decay``: a number >= 0, or a 1-D tensor of them (one per model)."""
    if isinstance(value, torch.Tensor):
        if value.dim() != 1 or not value.is_floating_point():
            raise TypeError(f"{name} as a tensor must be 1-D and floating point (one value per "
                            f"model), got shape {tuple(value.shape)} and {value.dtype}")
        if not bool(torch.all(torch.isfinite(value) & (value >= 0))):
            raise ValueError(f"{name} must be finite and >= 0 for every model, got {value.tolist()}")
        return value
    return check_nonnegative(name, value)


def _per_model(coefficient, w):
    """A number as it is; one value per model shaped to multiply the stacked tensor ``w``."""
    if isinstance(coefficient, torch.Tensor):
        return coefficient.to(w.dtype).view(-1, *([1] * (w.dim() - 1)))
    return coefficient


def _is_zero(coefficient):
    if isinstance(coefficient, torch.Tensor):
        return not bool(coefficient.any())
    return coefficient == 0


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

    ``l2`` and ``weight_decay`` may be 1-D tensors, one value per stacked model (see the
    module docstring). With ``momentum=0`` ``l2=λ`` and ``weight_decay=λ`` give the same weights (to
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
                if not _is_zero(l2):  # a new tensor: w.grad itself stays the loss's gradient
                    g = _add_l2(g, w, l2)
                if not _is_zero(weight_decay):
                    w.mul_(1 - lr * _per_model(weight_decay, w))
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


def _add_l2(g, w, l2):
    """g + λ₂·w; for a number with torch's own operation, so the result is torch's to the bit."""
    if isinstance(l2, torch.Tensor):
        return g + _per_model(l2, w) * w
    return g.add(w, alpha=l2)


def _check_sgd_group(group):
    check_lr("lr", group["lr"])
    check_fraction("momentum", group["momentum"])
    _check_coefficient("l2", group["l2"])
    _check_coefficient("weight_decay", group["weight_decay"])


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
    the weights; either may be a 1-D tensor, one value per stacked model.

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
                if not _is_zero(l2):
                    g = _add_l2(g, w, l2)
                if not _is_zero(weight_decay):
                    w.mul_(1 - lr * _per_model(weight_decay, w))

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
    _check_coefficient("l2", group["l2"])
    _check_coefficient("weight_decay", group["weight_decay"])


# --------------------------------------------------------------------------- schedule-free


class _ScheduleFree(torch.optim.Optimizer):
    """What schedule-free SGD and AdamW share: three sequences, the average, train/eval.

    Per weight, z is the base sequence the gradient steps move, x the weighted average of
    the z's (what to evaluate), y the point where the gradient is taken; the parameter holds
    y in train mode and x in eval mode::

        γ_k = lr · min(1, (k + 1)/T_w)                      (warmup_steps = T_w; 1 without)
        c_{k+1} = γ_max² / Σ_{i ≤ k} γ_max,i²   (γ_max: the largest γ so far; c_1 = 1)
        z_{k+1} = z_k − γ_k · (step direction at y_k)       (subclasses)
        x_{k+1} = (1 − c_{k+1}) x_k + c_{k+1} z_{k+1}
        y_{k+1} = β x_{k+1} + (1 − β) z_{k+1}
    """

    def __init__(self, params, defaults):
        defaults = dict(defaults, k=0, weight_sum=0.0, lr_max=0.0, train_mode=False)
        super().__init__(params, defaults)

    @torch.no_grad()
    def train(self):
        """Train mode: the parameters hold y, the point gradients are taken at."""
        self._switch(to_train=True)

    @torch.no_grad()
    def eval(self):
        """Eval mode: the parameters hold x, the average; evaluate and save the model here."""
        self._switch(to_train=False)

    def _switch(self, to_train):
        for group in self.param_groups:
            if group["train_mode"] != to_train:
                for w in group["params"]:
                    state = self.state[w]
                    if "x" in state:
                        w.copy_(state["y"] if to_train else state["x"])
                group["train_mode"] = to_train

    def add_param_group(self, param_group):
        # torch fills a group's missing settings from the defaults; check what it will use.
        self._check_group({**self.defaults, **param_group})
        super().add_param_group(param_group)

    def _step_z(self, group, lr, g, state, k):  # pragma: no cover - the subclasses say how
        raise NotImplementedError

    @torch.no_grad()
    def step(self, closure=None):
        """One update; raises ``RuntimeError`` unless ``.train()`` was called first.

        ``last_lr`` in each param group is then γ_k, the learning rate this update used (one
        value per model where ``lr`` is).
        """
        if not all(group["train_mode"] for group in self.param_groups):
            raise RuntimeError("schedule-free step() in eval mode: call optimizer.train() before "
                               "training and optimizer.eval() before evaluating")
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            k, warmup_steps = group["k"], group["warmup_steps"]
            lr = group["lr"] * ((k + 1) / warmup_steps if k < warmup_steps else 1.0)
            per_model = isinstance(lr, torch.Tensor)  # one lr per stacked model: the same, elementwise
            group["lr_max"] = lr_max = torch.maximum(lr, torch.as_tensor(group["lr_max"], dtype=lr.dtype)) \
                if per_model else max(lr, group["lr_max"])
            weight = lr_max ** 2
            group["weight_sum"] = weight_sum = group["weight_sum"] + weight
            if per_model:
                c = torch.where(weight_sum > 0, weight / torch.where(weight_sum > 0, weight_sum, 1.0), 0.0)
            else:
                c = weight / weight_sum if weight_sum > 0 else 0.0
            group["last_lr"] = lr
            for w in group["params"]:
                if w.grad is None:
                    continue
                state = self.state[w]
                if "z" not in state:  # z = x = y = the initial weights
                    for name in ("z", "x", "y"):
                        state[name] = w.detach().clone()
                z, x, y = state["z"], state["x"], state["y"]
                self._step_z(group, lr, w.grad, state, k)
                if per_model:
                    c_w = _per_model(c, x)
                    x.mul_(1 - c_w).add_(z * c_w)
                else:
                    x.mul_(1 - c).add_(z, alpha=c)
                beta = self._interpolation(group)
                y.copy_(x.mul(beta).add_(z, alpha=1 - beta))
                w.copy_(y)
            group["k"] = k + 1
        return loss


class ScheduleFreeSGD(_ScheduleFree):
    """Schedule-free SGD (Defazio et al., 2024): no schedule, yet the averaged x ends well.

    The z sequence is plain SGD with the gradient taken at y (β = ``momentum``; λ =
    ``weight_decay``, added to the gradient at y as torch's SGD does)::

        z_{k+1} = z_k − γ_k · (∇L(y_k) + λ·y_k)

    and x, the average of the z's that gradients are *not* taken at, is what training
    returns: call ``optimizer.eval()`` before evaluating or saving, ``optimizer.train()``
    before training again (a BatchNorm's statistics, measured at y, are then off for x;
    schedulefree's docs recompute them). A new optimizer is in eval mode, and ``step()`` in
    eval mode raises ``RuntimeError``. With ``momentum=0`` y = z: SGD whose iterates are
    averaged (Polyak averaging with weights γ²).

    The same parameters, in both modes and after every step, as Meta's
    ``schedulefree.SGDScheduleFreeReference(params, lr, momentum, weight_decay,
    warmup_steps)`` (r = 0, weight_lr_power = 2); that class starts in train mode and
    refuses ``momentum=0``.

    >>> import torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> optimizer = ScheduleFreeSGD([w], lr=0.1, momentum=0.5)
    >>> optimizer.train(); w.grad = torch.tensor([2.0]); optimizer.step()
    >>> round(w.item(), 6)          # y_1 = z_1 = x_1 = 1 − 0.1·2 (c_1 = 1)
    0.8
    >>> optimizer.eval(); round(w.item(), 6)   # x_1
    0.8
    """

    def __init__(self, params, lr, momentum=0.9, weight_decay=0.0, warmup_steps=0):
        defaults = dict(lr=lr, momentum=momentum, weight_decay=weight_decay, warmup_steps=warmup_steps)
        self._check_group(defaults)
        super().__init__(params, defaults)

    @staticmethod
    def _check_group(group):
        _check_schedule_free_group(group)
        check_fraction("momentum", group["momentum"])

    @staticmethod
    def _interpolation(group):
        return group["momentum"]

    def _step_z(self, group, lr, g, state, k):
        if group["weight_decay"] != 0:
            g = g.add(state["y"], alpha=group["weight_decay"])
        if isinstance(lr, torch.Tensor):
            state["z"].sub_(g * _per_model(lr, g))
        else:
            state["z"].sub_(g, alpha=lr)


class ScheduleFreeAdamW(_ScheduleFree):
    """Schedule-free AdamW (Defazio et al., 2024), which won AlgoPerf 2024's self-tuning track.

    The z sequence is Adam without its first moment (the interpolation y plays that role;
    β₁ is the β of y) and with decoupled decay at y (β₂, ε as in Adam; λ = ``weight_decay``)::

        z_{k+1} = z_k − γ_k·λ·y_k                                    (decay at y)
        v_{k+1} = β₂ v_k + (1 − β₂) g²,   g = ∇L(y_k)
        z_{k+1} ← z_{k+1} − γ_k · g / (√(v_{k+1}/(1 − β₂^{k+1})) + ε)

    and x, y as in :class:`ScheduleFreeSGD` (train/eval modes, ``RuntimeError``, the new
    optimizer in eval mode). The same parameters after every step as
    ``schedulefree.AdamWScheduleFreeReference(params, lr, betas, eps, weight_decay,
    warmup_steps)`` (r = 0, weight_lr_power = 2, decay_at_z = False). ``warmup_steps`` is a
    warmup of γ; schedulefree recommends one for AdamW.

    >>> import torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> optimizer = ScheduleFreeAdamW([w], lr=0.1)
    >>> optimizer.train(); w.grad = torch.tensor([2.0]); optimizer.step()
    >>> round(w.item(), 6)          # 1 − 0.1·2/(2 + 1e-8): Adam's first step has length ≈ γ
    0.9
    """

    def __init__(self, params, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 warmup_steps=0):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        warmup_steps=warmup_steps)
        self._check_group(defaults)
        super().__init__(params, defaults)

    @staticmethod
    def _check_group(group):
        _check_schedule_free_group(group)
        _check_betas(group["betas"])
        check_real("eps", group["eps"], 0.0, low_open=True)

    @staticmethod
    def _interpolation(group):
        return group["betas"][0]

    def _step_z(self, group, lr, g, state, k):
        z, y = state["z"], state["y"]
        per_model = isinstance(lr, torch.Tensor)
        if group["weight_decay"] != 0:
            if per_model:
                z.sub_(y * _per_model(lr * group["weight_decay"], y))
            else:
                z.sub_(y, alpha=lr * group["weight_decay"])
        if "v" not in state:
            state["v"] = torch.zeros_like(z)
        v, beta2 = state["v"], group["betas"][1]
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        denominator = v.div(1 - beta2 ** (k + 1)).sqrt_().add_(group["eps"])
        if per_model:
            z.addcdiv_(g * _per_model(lr, g), denominator, value=-1)
        else:
            z.addcdiv_(g, denominator, value=-lr)


def _check_schedule_free_group(group):
    if isinstance(group["lr"], torch.Tensor):  # one learning rate per stacked model
        _check_coefficient("lr", group["lr"])
    else:
        check_lr("lr", group["lr"])
    check_nonnegative("weight_decay", group["weight_decay"])
    check_nonnegative_int("warmup_steps", group["warmup_steps"])
