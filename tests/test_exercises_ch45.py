"""The checkers of chapters 4 (L2 regularization) and 5 (weight decay): the right answers are
accepted, the usual mistakes get their own hint in both languages, an answer of the wrong kind
gets a message, and every exercise of the two chapters has its answer cell and its assert."""

import re
import time

import numpy as np
import pytest
import torch

from course import CHAPTERS, LANGUAGES, read
from regkit import exercises

HANGUL = re.compile("[가-힣]")
NOTEBOOKS = {"ch4": "04_l2_regularization.ipynb", "ch5": "05_weight_decay.ipynb"}

RIGHT = {
    "ch4-ex1": {"weights": 0.001, "biases": 0.0},
    "ch4-ex2": {"factor": lambda lam: 1 / (1 + lam), "twins": 0.027},
    "ch4-ex3": {"clean": 0.010, "noisy": 0.055, "norm": 0.277},
    "ch4-ex4": {"a": 0.25, "b": 0.25},
    "ch5-ex1": {"a": 1.5e-5, "b": 1.5e-5, "c": 0.05, "d": (7.5e-6, 0.1)},
    "ch5-ex2": {"theta_10": 0.4008, "tiny": 0.4766},
    "ch5-ex3": {"r": 0.98887, "ratio": 11.13},
    "ch5-ex4": {"a": 0.5, "b": -1.0},
}

# (label, the parts changed from the right answer, the hint's mistake key, its part)
MISTAKES = [
    ("ch4-ex1", {"weights": 0.0005}, "same-number", "weights"),
    ("ch4-ex1", {"weights": 0.00025}, "factor-inverted", "weights"),
    ("ch4-ex1", {"weights": 0.01}, "gradient", "weights"),
    ("ch4-ex1", {"biases": 0.001}, "biases-penalised", "biases"),
    ("ch4-ex2", {"factor": lambda lam: lam / (1 + lam)}, "removed-not-kept", "factor"),
    ("ch4-ex2", {"factor": lambda lam: 1 - lam}, "first-order", "factor"),
    ("ch4-ex2", {"factor": lambda lam: 1 / (1 + lam) ** 2}, "factor", "factor"),
    ("ch4-ex2", {"twins": 0.1655}, "singular-value", "twins"),
    ("ch4-ex2", {"twins": 0.142}, "forgot-square", "twins"),
    ("ch4-ex2", {"twins": 0.9733}, "removed-not-kept", "twins"),
    ("ch4-ex2", {"twins": 0.5}, "orthonormal-factor", "twins"),
    ("ch4-ex2", {"twins": 0.986}, "not-the-smallest", "twins"),
    ("ch4-ex2", {"twins": 0.3}, "shrink", "twins"),
    ("ch4-ex3", {"clean": -0.11}, "last-not-best", "clean"),
    ("ch4-ex3", {"noisy": 5.5}, "percent", "noisy"),
    ("ch4-ex3", {"clean": 0.055}, "labels", "clean"),
    ("ch4-ex3", {"noisy": 0.005}, "noisy-too-small", "noisy"),
    ("ch4-ex3", {"noisy": 0.3}, "noisy-too-large", "noisy"),
    ("ch4-ex3", {"norm": 3.6}, "inverted", "norm"),
    ("ch4-ex3", {"norm": 0.6}, "not-final", "norm"),
    ("ch4-ex3", {"norm": 0.05}, "norm", "norm"),
    ("ch4-ex4", {"a": 4.0}, "inverted", "a"),
    ("ch4-ex4", {"a": 0.5}, "not-squared", "a"),
    ("ch4-ex4", {"a": 0.1}, "prior", "a"),
    ("ch4-ex4", {"b": 1.0}, "sum-form", "b"),
    ("ch4-ex4", {"b": 4.0}, "inverted", "b"),
    ("ch4-ex4", {"b": 0.5}, "square-root", "b"),
    ("ch4-ex4", {"b": 0.1}, "mean-form", "b"),
    ("ch5-ex1", {"a": 0.05}, "library-lambda", "a"),
    ("ch5-ex1", {"a": 1 - 1.5e-5}, "one-minus-beta", "a"),
    ("ch5-ex1", {"a": 0.05 / 3e-4}, "divided", "a"),
    ("ch5-ex1", {"a": 3e-4}, "beta", "a"),
    ("ch5-ex1", {"b": 0.05}, "library-lambda", "b"),
    ("ch5-ex1", {"b": 0.05 / 3e-4}, "divided", "b"),
    ("ch5-ex1", {"b": 3e-4}, "paper", "b"),
    ("ch5-ex1", {"c": 1.5e-5}, "keras-multiplies-lr", "c"),
    ("ch5-ex1", {"c": 0.025}, "regularizer-factor", "c"),
    ("ch5-ex1", {"c": 3e-4}, "keras", "c"),
    ("ch5-ex1", {"d": (1.5e-5, 0.1)}, "beta-unchanged", "d"),
    ("ch5-ex1", {"d": (3e-5, 0.1)}, "new-beta", "d"),
    ("ch5-ex1", {"d": (7.5e-6, 0.025)}, "wrong-way", "d"),
    ("ch5-ex1", {"d": (7.5e-6, 0.05)}, "kept-weight-decay", "d"),
    ("ch5-ex1", {"d": (7.5e-6, 0.2)}, "keep-beta", "d"),
    ("ch5-ex2", {"theta_10": 0.49995}, "expected-small-decay", "theta_10"),
    ("ch5-ex2", {"theta_10": 0.3910}, "off-by-one", "theta_10"),
    ("ch5-ex2", {"theta_10": 0.2}, "trajectory", "theta_10"),
    ("ch5-ex2", {"tiny": 0.0901}, "eps-ignored", "tiny"),
    ("ch5-ex2", {"tiny": 0.5}, "does-not-move", "tiny"),
    ("ch5-ex2", {"tiny": 0.349}, "trajectory", "tiny"),
    ("ch5-ex3", {"r": 0.999}, "decoupled-factor", "r"),
    ("ch5-ex3", {"r": 0.99}, "approximation", "r"),
    ("ch5-ex3", {"r": 0.9101}, "smaller-root", "r"),
    ("ch5-ex3", {"r": 0.01113}, "loss-not-factor", "r"),
    ("ch5-ex3", {"r": 0.9981}, "transient", "r"),
    ("ch5-ex3", {"r": 0.95}, "measure", "r"),
    ("ch5-ex3", {"ratio": 1 / 11.13}, "inverted", "ratio"),
    ("ch5-ex3", {"ratio": 10.0}, "approximation", "ratio"),
    ("ch5-ex3", {"ratio": 0.999 / 0.98887}, "factors-not-decays", "ratio"),
    ("ch5-ex3", {"ratio": 5.0}, "ratio", "ratio"),
    ("ch5-ex4", {"a": 2.0}, "rows-per-column", "a"),
    ("ch5-ex4", {"a": -0.5}, "sign", "a"),
    ("ch5-ex4", {"a": 1.0}, "grid-spacing", "a"),
    ("ch5-ex4", {"a": 0}, "paper-column", "a"),
    ("ch5-ex4", {"a": 3.0}, "line", "a"),
    ("ch5-ex4", {"b": 0.0}, "paper-convention", "b"),
    ("ch5-ex4", {"b": 1.0}, "sign", "b"),
    ("ch5-ex4", {"b": -0.5}, "grid-units", "b"),
    ("ch5-ex4", {"b": -0.8}, "measured", "b"),
    ("ch5-ex4", {"b": -2.0}, "exponent", "b"),
]


@pytest.mark.parametrize("label", sorted(RIGHT))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_right_answer_is_accepted(label, lang):
    feedback = exercises.check(f"{lang}-{label}", RIGHT[label])
    assert feedback.correct is True and feedback.mistake is None, repr(feedback)
    assert bool(HANGUL.search(repr(feedback))) == (lang == "ko")


def test_the_checkers_are_ours_and_fast():
    assert {label for label in exercises.labels() if label[:3] in ("ch4", "ch5")} == set(RIGHT)
    for label, answer in RIGHT.items():
        exercises.check(label, answer)  # torch's first optimizer takes seconds to set itself up
    for label, answer in RIGHT.items():
        start = time.perf_counter()
        assert exercises.check(label, answer)
        assert time.perf_counter() - start < 1.0, label


def test_other_kinds_of_numbers_are_accepted():
    assert exercises.check("ch4-ex1", {"weights": np.float32(0.001), "biases": 0})
    assert exercises.check("ch4-ex2", {"factor": lambda lam: np.float64(1) / (1 + lam),
                                       "twins": torch.tensor(0.0267)})
    assert exercises.check("ch5-ex1", {"a": 1.5e-5, "b": 1.5e-5, "c": 0.05,
                                       "d": np.array([7.5e-6, 0.1])})
    assert exercises.check("ch5-ex2", {"theta_10": 0.4, "tiny": np.float32(0.477)})
    assert exercises.check("ch5-ex3", {"r": torch.tensor([0.98887]), "ratio": 11})


@pytest.mark.parametrize("label, change, mistake, part", MISTAKES,
                         ids=[f"{m[0]}-{m[2]}-{m[3]}" for m in MISTAKES])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_usual_mistake_gets_its_hint(label, change, mistake, part, lang):
    feedback = exercises.check(f"{lang}-{label}", {**RIGHT[label], **change})
    assert feedback.correct is False
    assert (feedback.mistake, feedback.part) == (mistake, part), repr(feedback)
    assert bool(HANGUL.search(repr(feedback))) == (lang == "ko"), repr(feedback)


def test_every_hint_of_the_two_chapters_is_tested():
    import inspect
    from regkit.exercises import ch4, ch5
    keys = set()
    for name, module in (("ch4", ch4), ("ch5", ch5)):
        source = inspect.getsource(module)
        found = re.findall(r'\),\s*"([\w-]+)",\s*"?\w+"?\)', source)  # Hint(Words(...), key, part)
        assert len(found) == source.count("Hint(Words("), name
        keys |= {(name, key) for key in found}
    tested = {(label[:3], mistake) for label, _, mistake, _ in MISTAKES}
    assert keys <= tested, keys - tested


WRONG_KINDS = [
    ("ch4-ex1", 0.001), ("ch4-ex1", {"weights": "0.001", "biases": 0}),
    ("ch4-ex1", {"weights": 0.001}), ("ch4-ex1", {"weights": 0.001, "biases": -1.0}),
    ("ch4-ex2", {"factor": 0.5, "twins": 0.027}),
    ("ch4-ex2", {"factor": lambda lam: [1, 2], "twins": 0.027}),
    ("ch4-ex2", {"factor": lambda lam: 1 / 0, "twins": 0.027}),
    ("ch4-ex3", [0.01, 0.05, 0.28]), ("ch4-ex3", {"clean": None, "noisy": 0.05, "norm": 0.28}),
    ("ch4-ex4", {"a": "a quarter", "b": 0.25}), ("ch4-ex4", {"a": 0.25, "b": 0.25, "c": 1}),
    ("ch5-ex1", {"a": 1.5e-5, "b": 1.5e-5, "c": 0.05, "d": 7.5e-6}),
    ("ch5-ex1", {"a": 1.5e-5, "b": 1.5e-5, "c": 0.05, "d": (7.5e-6, 0.1, 1)}),
    ("ch5-ex2", {"theta_10": [0.4, 0.39], "tiny": 0.48}),
    ("ch5-ex3", {"r": float("nan"), "ratio": 11}), ("ch5-ex3", "0.9889"),
    ("ch5-ex4", {"a": True, "b": -1}), ("ch5-ex4", None),
]


@pytest.mark.parametrize("label, answer", WRONG_KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_answer_of_the_wrong_kind_gets_a_message(label, answer, lang):
    feedback = exercises.check(f"{lang}-{label}", answer)
    assert feedback.correct is False and feedback.mistake == "wrong-kind", repr(feedback)
    assert bool(HANGUL.search(repr(feedback))) == (lang == "ko"), repr(feedback)


@pytest.mark.parametrize("label", sorted(RIGHT))
def test_the_answer_cells_placeholder_is_not_an_error(label):
    blank = {key: ... for key in RIGHT[label]}
    feedback = exercises.check(label, blank)
    assert feedback.correct is False and feedback.mistake == "not-answered"
    assert exercises.check(label, ...).mistake == "not-answered"


def cells(lang, chapter):
    return read(CHAPTERS / lang / NOTEBOOKS[chapter]).cells


@pytest.mark.parametrize("label", sorted(RIGHT))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_exercise_has_its_answer_cell_and_its_solution_assert(label, lang):
    nb = cells(lang, label[:3])
    full = f"{lang}-{label}"
    where = [i for i, c in enumerate(nb) if c.cell_type == "markdown"
             and re.search(rf"```\{{exercise\}}\s*\n:label: {full}\s*$", c.source, re.M)]
    assert len(where) == 1
    answer = nb[where[0] + 1]
    assert answer.cell_type == "code" and "exercise-answer" in answer.metadata["tags"]
    assert answer.metadata["slideshow"]["slide_type"] == "skip"
    assert re.search(r"^answer = .*\.\.\.", answer.source, re.M)
    assert answer.source.rstrip().endswith(f'exercises.check("{full}", answer)')
    assert len(answer.source.splitlines()) <= 8
    later_checks = [c for c in nb[where[0] + 1:] if "check" in c.metadata.get("tags", [])]
    assert f'assert exercises.check("{full}", ' in later_checks[0].source


@pytest.mark.parametrize("chapter", sorted(NOTEBOOKS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_chapter_imports_exercises(chapter, lang):
    assert any(re.search(r"^from regkit import exercises, ", c.source, re.M)
               for c in cells(lang, chapter) if c.cell_type == "code")
