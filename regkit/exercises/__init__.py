"""Exercises that check themselves: ``check(label, answer)`` says right or wrong, with a hint.

Each exercise of the chapters has a cell where the student writes an answer in place of
``...`` and calls :func:`check`, like otter-grader's ``grader.check``::

    >>> from regkit import exercises
    >>> exercises.check("en-ch1-ex1", {"a": (3, 4), "b": ..., "c": ..., "d": ...})
    ch1-ex1 (b): no answer yet: write yours in place of ...

A label is the chapter's (``"en-ch1-ex1"``, ``"ko-ch1-ex1"``: the prefix picks the language of
the hint) or the same without the prefix (``"ch1-ex1"``, with ``lang=``). :func:`labels` lists
the exercises that can be checked. A hint is aimed at the usual mistake and never gives the
answer: numbers are compared with a tolerance against what regkit computes, exact answers
against a digest. An answer of the wrong kind gets a message, not a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._core import LANGUAGES, REGISTRY, AnswerShapeError, Hint, NotAnswered, Words
from . import ch0, ch1, ch2, ch3, ch4, ch5, ch6, ch7  # noqa: F401 - they register the checkers

__all__ = ["check", "labels", "Feedback"]


@dataclass(frozen=True)
class Feedback:
    """The outcome of :func:`check`: true when the answer is right; shown as its message.

    ``mistake`` is the key of the hint given (``None`` when right), ``"not-answered"`` for a
    placeholder and ``"wrong-kind"`` for an answer of the wrong type.
    """
    label: str
    correct: bool
    message: str
    mistake: str | None = None
    part: str | None = None

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return self.message


def labels() -> list[str]:
    """The exercises :func:`check` can check, in the chapters' order ("ch0-ex1", "ch1-ex1", ...)."""
    return sorted(REGISTRY, key=lambda label: tuple(int(n) for n in label[2:].split("-ex")))


def _split(label: str, lang: str | None) -> tuple[str, str]:
    prefix, _, rest = label.partition("-")
    if prefix in LANGUAGES and rest.startswith("ch"):
        return rest, lang or prefix
    if prefix in LANGUAGES and rest.startswith("intro-"):   # the introduction's labels
        return "ch0-" + rest.removeprefix("intro-"), lang or prefix
    return label, lang or "en"


def check(label: str, answer: Any, *, lang: str | None = None) -> Feedback:
    """Check ``answer`` to exercise ``label``; the result prints as a message in ``lang``.

    Example
    -------
    >>> check("ch1-ex1", {"a": (3, 4), "b": (5, 5), "c": (5, 5), "d": 8.13}).correct
    True
    >>> check("ko-ch1-ex1", {"a": (6, 8), "b": (5, 5), "c": (5, 5), "d": 8.13}).mistake
    'norm-not-clipped'
    """
    if not isinstance(label, str):
        raise TypeError(f"label must be a string such as 'ch1-ex1', got {label!r}")
    key, lang = _split(label, lang)
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    if key not in REGISTRY:
        known = ", ".join(labels())
        raise KeyError(f"no exercise {label!r} can be checked; these can: {known}")
    exercise = REGISTRY[key]
    try:
        hint = exercise.checker(answer)
    except NotAnswered as blank:
        where = f" ({blank.part})" if blank.part else ""
        words = Words("no answer yet: write yours in place of ...",
                      "아직 답이 없습니다. ... 자리에 답을 넣으세요")
        return Feedback(key, False, f"{key}{where}: {words(lang)}", "not-answered", blank.part)
    except AnswerShapeError as wrong_kind:
        asks = Words(f"The answer should be {exercise.asks.en}.",
                     f"답의 형식: {exercise.asks.ko}")
        return Feedback(key, False, f"{key}: {wrong_kind.words(lang)} {asks(lang)}", "wrong-kind")
    if hint is None:
        return Feedback(key, True, f"{key}: {Words('Correct.', '맞았습니다.')(lang)}")
    if not isinstance(hint, Hint):
        raise TypeError(f"the checker of {key} returned {hint!r}, not a Hint or None")
    where = f" ({hint.part})" if hint.part else ""
    not_yet = Words("Not yet:", "아직 아닙니다.")
    return Feedback(key, False, f"{key}{where}: {not_yet(lang)} {hint.words(lang)}",
                    hint.mistake, hint.part)
