"""One training loop for the whole course, recording what the lecture talks about.

At every step ``train`` records the loss, the learning rate used for that step's
update and the global gradient norm before clipping, in a :class:`History` that can
plot itself. Chapters compare runs by overlaying their histories (this one takes about
1.5 s on a laptop CPU; without clipping the loss explodes near step 470, with it the
test MSE ends near 0.05, far below the 0.167 of always answering 1)::

    X, y = adding_problem(8192, seq_len=20)
    axes = None
    for clip in [None, 1.0]:
        torch.manual_seed(0)
        model = TinyRNN(hidden_size=32)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        h = train(model, mse_loss, batch_iterator(X, y, 64), opt, steps=800, clip_norm=clip)
        axes = h.plot(axes, label=f"clip_norm = {clip}", panels=("loss", "grad_norm"))
"""

from __future__ import annotations

import math
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["History", "train", "train_grid", "evaluate_accuracy", "cross_entropy_loss", "mse_loss",
           "moving_average"]


# --------------------------------------------------------------------------- loss functions
def cross_entropy_loss(model, batch):
    """``loss_fn`` for classification: cross-entropy of ``model(x)`` against labels ``y``.

    Works for one label per example (logits ``(B, C)``, labels ``(B,)``) and one label per
    position (logits ``(B, T, C)``, labels ``(B, T)``, e.g. a Transformer). The mean over the
    N labelled positions of

    .. math:: \\ell = \\log \\sum_c e^{z_c} - z_y,

    what ``F.cross_entropy`` computes (equal to float rounding). Written as this formula:
    torch's CPU ``log_softmax`` is slow along a short dimension, and with the digits' 10
    classes this form saves about a fifth of the time a grid of small networks takes.
    """
    x, y = batch
    logits = model(x)
    logits, y = logits.reshape(-1, logits.shape[-1]), y.reshape(-1)
    return (logits.logsumexp(-1) - logits.gather(-1, y[:, None]).squeeze(-1)).mean()


def mse_loss(model, batch):
    """``loss_fn`` for regression: mean squared error of ``model(x)`` against ``y``."""
    x, y = batch
    return F.mse_loss(model(x), y)


# --------------------------------------------------------------------------- History
@dataclass
class History:
    """What happened at each step of a training run.

    ``loss[k]``, ``lr[k]`` and ``grad_norm[k]`` belong to step k (0-based): the mini-batch
    loss before the update, the learning rate the update used, and the global L2 norm of
    all gradients, :math:`\\|g\\|_2 = \\sqrt{\\sum_i g_i^2}`, before any clipping. A run that
    diverged is padded with NaN after the step where the loss stopped being finite, so
    every history has ``steps`` entries and curves simply end where training broke.

    ``eval_steps[j]`` is the number of updates taken when ``eval[name][j]`` was measured.
    """

    loss: np.ndarray
    lr: np.ndarray
    grad_norm: np.ndarray
    eval_steps: list = field(default_factory=list)
    eval: dict = field(default_factory=dict)
    # recorded by train_grid: ‖θ_{k+1} − θ_k‖ (the step's length) and ‖θ_{k+1}‖
    update_norm: np.ndarray = field(default_factory=lambda: np.empty(0))
    weight_norm: np.ndarray = field(default_factory=lambda: np.empty(0))

    # a finite loss this many times the first one also counts as divergence
    EXPLODED = 10.0

    def __len__(self):
        return len(self.loss)

    @property
    def steps(self) -> np.ndarray:
        """0, 1, ..., len - 1: the x axis of the per-step curves."""
        return np.arange(len(self.loss))

    @property
    def diverged(self) -> bool:
        """True if the loss became NaN/inf, or ended more than ``EXPLODED`` times its start."""
        if len(self.loss) == 0:
            return False
        if not np.all(np.isfinite(self.loss)):
            return True
        return bool(self.final_loss > self.EXPLODED * self.loss[0])

    @property
    def final_loss(self) -> float:
        """Mean loss over the last 10 % of the steps (at least one): less noisy than ``loss[-1]``.

        NaN for a run that diverged (its last steps are NaN).
        """
        if len(self.loss) == 0:
            return float("nan")
        window = max(1, len(self.loss) // 10)
        return float(np.mean(self.loss[-window:]))

    def plot(self, axes=None, lang=None, label=None, panels=("loss", "lr", "grad_norm"),
             smooth=0.0, **line_kwargs):
        """Draw the run: one panel per entry of ``panels``, sharing the step axis.

        ``panels`` names per-step curves (``"loss"``, ``"lr"``, ``"grad_norm"``) or keys of
        ``eval``. Loss and gradient norm use a log scale. Pass the returned axes back in to
        overlay another run; with ``label`` each run gets a legend entry. ``lang`` ('en' or
        'ko') picks the axis labels; ``None`` uses the language of
        ``regkit.plotting.use_course_style``. ``smooth`` in [0, 1) draws an exponential
        moving average of the loss (0: raw), to see trends through mini-batch noise.

        Example
        -------
        >>> axes = h_no_clip.plot(label="no clipping")
        >>> h_clip.plot(axes, label="clip_norm = 1")
        """
        import matplotlib.pyplot as plt

        from regkit import plotting

        if isinstance(panels, str):
            panels = (panels,)
        for name in panels:
            if name not in ("loss", "lr", "grad_norm") and name not in self.eval:
                raise ValueError(f"panels: unknown panel {name!r}; use 'loss', 'lr', 'grad_norm' "
                                 f"or a key of eval {sorted(self.eval)}")
        if not 0.0 <= smooth < 1.0:
            raise ValueError(f"smooth must be in [0, 1), got {smooth}")
        if axes is None:
            fig, axes = plt.subplots(len(panels), 1, sharex=True,
                                     figsize=(6.4, 1.2 + 1.8 * len(panels)), squeeze=False)
            axes = list(axes[:, 0])
        else:
            axes = list(np.atleast_1d(axes))
            if len(axes) != len(panels):
                raise ValueError(f"axes: need {len(panels)} axes for panels {panels}, got {len(axes)}")

        for ax, name in zip(axes, panels):
            if name in self.eval:
                ax.plot(self.eval_steps, self.eval[name], label=label, **line_kwargs)
            else:
                y = getattr(self, name)
                if name == "loss" and smooth > 0:
                    y = moving_average(y, smooth)
                ax.plot(self.steps, y, label=label, **line_kwargs)
                finite = y[np.isfinite(y)]
                if name != "lr" and finite.size and np.all(finite > 0):
                    ax.set_yscale("log")
            ax.set_ylabel(plotting.label(name, lang))
        if label is not None:
            axes[0].legend()  # one legend is enough: the panels share their lines' colours
        axes[-1].set_xlabel(plotting.label("step", lang))
        return axes


def moving_average(values, beta=0.9):
    """Exponential moving average with bias correction, as Adam uses for its moments::

        m_k = β m_{k-1} + (1 − β) y_k,   m_{-1} = 0,     out_k = m_k / (1 − β^{k+1})

    The trend through mini-batch noise, at a price: the average *lags*. Value k − j
    weighs (1 − β) β^j, so the mean age of what it averages is β/(1 − β) steps, 9 for
    β = 0.9 (chapter 2 reads a learning-rate range test through it and corrects for
    that lag). fastai's ``lr_find`` smooths the same way (β = 0.98); pandas'
    ``Series.ewm(alpha=1 - beta, adjust=True).mean()`` gives the same numbers.

    Example
    -------
    >>> moving_average([1.0, 0.0, 0.0], beta=0.5)      # 1, 1/3, 1/7
    array([1.        , 0.33333333, 0.14285714])
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {values.shape}")
    if not (isinstance(beta, (int, float, np.floating)) and 0 <= beta < 1):
        raise ValueError(f"beta must be a number in [0, 1), got {beta!r}")
    out = np.empty_like(values)
    m = 0.0
    for k, v in enumerate(values):
        m = beta * m + (1 - beta) * v
        out[k] = m / (1 - beta ** (k + 1))
    return out


# --------------------------------------------------------------------------- the loop
def train(model, loss_fn, batches, optimizer, steps, schedule=None, clip_norm=None,
          clip_value=None, progress=False, eval_fn=None, eval_every=None,
          stop_on_divergence=True):
    """Train ``model`` for ``steps`` updates and return the :class:`History`.

    One step k (0-based) is::

        lr_k = schedule(k)                    # if a schedule is given: set on every param group
        loss = loss_fn(model, batch_k); loss.backward()
        record loss, lr_k, ||g||              # the norm before clipping
        clip (clip_norm or clip_value)        # regkit.clipping
        optimizer.step()

    Parameters
    ----------
    loss_fn : callable ``(model, batch) -> scalar tensor``
        e.g. :func:`cross_entropy_loss` or :func:`mse_loss`.
    batches : iterable of batches, or callable ``step -> batch``
        e.g. ``regkit.data.batch_iterator(X, y, 32)`` or ``lambda k: (X, y)`` (full batch).
    optimizer : a torch optimizer (``torch.optim`` or ``regkit.optim``).
    schedule : None, callable ``step -> lr``, or a torch LR scheduler
        A callable (e.g. ``functools.partial(regkit.schedules.warmup_cosine, base_lr=1e-3,
        warmup_steps=50, total_steps=500)``) sets the lr of every param group before each
        step. A torch scheduler is stepped after each ``optimizer.step()``. ``None`` keeps
        the optimizer's lr.
    clip_norm, clip_value : float > 0, at most one of them
        Clip the global gradient norm to ``clip_norm`` (``clip_grad_norm_``) or every
        gradient element to ``[-clip_value, clip_value]`` (``clip_grad_value_``).
    progress : bool
        Show a tqdm bar. It writes to stdout, never stderr (a book build fails on any
        stderr output); leave it off in chapter notebooks.
    eval_fn : callable ``model -> float or dict of floats``, optional
        Run (in ``eval`` mode, without gradients) before training, every ``eval_every``
        updates and after the last one; a float is stored under the name ``"eval"``.
    stop_on_divergence : bool
        Stop at the first non-finite loss; the rest of the history stays NaN.

    Example
    -------
    >>> X_tr, X_te, y_tr, y_te = regkit.data.load_digits_split()
    >>> model = MLP(); opt = torch.optim.SGD(model.parameters(), lr=0.1)
    >>> h = train(model, cross_entropy_loss, regkit.data.batch_iterator(X_tr, y_tr, 64),
    ...           opt, steps=300, eval_fn=lambda m: evaluate_accuracy(m, X_te, y_te),
    ...           eval_every=100)
    """
    from regkit import clipping  # imported here so that regkit's modules may load in any order

    steps = _check_steps(steps)
    clip_norm = _check_clip("clip_norm", clip_norm)
    clip_value = _check_clip("clip_value", clip_value)
    if clip_norm is not None and clip_value is not None:
        raise ValueError("clip_norm and clip_value: give at most one of them")
    if eval_every is not None:
        eval_every = _check_steps(eval_every, name="eval_every")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    torch_scheduler = _is_torch_scheduler(schedule)
    if schedule is not None and not torch_scheduler and not callable(schedule):
        raise TypeError("schedule must be None, a callable step -> lr or a torch LR scheduler, "
                        f"got {type(schedule).__name__}")
    next_batch = _batch_source(batches)
    params = [p for group in optimizer.param_groups for p in group["params"]]

    history = History(loss=np.full(steps, np.nan), lr=np.full(steps, np.nan),
                      grad_norm=np.full(steps, np.nan))

    def run_eval(k):
        was_training = model.training
        model.eval()
        with torch.no_grad():
            result = eval_fn(model)
        model.train(was_training)
        result = result if isinstance(result, dict) else {"eval": result}
        history.eval_steps.append(k)
        for name, value in result.items():
            history.eval.setdefault(name, []).append(float(value))

    model.train()
    with _flush_denormals(), _progress_bar(steps, progress) as bar:
        if eval_fn is not None:
            run_eval(0)
        for k in range(steps):
            if schedule is not None and not torch_scheduler:
                lr = float(schedule(k))
                if not (math.isfinite(lr) and lr >= 0):
                    raise ValueError(f"schedule returned lr = {lr} at step {k}; "
                                     "it must be finite and >= 0")
                for group in optimizer.param_groups:
                    group["lr"] = lr
            history.lr[k] = optimizer.param_groups[0]["lr"]  # the lr this step's update uses

            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model, next_batch(k))
            if not (isinstance(loss, torch.Tensor) and loss.numel() == 1):
                raise TypeError("loss_fn must return a scalar tensor")
            loss.backward()
            history.loss[k] = loss.item()

            if clip_norm is not None:  # clip_grad_norm_ returns the norm before clipping
                norm = clipping.clip_grad_norm_foreach_(params, clip_norm)
            else:
                norm = clipping.global_grad_norm(params)
                if clip_value is not None:
                    clipping.clip_grad_value_(params, clip_value)
            history.grad_norm[k] = float(norm)

            if stop_on_divergence and not math.isfinite(history.loss[k]):
                break  # no update with a NaN gradient; the rest of the history stays NaN
            optimizer.step()
            if isinstance(schedule, torch.optim.lr_scheduler.ReduceLROnPlateau):
                schedule.step(history.loss[k])
            elif torch_scheduler:
                schedule.step()

            if eval_fn is not None and eval_every is not None and (k + 1) % eval_every == 0:
                run_eval(k + 1)
            if bar is not None:
                bar.update(1)
                if k % 50 == 0:
                    bar.set_postfix(loss=f"{history.loss[k]:.4g}", refresh=False)
        else:  # the loop ran to the end: measure the final model too
            if eval_fn is not None and history.eval_steps[-1] != steps:
                run_eval(steps)
    return history


# --------------------------------------------------------------------------- many runs at once
def train_grid(models, loss_fn, batches, make_optimizer, steps, lr, schedule=None, clip=None,
               eval_batch=None, eval_every=None, evaluate=None):
    """Train several models of one architecture side by side, as one batched model.

    A sweep over seeds and learning rates is a grid of tiny models: ``torch.func`` stacks
    their parameters (one leading dimension of size M) and ``vmap`` runs all M forward and
    backward passes as single tensor operations. Model m follows exactly the update it
    would get alone, step k being::

        α_{k,m} = lr[m] · schedule_m(k)             # schedule_m(k) = 1 without a schedule
        loss_m = loss_fn(model_m, batch_k); backward
        record loss_m, α_{k,m}, ‖g_m‖               # the norm before clipping
        clip(parameters of model m)                 # e.g. regkit.clipping.clip_grad_norm_
        θ_m ← θ_m + α_{k,m} · Δ_m                   # Δ_m: the optimizer's step at lr 1

    The last line is why ``make_optimizer(params, lr=1.0)`` may be any optimizer whose step
    is proportional to its learning rate (SGD with or without momentum, Adam, AdamW): the
    optimizer works elementwise, so one optimizer over the stacked tensors is M independent
    ones. A schedule-free optimizer (one with ``train()`` and ``eval()``, such as
    :class:`regkit.optim.ScheduleFreeSGD`) keeps iterates of its own, so its step is not
    proportional to lr: it is built again as ``make_optimizer(params, lr=<a tensor, one lr
    per model>)``, steps the parameters itself, takes no schedule, and records the γ_k it used
    (its warmup included) as the lr. It trains in train mode (the parameters hold y); every
    evaluation is made in eval mode, at x, the average (``eval_batch``'s loss at y goes to
    ``History.eval["loss_at_y"]``), and the models end holding x.
    ``schedule`` is one function ``step -> factor`` for all
    models or a list with one function (or None) per model. ``clip`` (one function for
    all, or a list with one function or None per model) gets model m's parameters as views
    whose ``.grad`` are views of the stacked gradients, so any regkit or torch clipping
    function works unchanged. All models see the same batch at each step.

    With ``eval_batch`` (e.g. the whole training set) and ``eval_every``, every model's
    ``loss_fn`` on that batch is recorded after 0, ``eval_every``, 2·``eval_every``, ...
    and ``steps`` updates, in ``History.eval["loss"]`` at ``History.eval_steps``. With
    ``evaluate(model, params)`` (and ``eval_every``), a function of one model and its
    parameters (a dict name → tensor) that returns a dict of 0-d tensors, every entry is
    recorded the same way in ``History.eval[name]``: it runs on all models at once, so write
    it for one (e.g. ``{"val_acc": (model(X_val).argmax(-1) == y_val).float().mean()}``).
    Pass the parameters or data it needs as arguments or closures, not as globals that
    change.

    A model whose loss stops being finite is frozen there; its history is NaN from that
    step on, as with ``train``. Returns one :class:`History` per model, with
    ``update_norm`` (‖θ_{k+1} − θ_k‖) and ``weight_norm`` (‖θ_{k+1}‖); afterwards each module
    in ``models`` holds its trained parameters.

    Example
    -------
    >>> def rnn(seed):
    ...     torch.manual_seed(seed); return TinyRNN(hidden_size=16, recurrent_scale=1.2)
    >>> lrs = [0.03, 0.1, 0.3]
    >>> runs = train_grid([rnn(s) for lr in lrs for s in range(4)], mse_loss,
    ...                   lambda k: adding_problem(32, seq_len=15, seed=k),
    ...                   functools.partial(torch.optim.SGD, momentum=0.9), steps=300,
    ...                   lr=[lr for lr in lrs for s in range(4)],
    ...                   clip=lambda params: clip_grad_norm_(params, 1.0))
    """
    import copy

    from torch.func import functional_call, stack_module_state, vmap
    from torch.nn.attention import SDPBackend, sdpa_kernel

    models = list(models)
    if not models or not all(isinstance(m, torch.nn.Module) for m in models):
        raise TypeError("models must be a non-empty list of torch modules of one architecture")
    n = len(models)
    steps = _check_steps(steps)
    lr = np.broadcast_to(np.asarray(lr, dtype=float), (n,)).copy()
    if not np.all(np.isfinite(lr) & (lr >= 0)):
        raise ValueError(f"lr must be finite numbers >= 0, one per model or one for all, got {lr}")
    schedules = list(schedule) if isinstance(schedule, (list, tuple)) else [schedule] * n
    if len(schedules) != n or not all(f is None or callable(f) for f in schedules):
        raise TypeError(f"schedule must be None, a callable step -> factor, or a list of {n} "
                        f"of them (None: the constant lr for that model)")
    distinct_schedules = {id(f): f for f in schedules if f is not None}
    if (eval_batch is None and evaluate is None) != (eval_every is None):
        raise TypeError("eval_every goes with eval_batch or evaluate (or both): give them "
                        "together or neither")
    if evaluate is not None and not callable(evaluate):
        raise TypeError("evaluate must be a function (model, params) -> dict of 0-d tensors")
    if eval_every is not None:
        eval_every = _check_steps(eval_every, "eval_every")
    clips = list(clip) if isinstance(clip, (list, tuple)) else [clip] * n
    if len(clips) != n or not all(c is None or callable(c) for c in clips):
        raise TypeError(f"clip must be None, a callable parameters -> anything, or a list of "
                        f"{n} of them (None: no clipping for that model)")
    next_batch = _batch_source(batches)

    params, buffers = stack_module_state(models)
    stacked = list(params.values())
    skeleton = copy.deepcopy(models[0]).to("meta")  # the architecture, without storage

    def one_loss(p, b, batch):
        return loss_fn(lambda *inputs: functional_call(skeleton, (p, b), inputs), batch)

    def grid_loss(params, buffers, batch):
        # vmap has no batching rule for CPU flash attention and would loop over the models;
        # the math kernel is plain matmuls and softmax, which vmap batches
        with sdpa_kernel(SDPBackend.MATH):
            return vmap(one_loss, in_dims=(0, 0, None))(params, buffers, batch)
    optimizer = make_optimizer(stacked, lr=1.0)
    schedule_free = callable(getattr(optimizer, "train", None)) and callable(getattr(optimizer, "eval", None))
    if schedule_free:  # its own iterates: it takes one lr per model, and no schedule
        if distinct_schedules:
            raise TypeError("schedule: a schedule-free optimizer takes none (its warmup_steps is its own)")
        optimizer = make_optimizer(stacked, lr=torch.as_tensor(lr, dtype=torch.float64))
        optimizer.train()
    per_model = [[p.detach()[m] for p in stacked] for m in range(n)]

    before = [torch.empty_like(p) for p in stacked]  # θ_k while the optimizer steps; scratch

    def per_model_norm(tensors):  # squares into the scratch: no new memory at every step
        return sum(torch.pow(t, 2, out=s).flatten(1).sum(1) for t, s in zip(tensors, before)).sqrt()

    record = {name: np.full((steps, n), np.nan)
              for name in ("loss", "lr", "grad_norm", "update_norm", "weight_norm")}
    alive = torch.ones(n, dtype=torch.bool)
    eval_steps, eval_records = [], []

    def one_evaluation(p, b):
        return evaluate(lambda *inputs: functional_call(skeleton, (p, b), inputs), p)

    def run_eval(k):
        with torch.no_grad():
            eval_steps.append(k)
            measured = {}
            if schedule_free:  # the parameters hold y; evaluate x, the average
                if eval_batch is not None:
                    measured["loss_at_y"] = grid_loss(params, buffers, eval_batch)
                optimizer.eval()
            if eval_batch is not None:
                measured["loss"] = grid_loss(params, buffers, eval_batch)
            if evaluate is not None:
                with sdpa_kernel(SDPBackend.MATH):
                    measured.update(vmap(one_evaluation)(params, buffers))
            if schedule_free:
                optimizer.train()
            eval_records.append({name: value.numpy().astype(float)
                                 for name, value in measured.items()})

    for module in models:
        module.train()
    with _flush_denormals():
        for k in range(steps):
            if eval_every is not None and k % eval_every == 0:
                run_eval(k)
            values = {key: float(f(k)) for key, f in distinct_schedules.items()}  # once per step
            factors = np.array([1.0 if f is None else values[id(f)] for f in schedules])
            step_lr = torch.as_tensor(lr * factors, dtype=stacked[0].dtype)
            optimizer.zero_grad(set_to_none=True)
            losses = grid_loss(params, buffers, next_batch(k))
            if losses.shape != (n,):
                raise TypeError("loss_fn must return a scalar tensor")
            losses.sum().backward()  # model m's loss depends on model m's slice only
            with torch.no_grad():
                finite = torch.isfinite(losses.detach())
                alive &= finite
                for name, value in (("loss", losses), ("lr", step_lr), ("grad_norm", per_model_norm(
                        [p.grad for p in stacked]))):
                    record[name][k] = value.detach().numpy()
                for m, clip_m in enumerate(clips):
                    if clip_m is not None:
                        for view, p in zip(per_model[m], stacked):
                            view.grad = p.grad[m]
                        clip_m(per_model[m])
                for p, old in zip(stacked, before):
                    old.copy_(p)
            optimizer.step()
            with torch.no_grad():
                everyone = bool(alive.all())
                scale = step_lr if everyone else torch.where(alive, step_lr, 0.0)
                for p, old in zip(stacked, before):
                    shape = (n,) + (1,) * (p.dim() - 1)
                    # θ ← θ_old + α·(θ_step − θ_old), each operation in place on θ_step
                    if not schedule_free:  # a schedule-free step used each model's lr itself
                        p.sub_(old).mul_(scale.view(shape)).add_(old)
                    if not everyone:  # a frozen model keeps θ_old
                        p.copy_(torch.where(alive.view(shape), p, old))
                # ‖θ_{k+1} − θ_k‖ in the buffer of θ_k: (θ_k − θ_{k+1})² is the same number
                record["update_norm"][k] = per_model_norm([old.sub_(p) for p, old in zip(stacked, before)])
                record["weight_norm"][k] = per_model_norm(stacked)
                if schedule_free:  # the γ_k each model's update used
                    record["lr"][k] = optimizer.param_groups[0]["last_lr"].numpy()
        if eval_every is not None:
            run_eval(steps)
        if schedule_free:
            optimizer.eval()  # the models end holding x
    with torch.no_grad():  # each model ends with its trained parameters, ready to evaluate
        for m, module in enumerate(models):
            for name, p in module.named_parameters():
                p.copy_(params[name][m])
    histories = []
    for m in range(n):
        columns = {name: values[:, m].copy() for name, values in record.items()}
        broken = np.flatnonzero(~np.isfinite(columns["loss"]))
        if broken.size:  # as train(): NaN from the first non-finite loss on
            for name in ("loss", "update_norm", "weight_norm"):
                columns[name][broken[0]:] = np.nan
            columns["grad_norm"][broken[0] + 1:] = np.nan
            columns["lr"][broken[0] + 1:] = np.nan
        history = History(**columns)
        if eval_every is not None:
            history.eval_steps = list(eval_steps)
            history.eval = {name: [float(record[name][m]) for record in eval_records]
                            for name in eval_records[0]}
        histories.append(history)
    return histories


def evaluate_accuracy(model, X, y, batch_size=None):
    """Share of examples whose highest logit is the right class (in ``eval`` mode, no grad).

    Works for ``(B, C)`` logits and for per-position ``(B, T, C)`` logits (every position
    counts).
    """
    was_training = model.training
    model.eval()
    correct = 0
    n = len(X)
    if n == 0:
        raise ValueError("X must not be empty")
    batch_size = n if batch_size is None else _check_steps(batch_size, name="batch_size")
    with torch.no_grad():
        for start in range(0, n, batch_size):
            pred = model(X[start:start + batch_size]).argmax(dim=-1)
            correct += (pred == y[start:start + batch_size]).sum().item()
    model.train(was_training)
    return correct / y.numel()


# --------------------------------------------------------------------------- helpers
def _check_steps(value, name="steps"):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def _check_clip(name, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number or None, got {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be finite and > 0, got {value}")
    return float(value)


@contextmanager
def _flush_denormals():
    """Flush subnormal floats (|x| < 1.2e-38) to zero while training.

    Saturated tanh units produce them in the backward pass, and on a CPU each operation on
    one can cost ~100 times a normal one: a run can slow 3-10x. Zero instead of 1e-40
    changes nothing that matters here. Afterwards torch's default (off) is restored.
    """
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)


@contextmanager
def _progress_bar(steps, progress):
    """A tqdm bar on stdout (stderr would fail the book build), or None."""
    if not progress:
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=steps, file=sys.stdout, mininterval=0.5, leave=False)
    try:
        yield bar
    finally:
        bar.close()


def _is_torch_scheduler(schedule):
    kinds = (torch.optim.lr_scheduler.LRScheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
    return isinstance(schedule, kinds)


def _batch_source(batches):
    """A function step -> batch, from a callable or from an iterable."""
    if callable(batches) and not hasattr(batches, "__next__"):
        return batches
    if isinstance(batches, tuple) and all(isinstance(t, torch.Tensor) for t in batches):
        # iterating (X, y) would give X, then y: almost surely not what was meant
        raise TypeError("batches: for full-batch training pass a callable, lambda k: (X, y)")
    if not hasattr(batches, "__iter__"):
        raise TypeError("batches must be an iterable of batches or a callable step -> batch")
    iterator = iter(batches)

    def next_batch(k):
        try:
            return next(iterator)
        except StopIteration:
            raise ValueError(f"batches ran out after {k} batches; pass an endless iterator "
                             "(regkit.data.batch_iterator) or a callable step -> batch") from None

    return next_batch
