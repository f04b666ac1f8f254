"""Benchmark regkit's hot paths against their targets; prints a Markdown table.

    python benchmarks/bench_regkit.py

- ``clipping.clip_grad_norm_`` vs ``torch.nn.utils.clip_grad_norm_`` on a model with
  100+ parameter tensors: target ≤ 1.1× torch's time (median of interleaved repeats).
- every schedule over 10^6 steps in one vectorised call: target ≤ 50 ms (median).

Not a test: timings depend on the machine. Runs in well under 30 s.
"""

import os
import platform
import statistics
import time

import numpy as np
import torch

from regkit import clipping, schedules

CLIP_TARGET_RATIO = 1.1
SCHEDULE_TARGET_MS = 50.0
MILLION = 1_000_000


def cpu_count():
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use, not the host's
    except AttributeError:
        return os.cpu_count() or 1


def model_with_gradients(n_layers=60, width=128):
    """A residual MLP with LayerNorms: 4 parameter tensors per layer (weight, bias, LN weight, LN bias)."""
    torch.manual_seed(0)
    layers = []
    for _ in range(n_layers):
        layers += [torch.nn.Linear(width, width), torch.nn.LayerNorm(width)]
    model = torch.nn.Sequential(*layers)
    model(torch.randn(32, width)).square().mean().backward()
    return model


def time_interleaved(functions, calls_per_repeat, repeats):
    """Median seconds per call of each function, the functions taking turns so that a
    slow moment of the machine hits all of them alike."""
    samples = [[] for _ in functions]
    for _ in range(repeats):
        for function, times in zip(functions, samples):
            started = time.perf_counter()
            for _ in range(calls_per_repeat):
                function()
            times.append((time.perf_counter() - started) / calls_per_repeat)
    return [statistics.median(times) for times in samples]


def bench_clipping():
    model = model_with_gradients()
    parameters = list(model.parameters())
    n_tensors = len(parameters)
    assert n_tensors >= 100
    ours = lambda: clipping.clip_grad_norm_(parameters, 1.0)  # noqa: E731
    theirs = lambda: torch.nn.utils.clip_grad_norm_(parameters, 1.0)  # noqa: E731
    for function in (ours, theirs):  # warm up (and clip once: afterwards the norm is ~1)
        function()
    our_time, their_time = time_interleaved([ours, theirs], calls_per_repeat=200, repeats=25)
    ratio = our_time / their_time
    verdict = "PASS" if ratio <= CLIP_TARGET_RATIO else "over"
    return (
        f"| `clipping.clip_grad_norm_` ({n_tensors} tensors) | {our_time * 1e6:.1f} µs "
        f"| torch {their_time * 1e6:.1f} µs, ratio {ratio:.2f}× | ≤ {CLIP_TARGET_RATIO}× torch | {verdict} |"
    )


SCHEDULE_CALLS = [
    ("constant", lambda t: schedules.constant(t, 0.1)),
    ("step_decay", lambda t: schedules.step_decay(t, 0.1, step_size=10_000, gamma=0.5)),
    ("multistep_decay", lambda t: schedules.multistep_decay(t, 0.1, milestones=[300_000, 600_000, 900_000])),
    ("exponential_decay", lambda t: schedules.exponential_decay(t, 0.1, gamma=0.99999)),
    ("linear_warmup", lambda t: schedules.linear_warmup(t, 0.1, warmup_steps=10_000)),
    ("cyclic (triangular)", lambda t: schedules.cyclic(t, 0.001, 0.1, step_size_up=2_000)),
    ("cyclic (triangular2)", lambda t: schedules.cyclic(t, 0.001, 0.1, step_size_up=2_000, mode="triangular2")),
    ("cyclic (exp_range)", lambda t: schedules.cyclic(t, 0.001, 0.1, 2_000, mode="exp_range", gamma=0.99999)),
    ("cosine_annealing", lambda t: schedules.cosine_annealing(t, 0.1, total_steps=MILLION)),
    ("cosine_with_restarts (m=1)", lambda t: schedules.cosine_with_restarts(t, 0.1, cycle_steps=10_000)),
    ("cosine_with_restarts (m=2)", lambda t: schedules.cosine_with_restarts(t, 0.1, 1_000, cycle_mult=2)),
    ("warmup_cosine", lambda t: schedules.warmup_cosine(t, 6e-4, 2_000, MILLION, min_lr=6e-5)),
    ("inverse_sqrt_warmup", lambda t: schedules.inverse_sqrt_warmup(t, d_model=512)),
]


def bench_schedules():
    steps = np.arange(MILLION)
    rows = []
    for name, schedule in SCHEDULE_CALLS:
        assert schedule(steps).shape == steps.shape  # also the warm-up call
        (seconds,) = time_interleaved([lambda: schedule(steps)], calls_per_repeat=1, repeats=9)
        verdict = "PASS" if seconds * 1e3 <= SCHEDULE_TARGET_MS else "over"
        rows.append(
            f"| `schedules.{name}`, 10^6 steps | {seconds * 1e3:.1f} ms | one vectorised call "
            f"| ≤ {SCHEDULE_TARGET_MS:.0f} ms | {verdict} |"
        )
    return rows


def main():
    threads = cpu_count()
    torch.set_num_threads(threads)
    started = time.perf_counter()
    rows = [bench_clipping(), *bench_schedules()]
    print(
        f"regkit benchmark: torch {torch.__version__}, NumPy {np.__version__}, Python "
        f"{platform.python_version()}, {threads} CPU thread(s), {platform.machine()}\n"
    )
    print("| what | median | compared with | target | result |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\n(total {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
