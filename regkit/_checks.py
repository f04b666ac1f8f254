"""Argument checks shared by regkit's modules.

Every public regkit function checks its arguments first, so that a wrong value fails
loudly, with a message that names the argument and says what it may be, instead of
turning into a silent NaN or an infinite loop three calls later.

Each check returns the value in the form the caller computes with (a Python ``int``
or ``float``, or an integer array for ``step``), so a caller can write
``lr = check_lr("lr", lr)`` and go on.
"""

import math
import numbers

import numpy as np

# Steps are counted in int64 and turned into float64 for the formulas; below 2**53
# every step is an exact float, so no schedule sees a rounded step.
MAX_STEP = 2**53


def _is_integer(value):
    # bool is an int subclass in Python, but `step=True` is a bug, not a step.
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_int(name, value, low, high=None):
    """``value`` as an ``int`` in ``[low, high]`` (``high=None``: no upper bound)."""
    allowed = f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"
    if not _is_integer(value):
        raise TypeError(f"{name} must be {allowed}, got {value!r} ({type(value).__name__})")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return int(value)


def check_positive_int(name, value):
    """A count of steps: an integer >= 1."""
    return check_int(name, value, 1)


def check_nonnegative_int(name, value):
    """A count that may be zero (``warmup_steps=0`` means no warmup)."""
    return check_int(name, value, 0)


def check_real(name, value, low=-math.inf, high=math.inf, *, low_open=False, high_open=False):
    """``value`` as a finite ``float`` in the interval from ``low`` to ``high``.

    ``low_open`` / ``high_open`` exclude the end point, e.g. momentum is in ``[0, 1)``.
    """
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    if low == -math.inf and high == math.inf:
        allowed = "a finite number"
    elif high == math.inf:
        allowed = f"a finite number {'>' if low_open else '>='} {low:g}"
    else:
        allowed = f"a number in {left}{low:g}, {high:g}{right}"
    if not _is_real(value):
        raise TypeError(f"{name} must be {allowed}, got {value!r} ({type(value).__name__})")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    # `not math.isfinite` also catches NaN, which every comparison above lets through.
    if not math.isfinite(value) or too_low or too_high:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return value


def check_lr(name, value):
    """A learning rate: finite and >= 0 (0 is allowed: it freezes training, it does not break it)."""
    return check_real(name, value, 0.0)


def check_nonnegative(name, value):
    """A coefficient such as ``lam``, ``l2`` or ``weight_decay``: finite and >= 0."""
    return check_real(name, value, 0.0)


def check_positive(name, value):
    """A threshold such as ``max_norm`` or ``clip_value``: finite and > 0."""
    return check_real(name, value, 0.0, low_open=True)


def check_fraction(name, value, *, high_open=True):
    """A decay rate such as ``momentum`` or a beta: in ``[0, 1)`` (or ``[0, 1]``)."""
    return check_real(name, value, 0.0, 1.0, high_open=high_open)


def check_step(step, name="step"):
    """The step count(s) as an int64 array of at least one dimension, and the shape to answer in.

    ``step`` may be a Python ``int``, a NumPy integer, or anything NumPy turns into an
    integer array (a NumPy array, a ``range``, a list of ints); every value must be in
    ``[0, 2**53)``. Floats are refused even when whole (``10.0``): a schedule is a
    function of how many updates were taken, and a fractional count is a bug upstream.

    The shape is None for a single integer (the schedule answers with a ``float``).
    A single step is computed as a 1-element array, by the very same NumPy code as a
    million steps, so ``f(t) == f(np.arange(n))[t]`` holds to the last bit.

    >>> check_step(3)
    (array([3]), None)
    >>> check_step(np.arange(6).reshape(2, 3))
    (array([0, 1, 2, 3, 4, 5]), (2, 3))
    """
    allowed = "an integer in [0, 2**53) or an array of them"
    if _is_integer(step):
        if not 0 <= step < MAX_STEP:
            raise ValueError(f"{name} must be {allowed}, got {step!r}")
        return np.array([step], dtype=np.int64), None
    if isinstance(step, (bool, np.bool_, float, np.floating)):
        raise TypeError(f"{name} must be {allowed}, got {step!r} ({type(step).__name__})")
    try:
        steps = np.asarray(step)
    except Exception as error:  # e.g. a ragged list
        raise TypeError(f"{name} must be {allowed}, got {type(step).__name__}") from error
    if steps.dtype.kind not in "iu":  # 'b' bool, 'f' float, 'O' object are all refused
        raise TypeError(f"{name} must be {allowed}, got an array of dtype {steps.dtype}")
    if steps.size and (steps.min() < 0 or steps.max() >= MAX_STEP):
        raise ValueError(
            f"{name} must be {allowed}, got values in [{steps.min()}, {steps.max()}]"
        )
    return steps.astype(np.int64).reshape(-1), steps.shape


def check_choice(name, value, choices):
    """One of a few strings, e.g. ``mode`` of :func:`regkit.schedules.cyclic`."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__})")
    return bool(value)


def check_tensors(name, tensors):
    """One tensor or an iterable of them (``model.parameters()``, a generator) as a list."""
    import torch  # here, not at the top: the schedules need only NumPy to be checked

    allowed = "a tensor or an iterable of tensors (e.g. model.parameters())"
    if isinstance(tensors, torch.Tensor):
        return [tensors]
    if isinstance(tensors, (str, bytes)) or not hasattr(tensors, "__iter__"):
        raise TypeError(f"{name} must be {allowed}, got {type(tensors).__name__}")
    tensors = list(tensors)
    if not all(isinstance(t, torch.Tensor) for t in tensors):
        odd = next(type(t).__name__ for t in tensors if not isinstance(t, torch.Tensor))
        raise TypeError(f"{name} must be {allowed}, got an iterable containing a {odd}")
    return tensors
