"""regkit.exercises: the framework, the introduction's and chapter 1's checkers, and that every
exercise of the chapters has an answer cell. (Each chapter's own solution is checked by the
chapter itself: its check cells assert ``exercises.check(label, <solution>)``.)"""

import re

import numpy as np
import pytest

from course import CHAPTERS, LANGUAGES, notebooks, read
from regkit import exercises

HANGUL = re.compile("[가-힣]")


def exercise_labels(path):
    return [m.group(1) for cell in read(path).cells if cell.cell_type == "markdown"
            for m in re.finditer(r"```\{exercise\}\s*\n:label: ([\w-]+)", cell.source)]


def checkable(label):
    """'en-ch1-ex2' -> 'ch1-ex2', 'ko-intro-ex1' -> 'ch0-ex1'."""
    return re.sub(r"^(ko|en)-", "", label).replace("intro-", "ch0-")


ALL_EXERCISES = [label for path in notebooks("en") for label in exercise_labels(path)]


def test_at_least_four_in_five_exercises_check_themselves():
    can = set(exercises.labels())
    checked = [label for label in ALL_EXERCISES if checkable(label) in can]
    assert len(ALL_EXERCISES) >= 30
    assert len(checked) >= 0.8 * len(ALL_EXERCISES), sorted(set(ALL_EXERCISES) - set(checked))
    assert can <= {checkable(label) for label in ALL_EXERCISES}, "a checker for no exercise"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_checkable_exercise_has_an_answer_cell_right_after_it(lang):
    for path in notebooks(lang):
        cells = read(path).cells
        for index, cell in enumerate(cells):
            for label in re.findall(r"```\{exercise\}\s*\n:label: ([\w-]+)", cell.source):
                if checkable(label) not in exercises.labels():
                    continue
                answer = cells[index + 1]
                assert "exercise-answer" in answer.metadata.get("tags", []), (path.name, label)
                assert answer.metadata["slideshow"]["slide_type"] == "skip", (path.name, label)
                assert f'exercises.check("{label}", answer)' in answer.source, (path.name, label)
                assert "..." in answer.source, (path.name, label)  # the student's placeholder


def test_every_checker_says_what_it_expects_in_both_languages():
    from regkit.exercises._core import REGISTRY
    for exercise in REGISTRY.values():
        assert exercise.asks.en and HANGUL.search(exercise.asks.ko), exercise.label


# --- the framework -------------------------------------------------------------------------

def test_labels_are_in_the_chapters_order():
    labels = exercises.labels()
    numbers = [tuple(map(int, re.findall(r"\d+", label))) for label in labels]
    assert numbers == sorted(numbers) and labels[0] == "ch0-ex1"


def test_the_prefix_picks_the_language_of_the_message():
    wrong = {"a": (6, 8), "b": (5, 5), "c": (5, 5), "d": 8.13}
    ko, en = exercises.check("ko-ch1-ex1", wrong), exercises.check("en-ch1-ex1", wrong)
    assert ko.mistake == en.mistake == "norm-not-clipped" and not ko and not en
    assert HANGUL.search(repr(ko)) and not HANGUL.search(repr(en))
    assert HANGUL.search(repr(exercises.check("ch1-ex1", wrong, lang="ko")))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_placeholder_is_not_an_error(lang):
    feedback = exercises.check(f"{lang}-ch1-ex1", {"a": (3, 4), "b": ..., "c": ..., "d": ...})
    assert not feedback and feedback.mistake == "not-answered" and feedback.part == "b"
    assert exercises.check(f"{lang}-ch1-ex2", ...).mistake == "not-answered"


@pytest.mark.parametrize("answer", [[1, 2], "3, 4", None, {"a": "x", "b": 1, "c": 1, "d": 1},
                                    {"a": (3, 4, 5), "b": (5, 5), "c": (5, 5), "d": 8.13},
                                    {"a": (3, 4)}, 7])
def test_an_answer_of_the_wrong_kind_gets_a_message_not_a_traceback(answer):
    feedback = exercises.check("ch1-ex1", answer)
    assert not feedback and feedback.mistake == "wrong-kind"
    assert "should be" in repr(feedback)


def test_an_error_in_the_students_function_is_reported():
    feedback = exercises.check("ch1-ex4", {"slope": lambda r, eta: 1 / 0, "limit": "median"})
    assert feedback.mistake == "wrong-kind" and "ZeroDivisionError" in repr(feedback)


def test_a_wrong_label_names_the_ones_that_exist():
    with pytest.raises(KeyError, match="ch1-ex1"):
        exercises.check("ch9-ex9", 1)
    with pytest.raises(ValueError):
        exercises.check("ch1-ex1", 1, lang="fr")


def test_exact_answers_are_compared_by_digest_not_spelled_out():
    import inspect
    from regkit.exercises._core import REGISTRY
    modules = {inspect.getmodule(exercise.checker) for exercise in REGISTRY.values()}
    for module in modules:
        assert not re.search(r"digest\(\s*[\"']", inspect.getsource(module)), module.__name__


# --- the introduction and chapter 1 --------------------------------------------------------

@pytest.mark.parametrize("label", ["cyclic", "주기적 학습률", "  Cyclic "])
def test_ch0_accepts_the_cyclic_schedule_in_either_language(label):
    assert exercises.check("ch0-ex1", label)


@pytest.mark.parametrize("answer, mistake", [("warmup + cosine (GPT-3)", "warmup-peak-late"),
                                             ("코사인 어닐링", "not-read-from-curves")])
def test_ch0_hints(answer, mistake):
    assert exercises.check("ch0-ex1", answer).mistake == mistake
    assert exercises.check("ch0-ex1", "linear").mistake == "wrong-kind"


RIGHT_CH1_EX1 = {"a": (3, 4), "b": (5, 5), "c": (5, 5), "d": 8.13}


@pytest.mark.parametrize("part, value, mistake", [
    ("a", (6, 8), "norm-not-clipped"), ("a", (5, 5), "value-instead-of-norm"),
    ("a", (0.6, 0.8), "unit-length"), ("b", (3, 4), "norm-instead-of-value"),
    ("c", (3, 4), "clipnorm-is-global"), ("d", 0.1419, "radians"), ("d", 45.0, "angle-with-axis")])
def test_ch1_ex1_hints(part, value, mistake):
    assert exercises.check("ch1-ex1", RIGHT_CH1_EX1)
    feedback = exercises.check("ch1-ex1", {**RIGHT_CH1_EX1, part: value})
    assert not feedback and (feedback.mistake, feedback.part) == (mistake, part)


def test_ch1_ex1_takes_tensors_and_arrays():
    import torch
    assert exercises.check("ch1-ex1", {"a": torch.tensor([3.0, 4.0]), "b": np.array([5, 5]),
                                       "c": [5.0, 5.0], "d": np.float32(8.13)})


def test_ch1_ex2():
    assert exercises.check("ch1-ex2", {0.5, 1.0}) and exercises.check("ch1-ex2", [1, 0.5])
    assert exercises.check("ch1-ex2", {0.5, 1.0, 2.0}).mistake == "thrown-off-kept"
    assert exercises.check("ch1-ex2", {0.5}).mistake == "safe-one-missing"
    assert exercises.check("ch1-ex2", {0.5, 3.0}).mistake == "wrong-kind"


def test_ch1_ex3():
    assert exercises.check("ch1-ex3", {"a": 2.0**-16, "b": 1e-6})
    assert exercises.check("ch1-ex3", {"a": 1.0, "b": 1e-6}).mistake == "forgot-the-scale"
    assert exercises.check("ch1-ex3", {"a": 2.0**-16, "b": 2.0**-16}).mistake == "small-also-clipped"


def test_ch1_ex4():
    clipped = lambda r, eta: np.clip(r, -eta, eta)  # noqa: E731
    assert exercises.check("ch1-ex4", {"slope": clipped, "limit": "the median"})
    assert exercises.check("ch1-ex4", {"slope": clipped, "limit": "mean"}).mistake == "mean"
    wrong = lambda r, eta: np.where(np.abs(r) <= eta, r, eta * r)  # noqa: E731
    assert exercises.check("ch1-ex4", {"slope": wrong, "limit": "median"}).mistake == "outer-slope"
    blank = lambda r, eta: ...  # noqa: E731
    assert exercises.check("ch1-ex4", {"slope": blank, "limit": ...}).mistake == "not-answered"


def test_ch1_ex5():
    assert exercises.check("ch1-ex5", {"clip": 1.002, "warmup": 0.1})
    assert exercises.check("ch1-ex5", {"clip": 0.1, "warmup": 0.1}).mistake == "expected-sgd"
    assert exercises.check("ch1-ex5", {"clip": 1.0, "warmup": 1.0}).mistake == "warmup-not-applied"
