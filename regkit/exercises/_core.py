"""The machinery behind ``regkit.exercises.check``: a registry of checkers and their words.

A checker is a function of the student's answer. It returns ``None`` when the answer is right
and a :class:`Hint` when it is not; it reads the answer through the ``expect_*`` helpers, which
raise :class:`AnswerShapeError` (a message, never a traceback) when the answer is not even of
the right kind. Every message is a :class:`Words` pair, so one checker speaks both languages.
"""

from __future__ import annotations

import hashlib
import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

import numpy as np

LANGUAGES = ("en", "ko")


@dataclass(frozen=True)
class Words:
    """One message in both of the course's languages."""
    en: str
    ko: str

    def __call__(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


@dataclass(frozen=True)
class Hint:
    """What is wrong with an answer, aimed at the usual mistake, without giving the answer.

    ``part`` names the part of a multi-part exercise ("b"), ``mistake`` is a short key the
    tests use to tell which hint was given (e.g. ``"direction-changed"``).
    """
    words: Words
    mistake: str
    part: str | None = None


class AnswerShapeError(Exception):
    """The answer is not of the kind the exercise asks for (a list where a number is asked)."""

    def __init__(self, words: Words):
        super().__init__(words.en)
        self.words = words


class NotAnswered(Exception):
    """The answer (or one part of it) is still the placeholder ``...``."""

    def __init__(self, part: str | None = None):
        super().__init__(part)
        self.part = part


@dataclass(frozen=True)
class Exercise:
    label: str                      # "ch1-ex2", as in the chapters without the language prefix
    asks: Words                     # what `answer` must be: shown when the shape is wrong
    checker: Callable[[Any], Hint | None]


REGISTRY: dict[str, Exercise] = {}


def exercise(label: str, *, en: str, ko: str):
    """Register the decorated function as the checker of exercise ``label``.

    ``en`` / ``ko`` say what the answer must be, e.g. "a float: the angle in degrees".
    """
    def register(checker):
        if label in REGISTRY:
            raise ValueError(f"exercise {label!r} has two checkers")
        REGISTRY[label] = Exercise(label, Words(en, ko), checker)
        return checker
    return register


# --- reading an answer ------------------------------------------------------------------

def _kind(value: Any) -> str:
    return type(value).__name__


def expect_number(value: Any, part: str | None = None) -> float:
    """``value`` as a finite float (a Python, NumPy or one-element torch number)."""
    if value is Ellipsis:
        raise NotAnswered(part)
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.size == 1) \
            or (hasattr(value, "numel") and callable(value.numel) and value.numel() == 1):
        value = value.item()        # a NumPy scalar or a one-element array or tensor
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise AnswerShapeError(Words(
            f"{_where(part)}a number is expected, not {_kind(value)} ({value!r:.60}).",
            f"{_where(part)}숫자 하나를 넣어야 합니다. 지금 값은 {_kind(value)}입니다 ({value!r:.60})."))
    value = float(value)
    if not math.isfinite(value):
        raise AnswerShapeError(Words(f"{_where(part)}the number is {value}: not finite.",
                                     f"{_where(part)}값이 {value}입니다. 유한한 수여야 합니다."))
    return value


def expect_vector(value: Any, length: int | None = None, part: str | None = None) -> np.ndarray:
    """``value`` (a tuple, list, array or tensor of numbers) as a 1-D float array."""
    if value is Ellipsis:
        raise NotAnswered(part)
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (Iterable, np.ndarray)):
        raise AnswerShapeError(Words(
            f"{_where(part)}a sequence of numbers such as (1.0, 2.0) is expected, not {_kind(value)}.",
            f"{_where(part)}(1.0, 2.0)처럼 숫자를 나열한 값이 필요합니다. 지금 값은 {_kind(value)}입니다."))
    items = list(value)
    if any(item is Ellipsis for item in items):
        raise NotAnswered(part)
    numbers_ = [expect_number(item, part) for item in items]
    if length is not None and len(numbers_) != length:
        raise AnswerShapeError(Words(
            f"{_where(part)}{length} numbers are expected, not {len(numbers_)}.",
            f"{_where(part)}숫자 {length}개가 필요한데 {len(numbers_)}개입니다."))
    return np.array(numbers_, dtype=float)


def expect_parts(value: Any, parts: Iterable[str]) -> dict:
    """A multi-part answer: a dict with exactly the keys ``parts`` ("a", "b", ...)."""
    parts = list(parts)
    if value is Ellipsis:
        raise NotAnswered()
    if not isinstance(value, Mapping):
        raise AnswerShapeError(Words(
            f"a dict with the keys {', '.join(map(repr, parts))} is expected, not {_kind(value)}.",
            f"{', '.join(map(repr, parts))}를 키로 하는 dict가 필요합니다. 지금 값은 {_kind(value)}입니다."))
    missing = [p for p in parts if p not in value]
    extra = [k for k in value if k not in parts]
    if missing or extra:
        raise AnswerShapeError(Words(
            f"the dict needs exactly the keys {', '.join(map(repr, parts))}"
            + (f"; missing {', '.join(map(repr, missing))}" if missing else "")
            + (f"; unknown {', '.join(map(repr, extra))}" if extra else "") + ".",
            f"dict의 키는 정확히 {', '.join(map(repr, parts))}여야 합니다"
            + (f". 빠진 키: {', '.join(map(repr, missing))}" if missing else "")
            + (f". 모르는 키: {', '.join(map(repr, extra))}" if extra else "") + "."))
    return dict(value)


def expect_choice(value: Any, part: str | None = None) -> str:
    """A short text answer (a word, a name), normalised: stripped, lower case, spaces collapsed."""
    if value is Ellipsis:
        raise NotAnswered(part)
    if not isinstance(value, str):
        raise AnswerShapeError(Words(
            f"{_where(part)}a string is expected, not {_kind(value)}.",
            f"{_where(part)}문자열이 필요합니다. 지금 값은 {_kind(value)}입니다."))
    return normalise(value)


def expect_set(value: Any, part: str | None = None) -> frozenset:
    """A collection of numbers whose order does not matter, e.g. the thresholds that work."""
    return frozenset(float(v) for v in expect_vector(value, part=part))


def expect_callable(value: Any, part: str | None = None) -> Callable:
    if value is Ellipsis:
        raise NotAnswered(part)
    if not callable(value):
        raise AnswerShapeError(Words(
            f"{_where(part)}a function is expected, not {_kind(value)}.",
            f"{_where(part)}함수가 필요합니다. 지금 값은 {_kind(value)}입니다."))
    return value


def _where(part: str | None) -> str:
    return "" if part is None else f"({part}) "


# --- comparing without showing the answer ------------------------------------------------

def normalise(text: str) -> str:
    return " ".join(text.strip().casefold().split())


def digest(value: Any) -> str:
    """A short SHA-256 of an exact answer (a normalised string, or a sorted set of numbers).

    A checker compares digests, so the answer is not in regkit's source for a student to read.
    """
    if isinstance(value, str):
        text = normalise(value)
    elif isinstance(value, (set, frozenset)):
        text = ",".join(f"{v:.12g}" for v in sorted(value))
    else:
        text = repr(value)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def close(value: Any, expected: Any, rtol: float = 1e-3, atol: float = 1e-9) -> bool:
    return bool(np.allclose(np.asarray(value, dtype=float), np.asarray(expected, dtype=float),
                            rtol=rtol, atol=atol))


def zero_gradient_path(make_optimizer, theta0: float, steps: int, dtype=None) -> np.ndarray:
    """One weight θ₀ stepped ``steps`` times by ``make_optimizer([w])`` with a data gradient of 0
    (so only the decay moves it): θ after 0, 1, ..., ``steps`` steps (float64 by default)."""
    import torch
    dtype = dtype or torch.float64
    w = torch.nn.Parameter(torch.tensor([theta0], dtype=dtype))
    optimizer = make_optimizer([w])
    path = [w.item()]
    for _ in range(steps):
        w.grad = torch.zeros(1, dtype=dtype)
        optimizer.step()
        path.append(w.item())
    return np.array(path)


def call_safely(function: Callable, *args, part: str | None = None) -> Any:
    """Call the student's function; an exception it raises becomes a message, not a traceback."""
    try:
        result = function(*args)
    except Exception as error:  # noqa: BLE001 - any error in the student's code is reported
        raise AnswerShapeError(Words(
            f"{_where(part)}your function raised {type(error).__name__}: {error}",
            f"{_where(part)}함수를 실행하다 {type(error).__name__} 오류가 났습니다: {error}"))
    if result is Ellipsis:
        raise NotAnswered(part)
    return result
