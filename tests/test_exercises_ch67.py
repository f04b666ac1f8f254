"""The self-checking exercises of chapters 6 and 7: right answers pass, usual mistakes get their hint."""

import re

import numpy as np
import pytest
import torch

from regkit import exercises, optim, regularization, schedules

HANGUL = re.compile("[\uac00-\ud7a3]")


def one_weight(opt=optim.Adam, **decay):
    w = torch.nn.Parameter(torch.tensor([0.5]))
    optimizer = opt([w], lr=0.1, **decay)
    path = [w.item()]
    for _ in range(10):
        w.grad = torch.zeros(1)
        optimizer.step()
        path.append(w.item())
    return np.array(path)


COUPLED, DECOUPLED = one_weight(l2=0.1), one_weight(weight_decay=0.1)
ALPHAS = schedules.warmup_cosine(np.arange(100), 0.1, 10, 100, min_lr=0.01)
FACTOR = float(np.prod(1 - 0.1 * ALPHAS))


def hf_factor(t, warmup_steps=10, total_steps=100):
    if t < warmup_steps:
        return t / max(1, warmup_steps)
    progress = (t - warmup_steps) / max(1, total_steps - warmup_steps)
    return max(0.0, 0.5 * (1.0 + np.cos(np.pi * progress)))


def keras_adamw_in_torch(model):
    return torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.004, eps=1e-7)


KERAS_LR = float(schedules.warmup_cosine(np.array([100000]), 3e-4, 2000, 102000, min_lr=3e-5)[0])

RIGHT = {
    "ch6-ex1": {"a": (117, 93_750, 81_250, 81_133), "b": 6e-6},
    "ch6-ex2": {"l2": COUPLED, "decay": DECOUPLED},
    "ch6-ex3": {"factor": FACTOR, "ratio": 0.62},
    "ch6-ex4": {"median": 0.24, "above": np.int64(1), "share": np.float64(1.0)},
    "ch7-ex1": keras_adamw_in_torch,
    "ch7-ex2": {"weight_decay": 0.1, "shrink": np.float32(1) - np.float32(0.9999)},
    "ch7-ex3": {"factor": hf_factor, "differs": np.int64(101)},
    "ch7-ex4": {"lr": KERAS_LR, "decay_steps": 98_000},
}

ALSO_RIGHT = [  # other correct ways of writing an answer (rounded, approximate, another seed)
    ("ch6-ex1", {"a": (117.1875, 93_750, 81_250, 81_132.8125), "b": 6e-6}),
    ("ch6-ex1", {"a": [118, 93_750, 81_250, 81_132], "b": 0.6e-5}),
    ("ch6-ex2", {"l2": one_weight(torch.optim.Adam, weight_decay=0.1),
                 "decay": one_weight(torch.optim.AdamW, weight_decay=0.1)}),
    ("ch6-ex3", {"factor": float(np.exp(-0.1 * ALPHAS.sum())), "ratio": 0.70}),
    ("ch6-ex3", {"factor": 0.58, "ratio": 0.5}),
    ("ch6-ex4", {"median": 0.19, "above": 0, "share": 0.95}),
    ("ch7-ex1", lambda model: torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.004)),
    ("ch7-ex2", {"weight_decay": 1e-4 / 1e-3, "shrink": 1e-4}),
    ("ch7-ex3", {"factor": lambda t: hf_factor(t), "differs": 101.0}),
    ("ch7-ex4", {"lr": np.float32(KERAS_LR), "decay_steps": 98_000.0}),
]

R = RIGHT
WRONG = [  # (label, answer, the mistake its hint names)
    ("ch6-ex1", {**R["ch6-ex1"], "a": (750, 600_000, 520_000, 519_250)}, "small-model-batch"),
    ("ch6-ex1", {**R["ch6-ex1"], "a": (0.117, 93.75, 81.25, 81.13)}, "tokens-per-step"),
    ("ch6-ex1", {**R["ch6-ex1"], "a": (117, 93_750, 81_367, 81_250)}, "end-counted-after-warmup"),
    ("ch6-ex1", {**R["ch6-ex1"], "a": (117, 93_750, 80_000, 79_883)}, "cosine-end"),
    ("ch6-ex1", {**R["ch6-ex1"], "a": (117, 93_750, 81_250, 81_250)}, "cosine-includes-warmup"),
    ("ch6-ex1", {**R["ch6-ex1"], "a": (117, 93_750, 81_250, 93_633)}, "cosine-until-end-of-run"),
    ("ch6-ex1", {**R["ch6-ex1"], "a": (117, 93_750, 81_250, 12_500)}, "cosine-until-end-of-run"),
    ("ch6-ex1", {**R["ch6-ex1"], "a": (117, 93_750, 81_250, 70_000)}, "cosine-length"),
    ("ch6-ex1", {**R["ch6-ex1"], "b": 0}, "floor-not-zero"),
    ("ch6-ex1", {**R["ch6-ex1"], "b": 6e-5}, "peak"),
    ("ch6-ex1", {**R["ch6-ex1"], "b": 2e-5}, "still-decaying"),
    ("ch6-ex1", {**R["ch6-ex1"], "b": 6e-7}, "floor"),
    ("ch6-ex2", {"l2": DECOUPLED, "decay": COUPLED}, "swapped"),
    ("ch6-ex2", {"l2": COUPLED[1:].tolist() + [0.0], "decay": DECOUPLED}, "start"),
    ("ch6-ex2", {"l2": DECOUPLED, "decay": DECOUPLED}, "l2-as-decay"),
    ("ch6-ex2", {"l2": 0.5 - 0.01 * np.arange(11), "decay": DECOUPLED}, "l2-run"),
    ("ch6-ex2", {"l2": COUPLED, "decay": COUPLED}, "decay-as-l2"),
    ("ch6-ex2", {"l2": COUPLED, "decay": 0.5 * 0.9 ** np.arange(11)}, "decay-not-times-lr"),
    ("ch6-ex2", {"l2": COUPLED, "decay": 0.5 * 0.98 ** np.arange(11)}, "decay-run"),
    ("ch6-ex3", {**R["ch6-ex3"], "factor": 0.99 ** 100}, "constant-lr"),
    ("ch6-ex3", {**R["ch6-ex3"], "factor": float(np.prod(1 - 0.1 * schedules.warmup_cosine(
        np.arange(100), 0.1, 10, 100)))}, "no-floor"),
    ("ch6-ex3", {**R["ch6-ex3"], "factor": 0.1 * ALPHAS.sum()}, "exponent"),
    ("ch6-ex3", {**R["ch6-ex3"], "factor": ALPHAS.sum()}, "exponent"),
    ("ch6-ex3", {**R["ch6-ex3"], "factor": float(np.prod(1 - ALPHAS))}, "forgot-lambda"),
    ("ch6-ex3", {**R["ch6-ex3"], "factor": 0.7}, "product"),
    ("ch6-ex3", {**R["ch6-ex3"], "ratio": 1 / 0.62}, "inverted"),
    ("ch6-ex3", {**R["ch6-ex3"], "ratio": 1.0}, "ln-column"),
    ("ch6-ex4", {**R["ch6-ex4"], "median": 0.8}, "median"),
    ("ch6-ex4", {**R["ch6-ex4"], "median": -0.2}, "median"),
    ("ch6-ex4", {**R["ch6-ex4"], "above": 0.01}, "count"),
    ("ch6-ex4", {**R["ch6-ex4"], "above": 40}, "too-many-above"),
    ("ch6-ex4", {**R["ch6-ex4"], "share": 98.0}, "percent"),
    ("ch6-ex4", {**R["ch6-ex4"], "share": 0.5}, "half-of-steps"),
    ("ch6-ex4", {**R["ch6-ex4"], "share": 0.75}, "share"),
    ("ch7-ex1", lambda m: torch.optim.AdamW(regularization.decay_param_groups(m, 0.004), lr=1e-3),
     "biases-not-decayed"),
    ("ch7-ex1", lambda m: torch.optim.AdamW(m.parameters(), lr=1e-3), "torch-default-decay"),
    ("ch7-ex1", lambda m: torch.optim.Adam(m.parameters(), lr=1e-3, weight_decay=0.004), "coupled-decay"),
    ("ch7-ex1", lambda m: torch.optim.Adam(m.parameters(), lr=1e-3), "no-decay"),
    ("ch7-ex1", lambda m: torch.optim.AdamW(m.parameters(), lr=1e-2, weight_decay=0.004), "learning-rate"),
    ("ch7-ex1", lambda m: torch.optim.AdamW(m.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.004),
     "betas"),
    ("ch7-ex1", lambda m: torch.optim.SGD(m.parameters(), lr=1e-3), "keras-defaults"),
    ("ch7-ex2", {**R["ch7-ex2"], "weight_decay": 1e-4}, "copied-paper-value"),
    ("ch7-ex2", {**R["ch7-ex2"], "weight_decay": 1e-7}, "multiplied-by-alpha"),
    ("ch7-ex2", {**R["ch7-ex2"], "weight_decay": 0.01}, "equate-decays"),
    ("ch7-ex2", {**R["ch7-ex2"], "shrink": 0.9999}, "gave-weight"),
    ("ch7-ex2", {**R["ch7-ex2"], "shrink": 0.01}, "percent"),
    ("ch7-ex2", {**R["ch7-ex2"], "shrink": 1e-7}, "measure-shrink"),
    ("ch7-ex3", {**R["ch7-ex3"], "factor": lambda t: float(schedules.warmup_cosine(t, 1.0, 10, 100))},
     "progress-clipped"),
    ("ch7-ex3", {**R["ch7-ex3"], "factor": lambda t: 0.1 * hf_factor(t)}, "lr-not-factor"),
    ("ch7-ex3", {**R["ch7-ex3"], "factor": lambda t: (t + 1) / 10 if t < 10 else hf_factor(t)}, "warmup"),
    ("ch7-ex3", {**R["ch7-ex3"], "factor": lambda t: hf_factor(t) if t < 10 else
                 0.5 * (1 + np.cos(np.pi * (t - 10) / 100))}, "cosine"),
    ("ch7-ex3", {**R["ch7-ex3"], "differs": 100}, "at-T"),
    ("ch7-ex3", {**R["ch7-ex3"], "differs": 190}, "too-late"),
    ("ch7-ex3", {**R["ch7-ex3"], "differs": 10}, "too-early"),
    ("ch7-ex4", {**R["ch7-ex4"], "lr": 3e-5}, "as-optax"),
    ("ch7-ex4", {**R["ch7-ex4"], "lr": 3e-4 * 0.5 * (1 + np.cos(0.98 * np.pi))}, "below-floor"),
    ("ch7-ex4", {**R["ch7-ex4"], "lr": 1.5e-4}, "cosine-position"),
    ("ch7-ex4", {**R["ch7-ex4"], "decay_steps": 102_000}, "added-warmup"),
    ("ch7-ex4", {**R["ch7-ex4"], "decay_steps": 100_000}, "unchanged"),
    ("ch7-ex4", {**R["ch7-ex4"], "decay_steps": 97_000}, "decay-steps"),
]

WRONG_KIND = [
    ("ch6-ex1", (117, 93_750)),
    ("ch6-ex1", {**R["ch6-ex1"], "a": (117, 93_750, 81_250)}),
    ("ch6-ex2", {"l2": COUPLED[:5], "decay": DECOUPLED}),
    ("ch6-ex3", 0.58),
    ("ch6-ex4", {**R["ch6-ex4"], "median": "small"}),
    ("ch7-ex1", "torch.optim.AdamW"),
    ("ch7-ex1", lambda m: 3),
    ("ch7-ex1", lambda m: 1 / 0),
    ("ch7-ex2", [0.1, 1e-4]),
    ("ch7-ex3", {**R["ch7-ex3"], "factor": lambda t, s: t}),
    ("ch7-ex4", {"lr": KERAS_LR}),
]

SIX_AND_SEVEN = [f"ch{c}-ex{k}" for c in (6, 7) for k in (1, 2, 3, 4)]


def test_every_exercise_of_chapters_6_and_7_has_a_checker():
    assert set(SIX_AND_SEVEN) <= set(exercises.labels())


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("label", SIX_AND_SEVEN)
def test_right_answer_passes(label, lang):
    feedback = exercises.check(f"{lang}-{label}", RIGHT[label])
    assert feedback.correct and feedback.mistake is None, feedback
    assert bool(HANGUL.search(repr(feedback))) == (lang == "ko")


@pytest.mark.parametrize("label, answer", ALSO_RIGHT)
def test_other_right_answers_pass(label, answer):
    assert exercises.check(label, answer).correct, exercises.check(label, answer)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("label, answer, mistake", WRONG, ids=[f"{w[0]}-{w[2]}" for w in WRONG])
def test_usual_mistake_gets_its_hint(label, answer, mistake, lang):
    feedback = exercises.check(f"{lang}-{label}", answer)
    assert feedback.correct is False and feedback.mistake == mistake, feedback
    assert bool(HANGUL.search(feedback.message)) == (lang == "ko"), feedback.message


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("label, answer", WRONG_KIND)
def test_wrong_kind_is_a_message_not_a_traceback(label, answer, lang):
    feedback = exercises.check(f"{lang}-{label}", answer)
    assert feedback.correct is False and feedback.mistake == "wrong-kind", feedback
    if lang == "ko":
        assert HANGUL.search(feedback.message)


@pytest.mark.parametrize("label", SIX_AND_SEVEN)
def test_placeholder_is_not_answered(label):
    blank = RIGHT[label]
    if isinstance(blank, dict):
        blank = {key: ... for key in blank}
    else:
        blank = ...
    assert exercises.check(label, blank).mistake == "not-answered"
    if label == "ch7-ex1":
        assert exercises.check(label, lambda model: ...).mistake == "not-answered"
    if label == "ch7-ex3":
        assert exercises.check(label, {"factor": lambda t: ..., "differs": 101}).mistake == "not-answered"


def test_hints_do_not_give_the_answers_away():
    said = " ".join(exercises.check(f"{lang}-{label}", answer).message
                    for label, answer, _ in WRONG for lang in ("en", "ko"))
    for secret in ("81133", "81,133", "6e-06", "0.579", "98000", "0.004", "3.0266", "101"):
        assert secret not in said, secret


def test_checkers_import_neither_keras_nor_transformers():
    import subprocess
    import sys
    code = ("import sys; import regkit.exercises.ch6, regkit.exercises.ch7; "
            "assert not {'keras', 'transformers', 'jax', 'optax'} & set(sys.modules), sys.modules.keys()")
    subprocess.run([sys.executable, "-c", code], check=True)
