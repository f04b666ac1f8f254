"""Learning-rate schedules (chapters 2-3): α_t as a pure function of the step t.

Each schedule answers one question: *which learning rate does update number t use?*
``step`` counts the updates already taken (0-based), exactly like a torch scheduler after
``step`` calls of ``scheduler.step()``. A schedule is a pure function, like optax's: no
state, no optimizer, so it can be plotted, tested and reasoned about on its own.

``step`` may be one integer (the answer is a ``float``) or a NumPy integer array (the
answer is an array of the same shape), so plotting a million steps is one call:

>>> import numpy as np
>>> lrs = cosine_annealing(np.arange(1_000_001), base_lr=0.1, total_steps=1_000_000)
>>> lrs.shape, float(lrs[0]), float(lrs[-1])
((1000001,), 0.1, 0.0)

Notation (the chapters'): t the step, T the total number of steps, T_w the warmup steps,
α_t the learning rate at step t, α_max / α_min the peak and the floor (``base_lr`` /
``min_lr``). :func:`as_scheduler` turns any schedule into a torch LR scheduler.
"""

import inspect

import numpy as np
import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

from ._checks import (
    check_choice,
    check_fraction,
    check_int,
    check_lr,
    check_nonnegative,
    check_nonnegative_int,
    check_positive_int,
    check_real,
    check_step,
)

__all__ = [
    "constant",
    "step_decay",
    "multistep_decay",
    "exponential_decay",
    "linear_warmup",
    "cyclic",
    "cosine_annealing",
    "cosine_with_restarts",
    "warmup_cosine",
    "warmup_linear",
    "warmup_stable_decay",
    "inverse_sqrt_warmup",
    "as_scheduler",
    "ScheduleLR",
    "torch_lrs",
]


def _result(lr, shape):
    """A ``float`` for one step (shape None), a float64 array shaped like ``step`` for many."""
    lr = np.asarray(lr, dtype=np.float64)
    return float(lr[0]) if shape is None else lr.reshape(shape)


def _check_gamma(gamma):
    return check_real("gamma", gamma, 0.0, low_open=True)


def _check_min_lr(min_lr, base_lr):
    return check_real("min_lr", min_lr, 0.0, base_lr)


def _half_cosine(elapsed, length):
    """(1 + cos(π · elapsed / length)) / 2: from 1 at elapsed = 0 down to 0 at elapsed = length."""
    return (1 + np.cos(np.pi * elapsed / length)) / 2


# --------------------------------------------------------------------------- decays


def constant(step, base_lr):
    """The same learning rate at every step: α_t = α.

    torch: no scheduler (or ``ConstantLR(factor=1.0)``); Keras: a float ``learning_rate``.

    >>> constant(0, base_lr=0.1), constant(10**6, base_lr=0.1)
    (0.1, 0.1)
    >>> constant(np.arange(3), base_lr=0.1)
    array([0.1, 0.1, 0.1])
    """
    t, shape = check_step(step)
    base_lr = check_lr("base_lr", base_lr)
    return _result(np.full(t.shape, base_lr), shape)


def step_decay(step, base_lr, step_size, gamma=0.1):
    """Step decay: multiply the learning rate by γ every ``step_size`` steps.

    α_t = α_max · γ^⌊t / step_size⌋

    torch: ``StepLR(optimizer, step_size, gamma)``; Keras: ``ExponentialDecay(α_max,
    step_size, γ, staircase=True)``; optax: ``exponential_decay(α_max, step_size, γ,
    staircase=True)``.

    >>> [round(step_decay(t, base_lr=1.0, step_size=10, gamma=0.5), 6) for t in (0, 9, 10, 25)]
    [1.0, 1.0, 0.5, 0.25]
    """
    t, shape = check_step(step)
    base_lr = check_lr("base_lr", base_lr)
    step_size = check_positive_int("step_size", step_size)
    gamma = _check_gamma(gamma)
    return _result(base_lr * gamma ** (t // step_size), shape)


def _check_milestones(milestones):
    allowed = "a strictly increasing sequence of positive integers"
    if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
        raise TypeError(f"milestones must be {allowed}, got {milestones!r}")
    milestones = [check_positive_int("milestones", m) for m in milestones]
    if any(a >= b for a, b in zip(milestones, milestones[1:])):
        raise ValueError(f"milestones must be {allowed}, got {milestones!r}")
    return np.asarray(milestones, dtype=np.int64)


def multistep_decay(step, base_lr, milestones, gamma=0.1):
    """Step decay at hand-picked steps: multiply by γ at each milestone.

    α_t = α_max · γ^k,   k = number of milestones m with m ≤ t

    torch: ``MultiStepLR(optimizer, milestones, gamma)``; optax:
    ``piecewise_constant_schedule``; Keras: ``PiecewiseConstantDecay`` (which switches one
    step later: for t > m, not t ≥ m).
    (ResNet's recipe: ×0.1 at epochs 30 and 60, or at 50% and 75% of training.)

    >>> [round(multistep_decay(t, base_lr=1.0, milestones=[3, 5]), 6) for t in range(7)]
    [1.0, 1.0, 1.0, 0.1, 0.1, 0.01, 0.01]
    """
    t, shape = check_step(step)
    base_lr = check_lr("base_lr", base_lr)
    milestones = _check_milestones(milestones)
    gamma = _check_gamma(gamma)
    # side="right": a milestone counts from its own step on, as in torch's bisect_right.
    passed = np.searchsorted(milestones, t, side="right")
    return _result(base_lr * gamma**passed, shape)


def exponential_decay(step, base_lr, gamma):
    """Exponential decay: multiply by γ after every step.

    α_t = α_max · γ^t

    torch: ``ExponentialLR(optimizer, gamma)``; Keras: ``ExponentialDecay(α_max, 1, γ)``;
    optax: ``exponential_decay(α_max, 1, γ)``.

    >>> round(exponential_decay(100, base_lr=1.0, gamma=0.99), 6)
    0.366032
    """
    t, shape = check_step(step)
    base_lr = check_lr("base_lr", base_lr)
    gamma = _check_gamma(gamma)
    return _result(base_lr * gamma**t, shape)


# --------------------------------------------------------------------------- warmup


def linear_warmup(step, base_lr, warmup_steps, start_factor=0.0):
    """Linear warmup from ``start_factor · α`` to α over T_w steps, then constant.

    α_t = α · (f + (1 − f) · min(t, T_w) / T_w),   f = ``start_factor``

    torch: ``LinearLR(optimizer, start_factor=f, end_factor=1.0, total_iters=T_w)``
    (torch needs f > 0; f = 0 starts from exactly zero); optax:
    ``linear_schedule(f·α, α, T_w)``. ``warmup_steps=0`` means no warmup.

    >>> [round(linear_warmup(t, base_lr=0.1, warmup_steps=4), 6) for t in range(6)]
    [0.0, 0.025, 0.05, 0.075, 0.1, 0.1]
    """
    t, shape = check_step(step)
    base_lr = check_lr("base_lr", base_lr)
    warmup_steps = check_nonnegative_int("warmup_steps", warmup_steps)
    start_factor = check_fraction("start_factor", start_factor, high_open=False)
    if warmup_steps == 0:
        return _result(np.full(t.shape, base_lr), shape)
    progress = np.minimum(t, warmup_steps) / warmup_steps
    return _result(base_lr * (start_factor + (1 - start_factor) * progress), shape)


def inverse_sqrt_warmup(step, d_model, warmup_steps=4000, scale=1.0):
    """The Transformer's schedule (Vaswani et al., 2017): linear warmup, then 1/√n decay.

    α_t = scale · d_model^(−1/2) · min(n^(−1/2), n · T_w^(−3/2)),   n = t + 1

    The two branches meet at n = T_w, the peak: α = scale · (d_model · T_w)^(−1/2).
    The paper counts steps from 1, hence n = t + 1. ``warmup_steps=0`` leaves only the
    1/√n decay. torch: ``LambdaLR`` with this formula and ``lr=1``; Hugging Face:
    ``get_inverse_sqrt_schedule`` (a different scaling); optax: none built in.

    >>> round(inverse_sqrt_warmup(3999, d_model=512), 8)  # the peak, n = 4000
    0.00069877
    >>> inverse_sqrt_warmup(1999, d_model=512) < inverse_sqrt_warmup(3999, d_model=512)
    True
    """
    t, shape = check_step(step)
    d_model = check_positive_int("d_model", d_model)
    warmup_steps = check_nonnegative_int("warmup_steps", warmup_steps)
    scale = check_nonnegative("scale", scale)
    n = t + 1.0
    decay = n**-0.5
    if warmup_steps == 0:
        return _result(scale * d_model**-0.5 * decay, shape)
    warmup = n * warmup_steps**-1.5
    return _result(scale * d_model**-0.5 * np.minimum(decay, warmup), shape)


# --------------------------------------------------------------------------- cycles


def cyclic(step, base_lr, max_lr, step_size_up, step_size_down=None, mode="triangular", gamma=1.0):
    """Smith's cyclical learning rate: up from α_min to α_max and back, again and again.

    One cycle is L = ``step_size_up + step_size_down`` steps. With c = 1 + ⌊t / L⌋ the
    cycle number (from 1) and p = t mod L the position in the cycle,

    x = p / step_size_up              while rising (p ≤ step_size_up)
    x = (L − p) / step_size_down      while falling
    α_t = α_min + (α_max − α_min) · x · s

    where α_min = ``base_lr``, α_max = ``max_lr`` and the amplitude scale s is 1
    (``"triangular"``), 1/2^(c−1) (``"triangular2"``: halve every cycle) or γ^t
    (``"exp_range"``: shrink every step, γ ≤ 1).

    torch: ``CyclicLR(optimizer, base_lr, max_lr, step_size_up, step_size_down, mode,
    gamma, cycle_momentum=False)``; Keras: none built in (TensorFlow Addons had
    ``CyclicalLearningRate``).

    >>> [round(cyclic(t, base_lr=0.1, max_lr=0.5, step_size_up=2), 6) for t in range(6)]
    [0.1, 0.3, 0.5, 0.3, 0.1, 0.3]
    >>> [round(cyclic(t, 0.0, 1.0, step_size_up=1, mode="triangular2"), 6) for t in range(6)]
    [0.0, 1.0, 0.0, 0.5, 0.0, 0.25]
    """
    t, shape = check_step(step)
    base_lr = check_lr("base_lr", base_lr)
    max_lr = check_lr("max_lr", max_lr)
    step_size_up = check_positive_int("step_size_up", step_size_up)
    if step_size_down is None:
        step_size_down = step_size_up
    step_size_down = check_positive_int("step_size_down", step_size_down)
    mode = check_choice("mode", mode, ("triangular", "triangular2", "exp_range"))
    if mode == "exp_range":
        gamma = check_real("gamma", gamma, 0.0, 1.0, low_open=True)
    else:
        gamma = _check_gamma(gamma)

    # Integer cycle bookkeeping: the turning points land exactly on whole steps.
    cycle_length = step_size_up + step_size_down
    cycle = 1 + t // cycle_length
    position = t % cycle_length
    rising = position <= step_size_up
    x = np.where(rising, position / step_size_up, (cycle_length - position) / step_size_down)

    if mode == "triangular":
        amplitude_scale = 1.0
    elif mode == "triangular2":
        amplitude_scale = 0.5 ** (cycle - 1)
    else:  # exp_range shrinks with every step, not every cycle (torch's scale_mode="iterations")
        amplitude_scale = gamma**t
    return _result(base_lr + (max_lr - base_lr) * x * amplitude_scale, shape)


# --------------------------------------------------------------------------- cosine


def cosine_annealing(step, base_lr, total_steps, min_lr=0.0):
    """Cosine annealing: half a cosine wave from α_max down to α_min over T steps.

    α_t = α_min + (α_max − α_min) · (1 + cos(π · t / T)) / 2    for t ≤ T,   α_min after

    torch: ``CosineAnnealingLR(optimizer, T_max=T, eta_min=α_min)``, equal for t ≤ T (torch's
    cosine climbs back up after T; regkit holds α_min, like optax's
    ``cosine_decay_schedule`` and nanoGPT). Keras: ``CosineDecay(α_max, T,
    alpha=α_min/α_max)``.

    >>> [round(cosine_annealing(t, base_lr=1.0, total_steps=4), 6) for t in range(6)]
    [1.0, 0.853553, 0.5, 0.146447, 0.0, 0.0]
    """
    t, shape = check_step(step)
    base_lr = check_lr("base_lr", base_lr)
    total_steps = check_positive_int("total_steps", total_steps)
    min_lr = _check_min_lr(min_lr, base_lr)
    elapsed = np.minimum(t, total_steps)
    return _result(min_lr + (base_lr - min_lr) * _half_cosine(elapsed, total_steps), shape)


def _sgdr_position(t, cycle_steps, cycle_mult):
    """(steps since the last restart, length of the current cycle) for every step t.

    Cycle i (0-based) is T_0 · mⁱ steps long and starts where the previous one ends. With
    m = 1 that is a remainder. With m ≥ 2 the cycles grow geometrically, so even 2**53
    steps hold fewer than 60 of them: a short table of where each cycle starts, and one
    ``np.searchsorted`` finds every step's cycle, in exact integer arithmetic (no log, so
    no rounding at a restart).
    """
    if cycle_mult == 1:
        return t % cycle_steps, cycle_steps
    starts, lengths = [0], [cycle_steps]
    while starts[-1] + lengths[-1] <= t.max(initial=0):  # the next cycle begins by the last step
        starts.append(starts[-1] + lengths[-1])
        lengths.append(lengths[-1] * cycle_mult)
    cycle = np.searchsorted(starts, t, side="right") - 1
    return t - np.array(starts)[cycle], np.array(lengths)[cycle]


def cosine_with_restarts(step, base_lr, cycle_steps, cycle_mult=1, min_lr=0.0):
    """SGDR (Loshchilov & Hutter, 2017): cosine annealing, restarted every cycle.

    α_t = α_min + (α_max − α_min) · (1 + cos(π · T_cur / T_i)) / 2

    where T_i = T_0 · mⁱ is the length of the current cycle i (T_0 = ``cycle_steps``,
    m = ``cycle_mult``: each cycle m times longer than the last) and T_cur the steps
    since the last restart. Every step's cycle is looked up in a short table of cycle
    starts (see ``_sgdr_position``), so a million steps need no loop over steps.

    torch: ``CosineAnnealingWarmRestarts(optimizer, T_0, T_mult=m, eta_min=α_min)``,
    stepped once per update; Keras: ``CosineDecayRestarts(α_max, T_0, t_mul=m,
    alpha=α_min/α_max)``; optax: ``sgdr_schedule``.

    >>> [round(cosine_with_restarts(t, 1.0, cycle_steps=2, cycle_mult=2), 6) for t in range(8)]
    [1.0, 0.5, 1.0, 0.853553, 0.5, 0.146447, 1.0, 0.96194]
    """
    t, shape = check_step(step)
    base_lr = check_lr("base_lr", base_lr)
    cycle_steps = check_positive_int("cycle_steps", cycle_steps)
    cycle_mult = check_positive_int("cycle_mult", cycle_mult)
    min_lr = _check_min_lr(min_lr, base_lr)
    if t.size and (int(t.max()) + 1) * cycle_mult + cycle_steps >= 2**62:
        # The cycle arithmetic is exact in int64; refuse what would overflow it.
        raise ValueError(
            "step, cycle_steps and cycle_mult must satisfy (step + 1) * cycle_mult + cycle_steps "
            f"< 2**62, got step={int(t.max())}, cycle_steps={cycle_steps}, cycle_mult={cycle_mult}"
        )
    t_cur, t_i = _sgdr_position(t, cycle_steps, cycle_mult)
    return _result(min_lr + (base_lr - min_lr) * _half_cosine(t_cur, t_i), shape)


def warmup_cosine(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    """Linear warmup then cosine decay: the GPT-3 recipe (nanoGPT's ``get_lr``).

    α_t = α_max · t / T_w                                                  for t < T_w
    α_t = α_min + (α_max − α_min) · (1 + cos(π · (t − T_w) / (T − T_w))) / 2  for T_w ≤ t ≤ T
    α_t = α_min                                                            for t > T

    GPT-3 used α_min = 0.1 · α_max. With α_min = 0 this is Hugging Face's
    ``get_cosine_schedule_with_warmup(optimizer, T_w, T)`` for t ≤ T (after T HF's cosine
    climbs back up; regkit holds). It equals optax's ``warmup_cosine_decay_schedule(0,
    α_max, T_w, T, α_min)`` everywhere. ``warmup_steps=0`` is plain cosine annealing.
    Keras 3: ``CosineDecay(0.0, T − T_w, alpha=α_min/α_max, warmup_target=α_max,
    warmup_steps=T_w)``. torch: ``SequentialLR([LinearLR, CosineAnnealingLR],
    milestones=[T_w])`` comes close, but its ``LinearLR`` cannot start at exactly 0.

    >>> [round(warmup_cosine(t, base_lr=1.0, warmup_steps=2, total_steps=6), 6) for t in range(8)]
    [0.0, 0.5, 1.0, 0.853553, 0.5, 0.146447, 0.0, 0.0]
    """
    t, shape = check_step(step)
    base_lr = check_lr("base_lr", base_lr)
    total_steps = check_positive_int("total_steps", total_steps)
    warmup_steps = check_int("warmup_steps", warmup_steps, 0, total_steps - 1)
    min_lr = _check_min_lr(min_lr, base_lr)
    # max(T_w, 1) only avoids 0/0 when there is no warmup; that branch is then never used.
    warmup = base_lr * t / max(warmup_steps, 1)
    decay_steps = total_steps - warmup_steps
    elapsed = np.clip(t - warmup_steps, 0, decay_steps)
    decay = min_lr + (base_lr - min_lr) * _half_cosine(elapsed, decay_steps)
    return _result(np.where(t < warmup_steps, warmup, decay), shape)


def warmup_linear(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    """Linear warmup then linear decay to ``min_lr``: "linear decay to zero" (chapter 3).

    α_t = α_max · t / T_w                                          for t < T_w
    α_t = α_min + (α_max − α_min) · (1 − (t − T_w) / (T − T_w))    for T_w ≤ t ≤ T
    α_t = α_min                                                    for t > T

    With α_min = 0 it is Hugging Face's ``get_linear_schedule_with_warmup(optimizer, T_w, T)``
    at every step, and optax's ``join_schedules([linear_schedule(0, α_max, T_w),
    linear_schedule(α_max, 0, T − T_w)], [T_w])``. Bergsma et al. (2025) found decaying to
    zero better than cosine to 10 %, GPT-3's floor. torch: ``SequentialLR([LinearLR,
    LinearLR], milestones=[T_w])``, again without an exact 0 at the start.

    >>> [round(warmup_linear(t, base_lr=1.0, warmup_steps=2, total_steps=6), 6) for t in range(8)]
    [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    total_steps = check_positive_int("total_steps", total_steps)
    warmup_steps = check_int("warmup_steps", warmup_steps, 0, total_steps - 1)
    # WSD without a stable phase: the decay takes everything after the warmup
    return warmup_stable_decay(step, base_lr, warmup_steps, total_steps - warmup_steps, total_steps,
                               min_lr=min_lr, decay="linear")


_DECAY_SHAPES = {  # from 1 at p = 0 down to 0 at p = 1
    "linear": lambda p: 1 - p,
    "cosine": lambda p: (1 + np.cos(np.pi * p)) / 2,
    "1-sqrt": lambda p: 1 - np.sqrt(p),
}


def warmup_stable_decay(step, base_lr, warmup_steps, decay_steps, total_steps, min_lr=0.0,
                        decay="linear"):
    """Warmup-stable-decay (WSD): warm up, hold α_max, cool down over the last ``decay_steps``.

    α_t = α_max · t / T_w                                  for t < T_w
    α_t = α_max                                            for T_w ≤ t < T − T_d
    α_t = α_min + (α_max − α_min) · shape(p),  p = (t − (T − T_d)) / T_d   for T − T_d ≤ t ≤ T
    α_t = α_min                                            for t > T

    with ``shape`` = ``"linear"`` (1 − p), ``"cosine"`` ((1 + cos πp)/2) or ``"1-sqrt"``
    (1 − √p, Hägele et al., 2024). MiniCPM (Hu et al., 2024) made it popular: the stable
    phase does not depend on T, so one run can be branched into cool-downs at several
    budgets, and a run can be extended without restarting (chapter 3). Hugging Face:
    ``get_wsd_schedule(optimizer, num_warmup_steps=T_w, num_decay_steps=T_d,
    num_training_steps=T, decay_type=shape, min_lr_ratio=α_min/α_max)``, equal at every
    step when α_min = 0 and from T_w on otherwise (its warmup starts at α_min).

    >>> [round(warmup_stable_decay(t, 1.0, warmup_steps=2, decay_steps=2, total_steps=6), 6)
    ...  for t in range(8)]
    [0.0, 0.5, 1.0, 1.0, 1.0, 0.5, 0.0, 0.0]
    """
    t, shape = check_step(step)
    base_lr = check_lr("base_lr", base_lr)
    total_steps = check_positive_int("total_steps", total_steps)
    warmup_steps = check_int("warmup_steps", warmup_steps, 0, total_steps - 1)
    decay_steps = check_int("decay_steps", decay_steps, 1, total_steps - warmup_steps)
    min_lr = _check_min_lr(min_lr, base_lr)
    decay_shape = _DECAY_SHAPES[check_choice("decay", decay, tuple(_DECAY_SHAPES))]
    warmup = base_lr * t / max(warmup_steps, 1)
    p = np.clip((t - (total_steps - decay_steps)) / decay_steps, 0.0, 1.0)
    cool_down = min_lr + (base_lr - min_lr) * decay_shape(p)
    return _result(np.where(t < warmup_steps, warmup, cool_down), shape)


# --------------------------------------------------------------------------- torch


class ScheduleLR(LRScheduler):
    """A torch LR scheduler that reads its learning rates off a regkit schedule.

    Made by :func:`as_scheduler`; see there.
    """

    def __init__(self, optimizer, schedule, **kwargs):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
        if not callable(schedule):
            raise TypeError(f"schedule must be a callable schedule(step, ...), got {schedule!r}")
        parameters = inspect.signature(schedule).parameters
        self.schedule = schedule
        self.schedule_kwargs = kwargs
        self.uses_base_lr = "base_lr" in parameters
        if self.uses_base_lr and "base_lr" in kwargs:
            raise TypeError(
                "base_lr must not be passed to as_scheduler: it is each param group's initial lr"
            )
        super().__init__(optimizer)

    def get_lr(self):
        step = self.last_epoch
        if self.uses_base_lr:
            return [self.schedule(step, base_lr=lr, **self.schedule_kwargs) for lr in self.base_lrs]
        return [self.schedule(step, **self.schedule_kwargs) for _ in self.base_lrs]

    # A closed form needs no history, so torch's `step(epoch)` can jump anywhere.
    _get_closed_form_lr = get_lr


def as_scheduler(optimizer, schedule, **kwargs):
    """Drive a torch optimizer with a regkit schedule.

    After k calls of ``.step()`` every param group's lr is
    ``schedule(k, base_lr=<the group's initial lr>, **kwargs)``: one schedule, each group
    scaled from its own α_max, like torch's schedulers. A schedule without ``base_lr``
    (:func:`inverse_sqrt_warmup`) sets the lr directly: ``schedule(k, **kwargs)``.
    torch: ``LambdaLR`` does the same with a factor, lr = initial lr · λ(k).

    >>> import torch
    >>> w = torch.nn.Parameter(torch.zeros(1))
    >>> optimizer = torch.optim.SGD([w], lr=0.1)
    >>> scheduler = as_scheduler(optimizer, warmup_cosine, warmup_steps=2, total_steps=6)
    >>> scheduler.get_last_lr(), optimizer.step(), scheduler.step(), scheduler.get_last_lr()
    ([0.0], None, None, [0.05])
    >>> torch_lrs(lambda opt: as_scheduler(opt, warmup_cosine, warmup_steps=2, total_steps=6),
    ...           steps=4, base_lr=0.1).round(6)
    array([0.     , 0.05   , 0.1    , 0.085355])
    """
    return ScheduleLR(optimizer, schedule, **kwargs)


def torch_lrs(make_scheduler, steps, base_lr=1.0):
    """The learning rates a torch scheduler sets for updates 0, 1, …, steps − 1.

    A torch scheduler is an object with state, not a function of t: it overwrites the
    optimizer's ``param_groups[0]["lr"]`` once per ``scheduler.step()``. This steps one
    ``torch.optim.SGD(lr=base_lr)`` on a single parameter ``steps`` times, in torch's order
    (``optimizer.step()``, then ``scheduler.step()``), reading the rate each update uses, so
    that it compares with a regkit schedule evaluated at ``np.arange(steps)``.
    ``make_scheduler(optimizer)`` builds the scheduler.

    >>> import torch
    >>> torch_lrs(lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5),
    ...           steps=5, base_lr=0.1)
    array([0.1  , 0.1  , 0.05 , 0.05 , 0.025])
    >>> step_decay(np.arange(5), base_lr=0.1, step_size=2, gamma=0.5)
    array([0.1  , 0.1  , 0.05 , 0.05 , 0.025])
    """
    check_positive_int("steps", steps)
    check_lr("base_lr", base_lr)
    if not callable(make_scheduler):
        raise TypeError(f"make_scheduler must be a callable make_scheduler(optimizer), "
                        f"got {make_scheduler!r}")
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base_lr)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()  # no gradient: the weight stays; torch wants this before the scheduler
        scheduler.step()
    return np.array(lrs)
