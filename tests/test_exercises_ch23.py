"""The self-checking exercises of chapters 2 and 3: right answers pass, typical mistakes get
their hint in both languages, answers of the wrong kind get a message instead of a traceback."""

import math
import re

import numpy as np
import pytest
import torch

from regkit import exercises, schedules

lr_scheduler = torch.optim.lr_scheduler
HANGUL = re.compile("[\uac00-\ud7a3]")


# --- chapter 2 ----------------------------------------------------------------------------

def goyal_torch(optimizer, warmup=50, drops=(300, 600, 800)):
    """The chapter's solution: SequentialLR restarts the decay's count, so shift the milestones."""
    warm = lr_scheduler.LinearLR(optimizer, start_factor=1 / 32, total_iters=warmup)
    decay = lr_scheduler.MultiStepLR(optimizer, milestones=[d - warmup for d in drops], gamma=0.1)
    return lr_scheduler.SequentialLR(optimizer, [warm, decay], milestones=[warmup])


def goyal_unshifted(optimizer):
    return goyal_torch(optimizer, drops=(350, 650, 850))   # = milestones [300, 600, 800]


def goyal_slow_warmup(optimizer):
    return goyal_torch(optimizer, warmup=60)


def goyal_no_decay(optimizer):
    warm = lr_scheduler.LinearLR(optimizer, start_factor=1 / 32, total_iters=50)
    decay = lr_scheduler.MultiStepLR(optimizer, milestones=[250, 550, 750], gamma=0.5)
    return lr_scheduler.SequentialLR(optimizer, [warm, decay], milestones=[50])


GAMMA = 0.5 ** (1 / 100)
RATIO = 2 ** -0.5

EX1 = {"a": 0.04, "b": 0.02, "c": -0.5}
EX2 = {"gamma": GAMMA, "ratio": RATIO}
EX3 = {"milestones": [250, 550, 750], "scheduler": goyal_torch}
EX4 = {"highest": 0.8, "lowest": 0.9}

# --- chapter 3 ----------------------------------------------------------------------------


def gpt3_factor(step, warmup_steps=20, total_steps=200, floor=0.1):
    if step < warmup_steps:
        return step / warmup_steps
    decay_steps = total_steps - warmup_steps
    progress = min(step - warmup_steps, decay_steps) / decay_steps
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def climbs_back(step):
    if step < 20:
        return step / 20
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (step - 20) / 180))


def no_floor(step):
    return gpt3_factor(step, floor=0.0)


def nanogpt_warmup(step):
    return (step + 1) / 21 if step < 20 else gpt3_factor(step)


def cosine_from_zero(step):
    return step / 20 if step < 20 else 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(step, 200) / 200))


def returns_the_lr(step):
    return 3e-4 * gpt3_factor(step)


def raises(step):
    raise ZeroDivisionError("division by zero")


def placeholder(step):
    return ...


SGDR = schedules.cosine_with_restarts(np.arange(200), 0.1, cycle_steps=10, cycle_mult=2)
POST = [0.99, 0.31, 0.97, 0.88, 0.99, 0.42, 0.96, 0.99]   # one seed or more fails outright

CH3_EX1 = {"restarts": [10, 30, 70, 150], "steps": 150, "lowest": SGDR[69]}
CH3_EX3 = {"post_ln_warmup": POST, "warmup_enough": "no"}
CH3_EX4 = {"a": 1 / math.sqrt(1024 * 4000), "b": 15_999}


def with_(answer, **changes):
    return {**answer, **changes}


RIGHT = [
    ("ch2-ex1", EX1),
    ("ch2-ex1", {"a": 2 / 50, "b": np.float64(1 / 50), "c": torch.tensor(-0.5)}),
    ("ch2-ex2", EX2),
    ("ch2-ex2", {"gamma": 0.993092, "ratio": np.full(4, 0.7071)}),
    ("ch2-ex3", EX3),
    ("ch2-ex3", with_(EX3, milestones=np.array([750, 250, 550]))),
    ("ch2-ex4", EX4),
    ("ch3-ex1", CH3_EX1),
    ("ch3-ex1", with_(CH3_EX1, restarts=np.flatnonzero(SGDR == 0.1)[1:5], lowest=1.54e-4)),
    ("ch3-ex2", gpt3_factor),
    ("ch3-ex3", CH3_EX3),
    ("ch3-ex3", with_(CH3_EX3, warmup_enough="아니요", post_ln_warmup=np.array(POST))),
    ("ch3-ex3", with_(CH3_EX3, warmup_enough=False)),
    ("ch3-ex4", CH3_EX4),
    ("ch3-ex4", with_(CH3_EX4, a=4.94e-4)),
]

MISTAKES = [  # (label, answer, the hint's key)
    ("ch2-ex1", with_(EX1, a=0.08), "curvature-is-25"),
    ("ch2-ex1", with_(EX1, a=0.02), "one-step-rate"),
    ("ch2-ex1", with_(EX1, a=1.0), "edge"),
    ("ch2-ex1", with_(EX1, b=0.04), "edge-not-one-step"),
    ("ch2-ex1", with_(EX1, b=0.01), "one-step"),
    ("ch2-ex1", with_(EX1, c=0.5), "sign"),
    ("ch2-ex1", with_(EX1, c=0.25), "curvature-is-25"),
    ("ch2-ex1", with_(EX1, c=2.5), "added-the-step"),
    ("ch2-ex1", with_(EX1, c=0.7), "factor"),
    ("ch2-ex2", with_(EX2, gamma=0.5), "per-step"),
    ("ch2-ex2", with_(EX2, gamma=0.5 ** (1 / 50)), "half-cycle"),
    ("ch2-ex2", with_(EX2, gamma=2 ** (1 / 100)), "grows"),
    ("ch2-ex2", with_(EX2, gamma=0.995), "rounded"),
    ("ch2-ex2", with_(EX2, gamma=0.9), "gamma"),
    ("ch2-ex2", with_(EX2, ratio=1.0), "equal-at-peaks"),
    ("ch2-ex2", with_(EX2, ratio=[1.0, 1.0, 1.0, 1.0]), "equal-at-peaks"),
    ("ch2-ex2", with_(EX2, ratio=2 ** 0.5), "inverted"),
    ("ch2-ex2", with_(EX2, ratio=0.5), "whole-cycle"),
    ("ch2-ex2", with_(EX2, ratio=0.9), "ratio"),
    ("ch2-ex3", with_(EX3, milestones=[300, 600, 800]), "not-shifted"),
    ("ch2-ex3", with_(EX3, milestones=[350, 650, 850]), "shifted-the-wrong-way"),
    ("ch2-ex3", with_(EX3, milestones=[30, 60, 80]), "milestones"),
    ("ch2-ex3", with_(EX3, scheduler=goyal_unshifted), "scheduler-not-shifted"),
    ("ch2-ex3", with_(EX3, scheduler=goyal_slow_warmup), "warmup"),
    ("ch2-ex3", with_(EX3, scheduler=goyal_no_decay), "decay"),
    ("ch2-ex4", {"highest": 0.95, "lowest": 0.95}, "untouched"),
    ("ch2-ex4", {"highest": 0.9, "lowest": 0.8}, "with-the-lr"),
    ("ch2-ex4", {"highest": 0.85, "lowest": 0.9}, "highest"),
    ("ch2-ex4", {"highest": 0.8, "lowest": 0.95}, "kept-the-chosen-beta"),
    ("ch2-ex4", {"highest": 0.8, "lowest": 0.99}, "lowest"),
    ("ch3-ex1", with_(CH3_EX1, restarts=[10, 20, 40, 80]), "lengths-not-restarts"),
    ("ch3-ex1", with_(CH3_EX1, restarts=[0, 10, 30, 70]), "counted-step-0"),
    ("ch3-ex1", with_(CH3_EX1, restarts=[10, 20, 30, 40]), "ignored-m"),
    ("ch3-ex1", with_(CH3_EX1, restarts=[10, 30, 60, 100]), "restarts"),
    ("ch3-ex1", with_(CH3_EX1, steps=149), "last-index"),
    ("ch3-ex1", with_(CH3_EX1, steps=70), "wrong-cycle"),
    ("ch3-ex1", with_(CH3_EX1, steps=310), "wrong-cycle"),
    ("ch3-ex1", with_(CH3_EX1, steps=160), "steps"),
    ("ch3-ex1", with_(CH3_EX1, lowest=0), "reached-zero"),
    ("ch3-ex1", with_(CH3_EX1, lowest=0.1 * math.sin(math.pi / 40) ** 2), "wrong-cycle"),
    ("ch3-ex1", with_(CH3_EX1, lowest=0.1 * math.sin(math.pi / 80)), "forgot-the-square"),
    ("ch3-ex1", with_(CH3_EX1, lowest=0.05), "lowest"),
    ("ch3-ex2", climbs_back, "after-T"),
    ("ch3-ex2", no_floor, "no-floor"),
    ("ch3-ex2", nanogpt_warmup, "warmup"),
    ("ch3-ex2", cosine_from_zero, "cosine"),
    ("ch3-ex2", returns_the_lr, "returned-the-lr"),
    ("ch3-ex3", with_(CH3_EX3, post_ln_warmup=[100 * a for a in POST]), "percent"),
    ("ch3-ex3", with_(CH3_EX3, post_ln_warmup=[0.99, 0.9, 0.97, 0.88, 0.99, 0.62, 0.96, 0.99]),
     "peak-not-raised"),
    ("ch3-ex3", with_(CH3_EX3, warmup_enough="yes"), "warmup-still-enough"),
    ("ch3-ex3", with_(CH3_EX3, warmup_enough=True), "warmup-still-enough"),
    ("ch3-ex3", with_(CH3_EX3, warmup_enough="네"), "warmup-still-enough"),
    ("ch3-ex4", with_(CH3_EX4, a=1 / math.sqrt(512 * 4000)), "base-model"),
    ("ch3-ex4", with_(CH3_EX4, a=1024 ** -0.5), "forgot-the-min"),
    ("ch3-ex4", with_(CH3_EX4, a=1e-3), "peak"),
    ("ch3-ex4", with_(CH3_EX4, b=16_000), "n-not-t"),
    ("ch3-ex4", with_(CH3_EX4, b=12_000), "counted-from-peak"),
    ("ch3-ex4", with_(CH3_EX4, b=8000), "one-over-n"),
    ("ch3-ex4", with_(CH3_EX4, b=20_000), "half"),
]

WRONG_KIND = [
    ("ch2-ex1", [0.04, 0.02, -0.5]),
    ("ch2-ex1", with_(EX1, a="0.04")),
    ("ch2-ex2", with_(EX2, ratio="0.7")),
    ("ch2-ex2", with_(EX2, ratio=[])),
    ("ch2-ex3", with_(EX3, milestones=[250, 550])),
    ("ch2-ex3", with_(EX3, milestones=[250.5, 550, 750])),
    ("ch2-ex3", with_(EX3, scheduler=lambda optimizer: 3)),
    ("ch2-ex3", with_(EX3, scheduler=lambda optimizer: 1 / 0)),
    ("ch2-ex3", with_(EX3, scheduler=[250, 550, 750])),
    ("ch2-ex4", {"highest": 0.8}),
    ("ch2-ex4", (0.8, 0.9)),
    ("ch3-ex1", with_(CH3_EX1, restarts=10)),
    ("ch3-ex1", with_(CH3_EX1, restarts=[10.5, 30, 70, 150])),
    ("ch3-ex1", with_(CH3_EX1, steps=[150])),
    ("ch3-ex2", 0.5),
    ("ch3-ex2", raises),
    ("ch3-ex2", lambda step: "0.5"),
    ("ch3-ex3", with_(CH3_EX3, post_ln_warmup=POST[:7])),
    ("ch3-ex3", with_(CH3_EX3, post_ln_warmup=[-0.5] * 8)),
    ("ch3-ex3", with_(CH3_EX3, pre_ln=POST)),  # the first edition's part, gone
    ("ch3-ex3", with_(CH3_EX3, warmup_enough="maybe")),
    ("ch3-ex3", with_(CH3_EX3, warmup_enough=0)),
    ("ch3-ex4", with_(CH3_EX4, b="15999")),
    ("ch3-ex4", 4.94e-4),
]


def test_every_exercise_of_chapters_2_and_3_has_a_checker():
    mine = [label for label in exercises.labels() if label.startswith(("ch2-", "ch3-"))]
    assert mine == ["ch2-ex1", "ch2-ex2", "ch2-ex3", "ch2-ex4",
                    "ch3-ex1", "ch3-ex2", "ch3-ex3", "ch3-ex4"]
    assert {label for label, _ in RIGHT} == set(mine)
    assert {label for label, _, _ in MISTAKES} == set(mine)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("label, answer", RIGHT, ids=[label for label, _ in RIGHT])
def test_the_right_answer_is_accepted(label, answer, lang):
    feedback = exercises.check(f"{lang}-{label}", answer)
    assert feedback.correct, feedback.message
    assert feedback.mistake is None
    assert bool(HANGUL.search(feedback.message)) == (lang == "ko")


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("label, answer, mistake", MISTAKES,
                         ids=[f"{label}-{mistake}" for label, _, mistake in MISTAKES])
def test_a_typical_mistake_gets_its_hint(label, answer, mistake, lang):
    feedback = exercises.check(f"{lang}-{label}", answer)
    assert feedback.correct is False
    assert feedback.mistake == mistake, feedback.message
    assert bool(HANGUL.search(feedback.message)) == (lang == "ko"), feedback.message


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("label, answer", WRONG_KIND, ids=[label for label, _ in WRONG_KIND])
def test_an_answer_of_the_wrong_kind_gets_a_message(label, answer, lang):
    feedback = exercises.check(f"{lang}-{label}", answer)
    assert feedback.correct is False
    assert feedback.mistake == "wrong-kind", feedback.message
    assert bool(HANGUL.search(feedback.message)) == (lang == "ko"), feedback.message


BLANKS = [("ch2-ex1", {"a": ..., "b": ..., "c": ...}),
          ("ch2-ex2", {"gamma": ..., "ratio": ...}),
          ("ch2-ex3", {"milestones": ..., "scheduler": placeholder}),
          ("ch2-ex3", {"milestones": [250, 550, 750], "scheduler": lambda optimizer: ...}),
          ("ch2-ex4", {"highest": ..., "lowest": ...}),
          ("ch3-ex1", {"restarts": ..., "steps": ..., "lowest": ...}),
          ("ch3-ex2", placeholder),
          ("ch3-ex2", ...),
          ("ch3-ex3", {"post_ln_warmup": ..., "warmup_enough": ...}),
          ("ch3-ex3", with_(CH3_EX3, warmup_enough=...)),
          ("ch3-ex4", {"a": ..., "b": ...})]


@pytest.mark.parametrize("label, answer", BLANKS, ids=[label for label, _ in BLANKS])
def test_the_answer_cells_placeholder_is_not_answered_yet(label, answer):
    feedback = exercises.check(f"ko-{label}", answer)
    assert feedback.correct is False and feedback.mistake == "not-answered"
    assert HANGUL.search(feedback.message)


SECRETS = {  # what a hint must not say, as numbers standing on their own
    "ch2-ex1": ["0.04", "0.02", "-0.5", "−0.5"], "ch2-ex2": ["0.993", "0.707"],
    "ch2-ex3": ["250", "550", "750"], "ch2-ex4": ["0.8", "0.9"],
    "ch3-ex1": ["30", "70", "150", "1.54"], "ch3-ex2": [], "ch3-ex3": [],
    "ch3-ex4": ["4.94", "15999", "15 999", "15,999", "15_999"],
}


def test_hints_do_not_give_the_answers_away():
    for label, answer, _ in MISTAKES:
        for lang in ("en", "ko"):
            message = exercises.check(f"{lang}-{label}", answer).message
            leaked = [s for s in SECRETS[label]
                      if re.search(r"(?<![\d.])" + re.escape(s) + r"(?![\d])", message)]
            assert not leaked, (label, message)


def test_the_digest_of_the_milestones_is_the_shifted_one():
    assert exercises.check("ch2-ex3", with_(EX3, milestones=(250, 550, 750))).correct


def test_ch3_ex2_takes_a_factor_usable_by_lambda_lr():
    lrs = schedules.torch_lrs(lambda opt: lr_scheduler.LambdaLR(opt, gpt3_factor), 250, 3e-4)
    expected = schedules.warmup_cosine(np.arange(250), 3e-4, 20, 200, min_lr=3e-5)
    assert np.allclose(lrs, expected, rtol=0, atol=1e-15)
