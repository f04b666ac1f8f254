"""Every argument outside its range raises ValueError/TypeError naming that argument.

The table: for each public function, arguments that work, then one bad value at a time.
The ranges are the spec's Conventions (learning rates finite and >= 0, step counts
positive integers, ...). Where torch accepts nonsense (a negative max_norm flips every
gradient, a negative clip_value overwrites every element), regkit raises.
"""

import math
import re

import numpy as np
import pytest
import torch

from regkit import clipping as C
from regkit import optim as O
from regkit import regularization as R
from regkit import schedules as S

pytestmark = pytest.mark.filterwarnings("error")

NAN, INF = math.nan, math.inf

# Bad values by kind of argument.
BAD_STEP = [-1, 1.5, 2.0, True, "3", None, np.array([0, -1]), np.array([0.5]), [1, -2], 2**53, np.float64(3.0)]
BAD_LR = [-0.1, NAN, INF, -INF, "0.1", None, True]
BAD_COUNT = [0, -3, 2.5, 10.0, True, None, "5"]  # positive integers
BAD_WARMUP = [-1, 1.5, True, None]  # integers >= 0
BAD_GAMMA = [0, 0.0, -0.5, NAN, INF, None]
BAD_POSITIVE = [0, 0.0, -1.0, NAN, INF, "1", None, True]  # max_norm, threshold, clip_value
BAD_NONNEGATIVE = [-1e-3, NAN, INF, "0.1", None]  # lam, l2, weight_decay
BAD_PARAMETERS = [5, "weights", [1.0, 2.0], None]
# l2 / weight_decay as one value per stacked model: 1-D, floating point, finite, >= 0
BAD_PER_MODEL = [torch.tensor([[0.1]]), torch.tensor([1]), torch.tensor([0.1, -0.1]), torch.tensor([NAN])]
BAD_NORM_TYPE = [0.5, 0, -1.0, NAN, "two", None]


def parameter_with_grad():
    p = torch.nn.Parameter(torch.zeros(3))
    p.grad = torch.ones(3)
    return p


# (function, arguments that work, {argument: bad values}); arguments may be built by a
# function, so that every call gets fresh tensors.
TABLE = [
    (S.constant, dict(step=3, base_lr=0.1), dict(step=BAD_STEP, base_lr=BAD_LR)),
    (S.step_decay, dict(step=3, base_lr=0.1, step_size=2, gamma=0.5),
     dict(step=BAD_STEP, base_lr=BAD_LR, step_size=BAD_COUNT, gamma=BAD_GAMMA)),
    (S.multistep_decay, dict(step=3, base_lr=0.1, milestones=[2, 5], gamma=0.5),
     dict(step=BAD_STEP, base_lr=BAD_LR, gamma=BAD_GAMMA,
          milestones=[[0], [5, 3], [3, 3], [1.5], 5, "abc", [-1], [True], None])),
    (S.exponential_decay, dict(step=3, base_lr=0.1, gamma=0.9),
     dict(step=BAD_STEP, base_lr=BAD_LR, gamma=BAD_GAMMA)),
    (S.linear_warmup, dict(step=3, base_lr=0.1, warmup_steps=5, start_factor=0.1),
     dict(step=BAD_STEP, base_lr=BAD_LR, warmup_steps=BAD_WARMUP, start_factor=[-0.1, 1.5, NAN, None])),
    (S.cyclic,
     dict(step=3, base_lr=0.01, max_lr=0.1, step_size_up=4, step_size_down=2, mode="triangular", gamma=1.0),
     dict(step=BAD_STEP, base_lr=BAD_LR, max_lr=BAD_LR, step_size_up=BAD_COUNT,
          step_size_down=[0, -1, 2.5, True, "2"], mode=["triangle", None, "TRIANGULAR"], gamma=BAD_GAMMA)),
    (S.cyclic, dict(step=3, base_lr=0.01, max_lr=0.1, step_size_up=4, mode="exp_range", gamma=0.99),
     dict(gamma=[1.5, 0.0, NAN])),  # exp_range needs gamma in (0, 1]
    (S.cosine_annealing, dict(step=3, base_lr=0.1, total_steps=10, min_lr=0.01),
     dict(step=BAD_STEP, base_lr=BAD_LR, total_steps=BAD_COUNT, min_lr=[-0.01, 0.2, NAN, None])),
    (S.cosine_with_restarts, dict(step=3, base_lr=0.1, cycle_steps=10, cycle_mult=2, min_lr=0.0),
     dict(step=BAD_STEP + [2**61], base_lr=BAD_LR, cycle_steps=BAD_COUNT + [2**62],
          cycle_mult=BAD_COUNT + [2**62], min_lr=[-0.01, 0.2, NAN])),
    # Steps so large that the exact int64 cycle arithmetic would overflow are refused.
    (S.cosine_with_restarts, dict(step=2**52 - 1, base_lr=0.1, cycle_steps=1, cycle_mult=2),
     dict(cycle_mult=[1024])),
    (S.cosine_with_restarts, dict(step=0, base_lr=0.1, cycle_steps=1, cycle_mult=2**12),
     dict(step=[2**52 - 1, np.array([0, 2**51], dtype=np.int64)])),
    (S.warmup_cosine, dict(step=3, base_lr=0.1, warmup_steps=2, total_steps=10, min_lr=0.01),
     dict(step=BAD_STEP, base_lr=BAD_LR, warmup_steps=BAD_WARMUP + [10, 11], total_steps=BAD_COUNT,
          min_lr=[-0.01, 0.2, NAN])),
    (S.warmup_linear, dict(step=3, base_lr=0.1, warmup_steps=2, total_steps=10, min_lr=0.01),
     dict(step=BAD_STEP, base_lr=BAD_LR, warmup_steps=BAD_WARMUP + [10, 11], total_steps=BAD_COUNT,
          min_lr=[-0.01, 0.2, NAN])),
    (S.warmup_stable_decay, dict(step=3, base_lr=0.1, warmup_steps=2, decay_steps=4, total_steps=10, min_lr=0.01),
     dict(step=BAD_STEP, base_lr=BAD_LR, warmup_steps=BAD_WARMUP + [10, 11], total_steps=BAD_COUNT,
          decay_steps=[0, 9, -1, 2.5, None], min_lr=[-0.01, 0.2, NAN], decay=["cos", None, "Linear"])),
    (S.inverse_sqrt_warmup, dict(step=3, d_model=512, warmup_steps=4000, scale=1.0),
     dict(step=BAD_STEP, d_model=BAD_COUNT, warmup_steps=BAD_WARMUP, scale=[-1.0, NAN, INF, None])),
    (C.clip_by_norm, dict(g=np.ones(3), threshold=1.0),
     dict(g=["abc", [[1.0, 2.0], [3.0]], np.array(["a"]), [1.0, INF], [NAN], None, [1 + 2j]],
          threshold=BAD_POSITIVE)),
    (C.global_grad_norm, lambda: dict(parameters=[parameter_with_grad()], norm_type=2.0),
     dict(parameters=BAD_PARAMETERS, norm_type=BAD_NORM_TYPE)),
    (C.clip_grad_norm_, lambda: dict(parameters=[parameter_with_grad()], max_norm=1.0, norm_type=2.0,
                                     error_if_nonfinite=False),
     dict(parameters=BAD_PARAMETERS, max_norm=BAD_POSITIVE, norm_type=BAD_NORM_TYPE,
          error_if_nonfinite=["yes", 1, None])),
    (C.clip_grad_value_, lambda: dict(parameters=[parameter_with_grad()], clip_value=1.0),
     dict(parameters=BAD_PARAMETERS, clip_value=BAD_POSITIVE)),
    (C.clip_grad_norm_per_tensor_, lambda: dict(parameters=[parameter_with_grad()], max_norm=1.0),
     dict(parameters=BAD_PARAMETERS, max_norm=BAD_POSITIVE)),
    (C.clip_grad_norm_foreach_, lambda: dict(parameters=[parameter_with_grad()], max_norm=1.0, norm_type=2.0,
                                             error_if_nonfinite=False),
     dict(parameters=BAD_PARAMETERS, max_norm=BAD_POSITIVE, norm_type=BAD_NORM_TYPE,
          error_if_nonfinite=["yes", 1, None])),
    (C.adaptive_clip_grad_, lambda: dict(parameters=[parameter_with_grad()], clip_factor=0.01, eps=1e-3),
     dict(parameters=BAD_PARAMETERS, clip_factor=BAD_POSITIVE, eps=BAD_NONNEGATIVE)),
    (C.clip_grad_norm_sharded_, lambda: dict(parameters=[parameter_with_grad()], max_norm=1.0),
     dict(parameters=BAD_PARAMETERS, max_norm=BAD_POSITIVE)),
    (R.l2_penalty, lambda: dict(parameters=[torch.ones(2)], lam=0.1),
     dict(parameters=BAD_PARAMETERS, lam=BAD_NONNEGATIVE)),
    (R.l1_penalty, lambda: dict(parameters=[torch.ones(2)], lam=0.1),
     dict(parameters=BAD_PARAMETERS, lam=BAD_NONNEGATIVE)),
    (R.soft_threshold, lambda: dict(w=torch.ones(2), threshold=0.1),
     dict(w=[[1.0, 2.0], 1.0, None], threshold=BAD_NONNEGATIVE)),
    (R.weight_norm, lambda: dict(model=torch.nn.Linear(2, 2)),
     dict(model=["model", [torch.nn.Parameter(torch.ones(2, 2))], None])),
    (R.decay_param_groups, lambda: dict(model=torch.nn.Linear(2, 2), weight_decay=0.1),
     dict(model=["model", [torch.nn.Parameter(torch.ones(2))], None], weight_decay=BAD_NONNEGATIVE)),
    (O.SGD,
     lambda: dict(params=[torch.nn.Parameter(torch.ones(2))], lr=0.1, momentum=0.9, l2=0.0, weight_decay=0.0),
     dict(lr=BAD_LR, momentum=[-0.1, 1.0, 1.5, NAN, None], l2=BAD_NONNEGATIVE + BAD_PER_MODEL,
          weight_decay=BAD_NONNEGATIVE + BAD_PER_MODEL)),
    (O.Adam, lambda: dict(params=[torch.nn.Parameter(torch.ones(2))], lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                          l2=0.0, weight_decay=0.0),
     dict(lr=BAD_LR,
          betas=[(1.0, 0.999), (0.9, 1.0), (-0.1, 0.9), (0.9, NAN), 0.9, (0.9,), (0.9, 0.99, 0.9), None],
          eps=[0.0, -1e-8, NAN, INF, None], l2=BAD_NONNEGATIVE + BAD_PER_MODEL,
          weight_decay=BAD_NONNEGATIVE + BAD_PER_MODEL)),
    (O.ScheduleFreeSGD, lambda: dict(params=[torch.nn.Parameter(torch.ones(2))], lr=0.1, momentum=0.9,
                                     weight_decay=0.0, warmup_steps=0),
     dict(lr=BAD_LR, momentum=[-0.1, 1.0, NAN, None], weight_decay=BAD_NONNEGATIVE,
          warmup_steps=[-1, 2.5, None, True])),
    (O.ScheduleFreeAdamW, lambda: dict(params=[torch.nn.Parameter(torch.ones(2))], lr=0.0025, betas=(0.9, 0.999),
                                       eps=1e-8, weight_decay=0.0, warmup_steps=0),
     dict(lr=BAD_LR, betas=[(1.0, 0.999), (0.9, NAN), 0.9, None], eps=[0.0, NAN, None],
          weight_decay=BAD_NONNEGATIVE, warmup_steps=[-1, 2.5])),
]


def cases():
    for function, good, bad in TABLE:
        for name, values in bad.items():
            for i, value in enumerate(values):
                label = f"{function.__name__}-{name}-{i}"
                yield pytest.param(function, good, name, value, id=label)


def assert_names(error, name):
    message = str(error.value)
    assert re.search(rf"\b{re.escape(name)}\b", message), f"{name!r} not named in: {message}"
    assert "must" in message, message  # ... and says what it must be


@pytest.mark.parametrize("function, good, name, value", list(cases()))
def test_bad_argument_raises_and_names_it(function, good, name, value):
    arguments = good() if callable(good) else dict(good)
    arguments[name] = value
    with pytest.raises((ValueError, TypeError)) as error:
        function(**arguments)
    assert_names(error, name)


@pytest.mark.parametrize("function, good", [pytest.param(f, g, id=f.__name__) for f, g, _ in TABLE])
def test_the_good_arguments_are_good(function, good):
    # The table's baseline must work, or every "bad" case above would pass for the wrong reason.
    function(**(good() if callable(good) else dict(good)))


@pytest.mark.parametrize(
    "optimizer_class, setting, value",
    [(O.SGD, "lr", -1.0), (O.SGD, "momentum", 1.0), (O.SGD, "l2", -0.1), (O.SGD, "weight_decay", NAN),
     (O.Adam, "lr", INF), (O.Adam, "betas", (0.9, 1.5)), (O.Adam, "eps", 0.0), (O.Adam, "weight_decay", -1.0)],
)
def test_bad_per_group_setting_is_refused(optimizer_class, setting, value):
    good, bad = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    with pytest.raises((ValueError, TypeError)) as error:
        optimizer_class([{"params": [good]}, {"params": [bad], setting: value}], lr=0.1)
    assert_names(error, setting)
    optimizer = optimizer_class([good], lr=0.1)
    with pytest.raises((ValueError, TypeError)) as error:
        optimizer.add_param_group({"params": [bad], setting: value})
    assert_names(error, setting)
    assert len(optimizer.param_groups) == 1  # the bad group was not added


def sgd():
    return torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1)


@pytest.mark.parametrize(
    "make_arguments, name",
    [
        (lambda: dict(optimizer="sgd", schedule=S.constant), "optimizer"),
        (lambda: dict(optimizer=sgd(), schedule=42), "schedule"),
        (lambda: dict(optimizer=sgd(), schedule=S.cosine_annealing, base_lr=0.1, total_steps=10), "base_lr"),
        (lambda: dict(optimizer=sgd(), schedule=S.cosine_annealing, total_steps=0), "total_steps"),
        (lambda: dict(optimizer=sgd(), schedule=S.warmup_cosine, warmup_steps=10, total_steps=10),
         "warmup_steps"),
    ],
)
def test_as_scheduler_bad_arguments(make_arguments, name):
    with pytest.raises((ValueError, TypeError)) as error:
        S.as_scheduler(**make_arguments())
    assert_names(error, name)


def step_lr(optimizer):
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=2)


@pytest.mark.parametrize(
    "make_arguments, name",
    [(lambda bad=bad: dict(make_scheduler=step_lr, steps=bad), "steps") for bad in BAD_COUNT]
    + [(lambda bad=bad: dict(make_scheduler=step_lr, steps=3, base_lr=bad), "base_lr")
       for bad in BAD_LR]
    + [(lambda: dict(make_scheduler="StepLR", steps=3), "make_scheduler")],
)
def test_torch_lrs_bad_arguments(make_arguments, name):
    with pytest.raises((ValueError, TypeError)) as error:
        S.torch_lrs(**make_arguments())
    assert_names(error, name)


def test_torch_accepts_what_regkit_refuses():
    # Why regkit raises: in torch a negative max_norm silently flips every gradient...
    p = parameter_with_grad()
    torch.nn.utils.clip_grad_norm_([p], max_norm=-1.0)
    assert torch.all(p.grad < 0)
    # ... and a negative clip_value overwrites every element with the same number.
    p = parameter_with_grad()
    p.grad = torch.tensor([-3.0, 0.0, 3.0])
    torch.nn.utils.clip_grad_value_([p], clip_value=-1.0)
    assert torch.all(p.grad == p.grad[0])
