"""regkit.schedules against torch's schedulers and the Hugging Face / optax / nanoGPT formulas.

"Equal" for schedules means: within 1e-9 of the peak learning rate (the spec's
Conventions), over the whole range the contract names, boundary steps included.
"""

import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from regkit import optim as regkit_optim
from regkit import schedules as S
from regkit.third_party import (hf_cosine_with_warmup, hf_inverse_sqrt, nanogpt_get_lr,
                                optax_warmup_cosine_decay)

# Warnings raised while these tests run are failures: torch warns when a scheduler is
# misused, and regkit itself must not warn.
pytestmark = [pytest.mark.filterwarnings("error"), pytest.mark.usefixtures("one_torch_thread")]


FEW = settings(max_examples=25, deadline=None)

learning_rates = st.floats(1e-4, 10.0)


def test_torch_lrs_reads_the_rate_each_update_uses():
    """Update k uses the rate after k scheduler steps; torch's order, so torch does not warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch warns if scheduler.step() comes first
        lrs = S.torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5), 5, 0.1)
    np.testing.assert_allclose(lrs, [0.1, 0.1, 0.05, 0.05, 0.025], rtol=1e-15)
    assert S.torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9), 1).tolist() == [1.0]


def assert_schedule_equal(ours, reference, peak):
    """Equal to 1e-9 relative to the peak learning rate."""
    ours, reference = np.asarray(ours, dtype=float), np.asarray(reference, dtype=float)
    assert ours.shape == reference.shape
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-9 * peak + 1e-300)


# --------------------------------------------------------------------------- vs torch


@FEW
@given(base_lr=learning_rates, step_size=st.integers(1, 40), gamma=st.floats(0.05, 1.0))
def test_step_decay_equals_StepLR(base_lr, step_size, gamma):
    n = 4 * step_size + 3
    reference = S.torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size, gamma), n + 1, base_lr)
    ours = S.step_decay(np.arange(n + 1), base_lr, step_size, gamma)
    assert_schedule_equal(ours, reference, base_lr)


@FEW
@given(
    base_lr=learning_rates,
    milestones=st.lists(st.integers(1, 200), min_size=0, max_size=5, unique=True).map(sorted),
    gamma=st.floats(0.05, 1.0),
)
def test_multistep_decay_equals_MultiStepLR(base_lr, milestones, gamma):
    n = 210
    reference = S.torch_lrs(lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones, gamma), n + 1, base_lr)
    ours = S.multistep_decay(np.arange(n + 1), base_lr, milestones, gamma)
    assert_schedule_equal(ours, reference, base_lr)


@FEW
@given(base_lr=learning_rates, gamma=st.floats(0.9, 1.0))
def test_exponential_decay_equals_ExponentialLR(base_lr, gamma):
    n = 300
    reference = S.torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma), n + 1, base_lr)
    assert_schedule_equal(S.exponential_decay(np.arange(n + 1), base_lr, gamma), reference, base_lr)


@FEW
@given(base_lr=learning_rates, warmup_steps=st.integers(1, 100), start_factor=st.floats(0.01, 1.0))
def test_linear_warmup_equals_LinearLR(base_lr, warmup_steps, start_factor):
    n = warmup_steps + 20  # past the end of the warmup: it must hold base_lr
    reference = S.torch_lrs(
        lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor, 1.0, warmup_steps), n + 1, base_lr
    )
    ours = S.linear_warmup(np.arange(n + 1), base_lr, warmup_steps, start_factor)
    assert_schedule_equal(ours, reference, base_lr)


def test_linear_warmup_from_zero_and_without_warmup():
    assert S.linear_warmup(0, 0.1, warmup_steps=10) == 0.0
    assert S.linear_warmup(5, 0.1, warmup_steps=10) == pytest.approx(0.05, rel=1e-12)
    assert S.linear_warmup(10, 0.1, warmup_steps=10) == 0.1
    assert S.linear_warmup(10**9, 0.1, warmup_steps=10) == 0.1
    assert S.linear_warmup(0, 0.1, warmup_steps=0) == 0.1  # 0 means no warmup


@FEW
@given(
    base_lr=st.floats(0.0, 1.0),
    amplitude=st.floats(1e-3, 5.0),
    step_size_up=st.integers(1, 30),
    step_size_down=st.one_of(st.none(), st.integers(1, 30)),
    mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
    gamma=st.floats(0.9, 1.0),
)
def test_cyclic_equals_CyclicLR(base_lr, amplitude, step_size_up, step_size_down, mode, gamma):
    max_lr = base_lr + amplitude
    down = step_size_up if step_size_down is None else step_size_down
    n = 4 * (step_size_up + down) + 1  # four cycles and a step: triangular2 halves three times

    def make(optimizer):
        return torch.optim.lr_scheduler.CyclicLR(
            optimizer, base_lr, max_lr, step_size_up, step_size_down, mode, gamma, cycle_momentum=False
        )

    reference = S.torch_lrs(make, n + 1, base_lr)
    ours = S.cyclic(np.arange(n + 1), base_lr, max_lr, step_size_up, step_size_down, mode, gamma)
    assert_schedule_equal(ours, reference, max_lr)


def test_cyclic_turning_points():
    lr = lambda t, **kw: S.cyclic(t, 0.1, 1.1, step_size_up=4, step_size_down=6, **kw)  # noqa: E731
    assert lr(0) == 0.1 and lr(4) == pytest.approx(1.1) and lr(10) == pytest.approx(0.1)
    assert lr(14, mode="triangular2") == pytest.approx(0.6)  # second cycle: half the amplitude
    assert lr(4, mode="exp_range", gamma=0.5) == pytest.approx(0.1 + 1.0 * 0.5**4)


@FEW
@given(base_lr=learning_rates, total_steps=st.integers(1, 300), min_fraction=st.floats(0.0, 1.0))
def test_cosine_annealing_equals_CosineAnnealingLR_up_to_T(base_lr, total_steps, min_fraction):
    min_lr = base_lr * min_fraction
    reference = S.torch_lrs(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, total_steps, min_lr), total_steps + 1, base_lr
    )
    ours = S.cosine_annealing(np.arange(total_steps + 1), base_lr, total_steps, min_lr)
    assert_schedule_equal(ours, reference, base_lr)


def test_cosine_annealing_holds_min_lr_where_torch_climbs_back():
    total_steps, min_lr = 10, 0.01
    reference = S.torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, total_steps, min_lr), 16)
    ours = S.cosine_annealing(np.arange(16), 1.0, total_steps, min_lr)
    assert np.all(ours[total_steps:] == min_lr)
    assert reference[15] > 0.1  # torch's cosine is periodic: after T it rises again


@FEW
@given(
    base_lr=learning_rates,
    cycle_steps=st.integers(1, 12),
    cycle_mult=st.integers(1, 3),
    min_fraction=st.floats(0.0, 1.0),
)
def test_cosine_with_restarts_equals_CosineAnnealingWarmRestarts(base_lr, cycle_steps, cycle_mult, min_fraction):
    min_lr = base_lr * min_fraction
    n = 400  # several restarts for every cycle_mult drawn

    def make(optimizer):
        return torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, cycle_steps, cycle_mult, min_lr)

    reference = S.torch_lrs(make, n + 1, base_lr)
    ours = S.cosine_with_restarts(np.arange(n + 1), base_lr, cycle_steps, cycle_mult, min_lr)
    assert_schedule_equal(ours, reference, base_lr)


def sgdr_reference(step, cycle_steps, cycle_mult):
    """Steps since the last restart and the cycle length, by walking cycle by cycle in Python ints."""
    start, length = 0, cycle_steps
    while start + length <= step:
        start, length = start + length, length * cycle_mult
    return step - start, length


@pytest.mark.parametrize("cycle_steps, cycle_mult", [(1, 2), (3, 2), (1, 3), (5, 3), (2, 7), (1, 10)])
def test_cosine_with_restarts_exact_at_restart_boundaries(cycle_steps, cycle_mult):
    # The cycle index comes from a log; at an exact restart step a float log can land on
    # the wrong side. Every restart up to 2**50 (and its neighbours) must be exact.
    steps, start, length = [], 0, cycle_steps
    while start < 2**50:
        steps += [start - 1, start, start + 1] if start else [0, 1]
        start, length = start + length, length * cycle_mult
    steps = np.array(steps, dtype=np.int64)
    ours = S.cosine_with_restarts(steps, 1.0, cycle_steps, cycle_mult)
    for step, lr in zip(steps.tolist(), ours):
        t_cur, t_i = sgdr_reference(step, cycle_steps, cycle_mult)
        assert lr == (1 + math.cos(math.pi * t_cur / t_i)) / 2, step
    restarts = steps[::3]  # steps is [0, 1, S_1 - 1, S_1, S_1 + 1, S_2 - 1, S_2, ...]
    assert len(restarts) > 10
    assert np.all(S.cosine_with_restarts(restarts, 1.0, cycle_steps, cycle_mult) == 1.0)


# --------------------------------------------------------------------------- warmup + cosine


def boundary_steps(warmup_steps, total_steps):
    return sorted({0, 1, max(warmup_steps - 1, 0), warmup_steps, warmup_steps + 1,
                   total_steps - 1, total_steps, total_steps + 1, 2 * total_steps, 10**7})


@FEW
@given(base_lr=learning_rates, warmup_steps=st.integers(0, 60), decay_steps=st.integers(1, 200))
def test_warmup_cosine_equals_hugging_face_up_to_T(base_lr, warmup_steps, decay_steps):
    total_steps = warmup_steps + decay_steps
    steps = np.arange(total_steps + 1)
    reference = [base_lr * hf_cosine_with_warmup(t, num_warmup_steps=warmup_steps,
                                                 num_training_steps=total_steps) for t in steps]
    assert_schedule_equal(S.warmup_cosine(steps, base_lr, warmup_steps, total_steps), reference, base_lr)


@FEW
@given(
    base_lr=learning_rates,
    warmup_steps=st.integers(0, 60),
    decay_steps=st.integers(1, 200),
    min_fraction=st.floats(0.0, 1.0),
)
def test_warmup_cosine_equals_optax_everywhere(base_lr, warmup_steps, decay_steps, min_fraction):
    total_steps, min_lr = warmup_steps + decay_steps, base_lr * min_fraction
    steps = np.array(sorted(set(range(total_steps + 20)) | set(boundary_steps(warmup_steps, total_steps))))
    reference = [optax_warmup_cosine_decay(t, 0.0, base_lr, warmup_steps, total_steps, min_lr) for t in steps]
    ours = S.warmup_cosine(steps, base_lr, warmup_steps, total_steps, min_lr)
    assert_schedule_equal(ours, reference, base_lr)


@FEW
@given(base_lr=learning_rates, warmup_steps=st.integers(1, 60), decay_steps=st.integers(1, 200))
def test_warmup_cosine_equals_nanogpt_get_lr_after_its_warmup(base_lr, warmup_steps, decay_steps):
    total_steps, min_lr = warmup_steps + decay_steps, 0.1 * base_lr  # GPT-3: decay to 10%
    steps = sorted(set(range(total_steps + 5)) | set(boundary_steps(warmup_steps, total_steps)))
    reference = np.array([nanogpt_get_lr(t, base_lr, warmup_steps, total_steps, min_lr) for t in steps])
    ours = S.warmup_cosine(np.array(steps), base_lr, warmup_steps, total_steps, min_lr)
    after = np.array(steps) >= warmup_steps  # equal from T_w on; in the warmup nanoGPT is ahead
    assert_schedule_equal(ours[after], reference[after], base_lr)
    ahead = reference[~after] - ours[~after]
    assert np.all(ahead > 0) and np.all(ahead <= base_lr / (warmup_steps + 1) * (1 + 1e-12))


@pytest.mark.parametrize("warmup_steps, total_steps, min_lr_rate", [(0, 50, 0.0), (10, 100, 0.0), (7, 40, 0.1)])
def test_hugging_face_transcriptions_equal_transformers(warmup_steps, total_steps, min_lr_rate):
    from transformers.optimization import (get_cosine_with_min_lr_schedule_with_warmup,
                                           get_inverse_sqrt_schedule)

    steps = np.arange(3 * total_steps)
    real = S.torch_lrs(lambda o: get_cosine_with_min_lr_schedule_with_warmup(
        o, warmup_steps, total_steps, min_lr_rate=min_lr_rate), len(steps), 1.0)
    ours = [hf_cosine_with_warmup(t, num_warmup_steps=warmup_steps, num_training_steps=total_steps,
                                  min_lr_rate=min_lr_rate) for t in steps]
    assert_schedule_equal(ours, real, 1.0)
    for timescale in (None, 25):
        real = S.torch_lrs(lambda o: get_inverse_sqrt_schedule(o, warmup_steps, timescale), 200, 1.0)
        ours = [hf_inverse_sqrt(t, num_warmup_steps=warmup_steps, timescale=timescale) for t in range(200)]
        assert_schedule_equal(ours, real, 1.0)


def test_warmup_cosine_boundaries():
    lr = lambda t: S.warmup_cosine(t, 0.6, warmup_steps=10, total_steps=110, min_lr=0.06)  # noqa: E731
    assert lr(0) == 0.0  # the first update uses lr 0, as in HF and optax
    assert lr(5) == pytest.approx(0.3, rel=1e-12)
    assert lr(10) == pytest.approx(0.6, rel=1e-15)  # the peak, at the end of the warmup
    assert lr(60) == pytest.approx(0.33, rel=1e-12)  # half way down the cosine
    assert lr(110) == pytest.approx(0.06, rel=1e-12)
    assert lr(111) == lr(10**9) == 0.06


def test_warmup_cosine_without_warmup_is_cosine_annealing():
    steps = np.arange(130)
    np.testing.assert_array_equal(
        S.warmup_cosine(steps, 0.3, 0, 100, 0.01), S.cosine_annealing(steps, 0.3, 100, 0.01)
    )


def test_inverse_sqrt_warmup_is_vaswani_formula():
    d_model, warmup = 512, 4000
    for step in [0, 1, 2000, 3998, 3999, 4000, 10**5, 10**7]:
        step_num = step + 1  # the paper counts from 1
        expected = d_model**-0.5 * min(step_num**-0.5, step_num * warmup**-1.5)
        assert S.inverse_sqrt_warmup(step, d_model) == pytest.approx(expected, rel=1e-12)
    peak = S.inverse_sqrt_warmup(warmup - 1, d_model)
    lrs = S.inverse_sqrt_warmup(np.arange(20_000), d_model)
    assert lrs.max() == peak and int(lrs.argmax()) == warmup - 1
    assert S.inverse_sqrt_warmup(0, 64, warmup_steps=0, scale=2.0) == pytest.approx(2.0 / 8)
    assert S.inverse_sqrt_warmup(99, 64, warmup_steps=0) == pytest.approx(1 / 8 / 10)


@FEW
@given(base_lr=learning_rates, warmup_steps=st.integers(0, 60), decay_steps=st.integers(1, 200))
def test_warmup_linear_equals_hugging_face_everywhere(base_lr, warmup_steps, decay_steps):
    from transformers.optimization import get_linear_schedule_with_warmup

    total_steps = warmup_steps + decay_steps
    reference = S.torch_lrs(lambda o: get_linear_schedule_with_warmup(o, warmup_steps, total_steps),
                            total_steps + 30, base_lr)
    steps = np.arange(total_steps + 30)
    assert_schedule_equal(S.warmup_linear(steps, base_lr, warmup_steps, total_steps), reference, base_lr)


def test_warmup_linear_ends_at_min_lr():
    lrs = S.warmup_linear(np.arange(12), 1.0, warmup_steps=2, total_steps=10, min_lr=0.2)
    assert lrs[2] == 1.0 and np.isclose(lrs[6], 0.6) and np.all(lrs[10:] == 0.2)
    assert np.all(np.diff(lrs[2:11]) < 0)


@FEW
@given(
    base_lr=learning_rates,
    warmup_steps=st.integers(0, 40),
    stable_steps=st.integers(0, 100),
    decay_steps=st.integers(1, 100),
    decay=st.sampled_from(["linear", "cosine", "1-sqrt"]),
    min_fraction=st.sampled_from([0.0, 0.1, 0.37]),
)
def test_warmup_stable_decay_equals_hugging_face_wsd(base_lr, warmup_steps, stable_steps, decay_steps, decay,
                                                     min_fraction):
    from transformers.optimization import get_wsd_schedule

    total_steps = warmup_steps + stable_steps + decay_steps
    reference = S.torch_lrs(lambda o: get_wsd_schedule(
        o, num_warmup_steps=warmup_steps, num_decay_steps=decay_steps, num_training_steps=total_steps,
        decay_type=decay, min_lr_ratio=min_fraction), total_steps + 30, base_lr)
    steps = np.arange(total_steps + 30)
    ours = S.warmup_stable_decay(steps, base_lr, warmup_steps, decay_steps, total_steps,
                                 min_lr=base_lr * min_fraction, decay=decay)
    # equal everywhere without a floor; with one, from T_w on (HF's warmup starts at the floor)
    compared = slice(0 if min_fraction == 0 else warmup_steps, None)
    assert_schedule_equal(ours[compared], np.asarray(reference)[compared], base_lr)


def test_warmup_stable_decay_holds_the_peak_then_cools_down():
    lrs = S.warmup_stable_decay(np.arange(25), 2.0, warmup_steps=4, decay_steps=10, total_steps=20, decay="1-sqrt")
    assert lrs[0] == 0.0 and np.isclose(lrs[2], 1.0)
    assert np.all(lrs[4:10] == 2.0) and np.isclose(lrs[10 + 4], 2.0 * (1 - np.sqrt(0.4)))
    assert np.all(lrs[20:] == 0.0)
    # the stable phase does not depend on the budget: a longer run shares it
    longer = S.warmup_stable_decay(np.arange(40), 2.0, warmup_steps=4, decay_steps=10, total_steps=40)
    assert np.array_equal(lrs[:10], longer[:10])


def test_constant():
    assert S.constant(0, 0.1) == S.constant(10**12, 0.1) == 0.1
    assert S.constant(np.zeros((2, 3), dtype=int), 0.1).shape == (2, 3)


# --------------------------------------------------------------------------- arrays


SCHEDULES = [
    (S.constant, dict(base_lr=0.1)),
    (S.step_decay, dict(base_lr=0.1, step_size=7, gamma=0.5)),
    (S.multistep_decay, dict(base_lr=0.1, milestones=[5, 20, 21])),
    (S.exponential_decay, dict(base_lr=0.1, gamma=0.97)),
    (S.linear_warmup, dict(base_lr=0.1, warmup_steps=15, start_factor=0.1)),
    (S.cyclic, dict(base_lr=0.01, max_lr=0.1, step_size_up=4, step_size_down=7, mode="triangular2")),
    (S.cyclic, dict(base_lr=0.01, max_lr=0.1, step_size_up=4, mode="exp_range", gamma=0.98)),
    (S.cosine_annealing, dict(base_lr=0.1, total_steps=30, min_lr=0.01)),
    (S.cosine_with_restarts, dict(base_lr=0.1, cycle_steps=3, cycle_mult=2, min_lr=0.001)),
    (S.warmup_cosine, dict(base_lr=0.1, warmup_steps=5, total_steps=40, min_lr=0.01)),
    (S.warmup_linear, dict(base_lr=0.1, warmup_steps=5, total_steps=40, min_lr=0.01)),
    (S.warmup_stable_decay, dict(base_lr=0.1, warmup_steps=5, decay_steps=10, total_steps=40, min_lr=0.01,
                                 decay="cosine")),
    (S.inverse_sqrt_warmup, dict(d_model=64, warmup_steps=10)),
]
SCHEDULE_IDS = [f"{f.__name__}-{i}" for i, (f, _) in enumerate(SCHEDULES)]


@pytest.mark.parametrize("schedule, kwargs", SCHEDULES, ids=SCHEDULE_IDS)
def test_array_equals_scalars_and_keeps_shape(schedule, kwargs):
    steps = np.arange(60).reshape(3, 4, 5)
    lrs = schedule(steps, **kwargs)
    assert isinstance(lrs, np.ndarray) and lrs.shape == steps.shape and lrs.dtype == np.float64
    scalars = np.array([schedule(int(t), **kwargs) for t in steps.ravel()]).reshape(steps.shape)
    np.testing.assert_array_equal(lrs, scalars)
    one = schedule(7, **kwargs)
    assert type(one) is float
    assert type(schedule(np.int32(7), **kwargs)) is float and schedule(np.int32(7), **kwargs) == one
    assert schedule(np.array(7), **kwargs).shape == ()
    np.testing.assert_array_equal(schedule(steps.astype(np.uint16), **kwargs), lrs)
    assert schedule(np.array([], dtype=int), **kwargs).shape == (0,)


@pytest.mark.parametrize("schedule, kwargs", SCHEDULES, ids=SCHEDULE_IDS)
def test_schedules_are_finite_and_non_negative(schedule, kwargs):
    lrs = schedule(np.arange(2000), **kwargs)
    assert np.all(np.isfinite(lrs)) and np.all(lrs >= 0)


# --------------------------------------------------------------------------- as_scheduler


AS_SCHEDULER_CASES = [
    (S.step_decay, dict(step_size=3, gamma=0.5)),
    (S.multistep_decay, dict(milestones=[2, 9])),
    (S.linear_warmup, dict(warmup_steps=5)),
    (S.cyclic, dict(max_lr=2.0, step_size_up=3, mode="triangular2")),
    (S.cosine_annealing, dict(total_steps=10, min_lr=0.0)),
    (S.cosine_with_restarts, dict(cycle_steps=2, cycle_mult=2)),
    (S.warmup_cosine, dict(warmup_steps=3, total_steps=12)),
    (S.inverse_sqrt_warmup, dict(d_model=16, warmup_steps=4)),
]


@pytest.mark.parametrize("schedule, kwargs", AS_SCHEDULER_CASES, ids=[f.__name__ for f, _ in AS_SCHEDULER_CASES])
@pytest.mark.parametrize("optimizer_class", [torch.optim.SGD, regkit_optim.SGD])
def test_as_scheduler_sets_every_group_from_its_initial_lr(schedule, kwargs, optimizer_class):
    a, b = torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(3))
    optimizer = optimizer_class([{"params": [a], "lr": 0.5}, {"params": [b], "lr": 0.05}], lr=0.1)
    scheduler = S.as_scheduler(optimizer, schedule, **kwargs)
    takes_base_lr = schedule is not S.inverse_sqrt_warmup
    for k in range(20):
        for group, initial_lr in zip(optimizer.param_groups, [0.5, 0.05]):
            expected = schedule(k, base_lr=initial_lr, **kwargs) if takes_base_lr else schedule(k, **kwargs)
            assert group["lr"] == expected
        assert scheduler.get_last_lr() == [g["lr"] for g in optimizer.param_groups]
        optimizer.step()
        scheduler.step()


def test_as_scheduler_matches_torch_scheduler_in_a_training_loop():
    torch.manual_seed(0)
    models = [torch.nn.Linear(3, 1) for _ in range(2)]
    models[1].load_state_dict(models[0].state_dict())
    optimizers = [torch.optim.SGD(m.parameters(), lr=0.2, momentum=0.9) for m in models]
    schedulers = [
        S.as_scheduler(optimizers[0], S.cosine_annealing, total_steps=25),
        torch.optim.lr_scheduler.CosineAnnealingLR(optimizers[1], T_max=25),
    ]
    x, y = torch.randn(16, 3), torch.randn(16, 1)
    for _ in range(25):
        for model, optimizer, scheduler in zip(models, optimizers, schedulers):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()
            scheduler.step()
    for p, q in zip(models[0].parameters(), models[1].parameters()):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-7)
