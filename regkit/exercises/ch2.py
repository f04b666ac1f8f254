"""Chapter 2's exercises: learning-rate schedules."""

import numpy as np
import torch

from .. import schedules
from ._core import (AnswerShapeError, Hint, Words, call_safely, close, digest, exercise,
                    expect_callable, expect_number, expect_parts, expect_vector)


@exercise("ch2-ex1", en="a dict {'a': the learning rate above which gradient descent stops converging, "
                        "'b': the learning rate that reaches the minimum in one step, "
                        "'c': the factor θ_{t+1} / θ_t at α = 0.03}",
          ko="dict {'a': 경사 하강법이 더는 수렴하지 않는 학습률의 경계, "
             "'b': 한 스텝 만에 최솟값에 도착하는 학습률, 'c': α = 0.03일 때 θ_{t+1} / θ_t}")
def quadratic_learning_rates(answer):
    parts = expect_parts(answer, "abc")
    a = 2 * 25.0                      # L = 25 θ² = (a/2) θ²
    a_wrong = 25.0                    # reading the 25 itself as the curvature
    edge = expect_number(parts["a"], "a")
    if not close(edge, 2 / a):
        if close(edge, 2 / a_wrong):
            return Hint(Words("L = (a/2)·θ², so 25θ² has curvature a = 2·25, not 25.",
                              "L = (a/2)·θ²이므로 25θ²의 곡률은 25가 아니라 a = 2·25입니다."),
                        "curvature-is-25", "a")
        if close(edge, 1 / a):
            return Hint(Words("that rate reaches the minimum in one step; past it θ overshoots the "
                              "minimum but still converges, up to a point. Where does |1 − αa| reach 1?",
                              "그 학습률은 한 스텝 만에 최솟값에 닿습니다. 그보다 크면 θ가 최솟값을 "
                              "넘나들지만 어느 지점까지는 여전히 수렴합니다. |1 − αa|가 1이 되는 곳은 어디일까요?"),
                        "one-step-rate", "a")
        return Hint(Words("gradient descent converges while |1 − αa| < 1; solve for α.",
                          "경사 하강법은 |1 − αa| < 1인 동안 수렴합니다. 이 식을 α에 대해 푸세요."),
                    "edge", "a")
    one_step = expect_number(parts["b"], "b")
    if not close(one_step, 1 / a):
        if close(one_step, 2 / a):
            return Hint(Words("at that rate 1 − αa = −1: θ flips sign forever. One step to the "
                              "minimum needs the factor 1 − αa to be 0.",
                              "그 학습률에서는 1 − αa = −1이라 θ가 부호만 바꾸며 영원히 튑니다. 한 스텝에 "
                              "최솟값에 닿으려면 1 − αa가 0이어야 합니다."), "edge-not-one-step", "b")
        return Hint(Words("one step lands on 0 when the factor 1 − αa is 0.",
                          "곱해지는 값 1 − αa가 0이면 한 스텝 만에 0에 닿습니다."), "one-step", "b")
    factor = expect_number(parts["c"], "c")
    if not close(factor, 1 - 0.03 * a):
        if close(factor, -(1 - 0.03 * a)):
            return Hint(Words("check the sign: with α above 1/a the step overshoots the minimum, "
                              "so θ changes sign.",
                              "부호를 확인하세요. α가 1/a보다 크면 스텝이 최솟값을 넘어가므로 θ의 부호가 "
                              "바뀝니다."), "sign", "c")
        if close(factor, 1 - 0.03 * a_wrong):
            return Hint(Words("L = (a/2)·θ², so 25θ² has curvature a = 2·25, not 25.",
                              "L = (a/2)·θ²이므로 25θ²의 곡률은 25가 아니라 a = 2·25입니다."),
                        "curvature-is-25", "c")
        if close(factor, 1 + 0.03 * a):
            return Hint(Words("gradient descent subtracts the step: θ − α·aθ.",
                              "경사 하강법은 스텝을 뺍니다: θ − α·aθ."), "added-the-step", "c")
        return Hint(Words("one step multiplies θ by 1 − αa.",
                          "한 스텝은 θ에 1 − αa를 곱합니다."), "factor", "c")
    return None


def _peak_ratios(gamma, half_cycle=50, cycles=4):
    peaks = np.arange(half_cycle, 2 * half_cycle * cycles, 2 * half_cycle)
    exp_range = schedules.cyclic(peaks, 0.0, 1.0, step_size_up=half_cycle, mode="exp_range",
                                 gamma=gamma)
    triangular2 = schedules.cyclic(peaks, 0.0, 1.0, step_size_up=half_cycle, mode="triangular2")
    return exp_range / triangular2


def _numbers(value, part):
    """One number, or several (one per peak): a 1-D array either way."""
    if isinstance(value, (list, tuple, np.ndarray)) or hasattr(value, "detach"):
        numbers = expect_vector(value, part=part)
        if numbers.size == 0:
            raise AnswerShapeError(Words(f"({part}) the sequence is empty.",
                                         f"({part}) 빈 시퀀스입니다."))
        return numbers
    return np.array([expect_number(value, part)])


@exercise("ch2-ex2", en="a dict {'gamma': γ for a cycle of L = 100 steps, 'ratio': exp_range / triangular2 "
                        "at the peaks (one number, or one per peak)}",
          ko="dict {'gamma': 주기 L = 100 스텝일 때의 γ, 'ratio': 꼭대기에서 exp_range / triangular2 "
             "(숫자 하나, 또는 꼭대기마다 하나씩)}")
def exp_range_halving(answer):
    parts = expect_parts(answer, ("gamma", "ratio"))
    cycle = 100
    want = 0.5 ** (1 / cycle)
    gamma = expect_number(parts["gamma"], "gamma")
    if not close(gamma, want, rtol=0, atol=2e-5):
        if close(gamma, 0.5):
            return Hint(Words("exp_range multiplies the amplitude by γ at every step, not once per "
                              "cycle: after L steps it has been multiplied by γ^L.",
                              "exp_range는 진폭에 주기마다 한 번이 아니라 스텝마다 γ를 곱합니다. L 스텝이 "
                              "지나면 γ^L배가 됩니다."), "per-step", "gamma")
        if close(gamma, 0.5 ** (1 / (cycle // 2)), rtol=0, atol=2e-5):
            return Hint(Words("that halves the amplitude every half-cycle; a cycle is s↑ + s↓ steps.",
                              "그 값은 반 주기마다 진폭을 반으로 줄입니다. 한 주기는 s↑ + s↓ 스텝입니다."),
                        "half-cycle", "gamma")
        if gamma > 1:
            return Hint(Words("with γ > 1 the amplitude grows; it should shrink.",
                              "γ > 1이면 진폭이 커집니다. 줄어들어야 합니다."), "grows", "gamma")
        if close(gamma, want, rtol=0, atol=3e-3):
            return Hint(Words("close, but γ is raised to the power L, so small errors grow: solve "
                              "γ^L = 1/2 exactly (or keep six decimals).",
                              "거의 맞았지만 γ는 L제곱되므로 작은 오차도 커집니다. γ^L = 1/2을 정확히 "
                              "푸세요(또는 소수 여섯째 자리까지 쓰세요)."), "rounded", "gamma")
        return Hint(Words("after one cycle of L steps the amplitude is γ^L times its start: "
                          "solve γ^L = 1/2.",
                          "L 스텝짜리 주기 하나가 지나면 진폭은 처음의 γ^L배입니다. γ^L = 1/2을 푸세요."),
                    "gamma", "gamma")
    ratio = _numbers(parts["ratio"], "ratio")
    expected = _peak_ratios(want)
    if not close(ratio, expected[0], rtol=5e-3):
        if close(ratio, 1.0, rtol=5e-3):
            return Hint(Words("the two are not equal at the peaks: at the first peak (t = 50) "
                              "triangular2 has not shrunk yet, but exp_range has shrunk for 50 steps.",
                              "두 모드는 꼭대기에서 같지 않습니다. 첫 꼭대기(t = 50)에서 triangular2는 "
                              "아직 그대로지만 exp_range는 이미 50 스텝 동안 줄었습니다."),
                        "equal-at-peaks", "ratio")
        if close(ratio, 1 / expected[0], rtol=5e-3):
            return Hint(Words("that is triangular2 / exp_range; divide the other way round.",
                              "그것은 triangular2 / exp_range입니다. 반대로 나누세요."), "inverted", "ratio")
        if close(ratio, 0.5, rtol=5e-3):
            return Hint(Words("a peak is half a cycle in, not a whole one: how often has γ been "
                              "applied by t = 50?",
                              "꼭대기는 주기의 끝이 아니라 절반 지점입니다. t = 50까지 γ가 몇 번 "
                              "곱해졌을까요?"), "whole-cycle", "ratio")
        return Hint(Words("evaluate both schedules at the peaks t = 50, 150, 250, 350 with base_lr = 0, "
                          "max_lr = 1 and divide.",
                          "base_lr = 0, max_lr = 1로 두 스케줄을 꼭대기 t = 50, 150, 250, 350에서 "
                          "계산해 나누세요."), "ratio", "ratio")
    return None


DROPS, WARMUP, START, PEAK = (300, 600, 800), 50, 1 / 32, 3.2


def _lrs(make_scheduler, steps=900):
    """The learning rates the student's scheduler sets, with messages instead of tracebacks."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=PEAK)
    scheduler = call_safely(make_scheduler, optimizer, part="scheduler")
    if not isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler):
        raise AnswerShapeError(Words(
            f"(scheduler) your function should return a torch scheduler, not {type(scheduler).__name__}.",
            f"(scheduler) 함수는 torch 스케줄러를 돌려줘야 합니다. 지금 값은 {type(scheduler).__name__}입니다."))
    lrs = []
    try:
        for _ in range(steps):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
    except Exception as error:  # noqa: BLE001 - reported, not raised
        raise AnswerShapeError(Words(
            f"(scheduler) stepping your scheduler raised {type(error).__name__}: {error}",
            f"(scheduler) 스케줄러를 step하다 {type(error).__name__} 오류가 났습니다: {error}"))
    return np.array(lrs, dtype=float)


def _goyal(drops):
    t = np.arange(900)
    return (schedules.linear_warmup(t, PEAK, warmup_steps=WARMUP, start_factor=START)
            * schedules.multistep_decay(t, 1.0, milestones=list(drops)))


SHIFTED = "8817d8034e089088"   # digest of the milestones MultiStepLR needs


@exercise("ch2-ex3", en="a dict {'milestones': the milestones MultiStepLR needs (three steps), "
                        "'scheduler': a function of the optimizer returning your SequentialLR}",
          ko="dict {'milestones': MultiStepLR에 넣을 마일스톤(스텝 세 개), "
             "'scheduler': 옵티마이저를 받아 SequentialLR을 돌려주는 함수}")
def sequential_goyal(answer):
    parts = expect_parts(answer, ("milestones", "scheduler"))
    milestones = expect_vector(parts["milestones"], 3, "milestones")
    if not np.all(milestones == np.round(milestones)):
        raise AnswerShapeError(Words("(milestones) milestones are whole steps.",
                                     "(milestones) 마일스톤은 정수 스텝입니다."))
    milestones = tuple(sorted(int(m) for m in milestones))
    if digest(milestones) != SHIFTED:
        if milestones == DROPS:
            return Hint(Words("SequentialLR starts the second scheduler's count from 0 at the switch, "
                              "so these drops would come late.",
                              "SequentialLR은 전환 시점에 두 번째 스케줄러의 카운트를 0부터 다시 셉니다. "
                              "이대로면 감쇠가 늦게 일어납니다."), "not-shifted", "milestones")
        if milestones == tuple(d + WARMUP for d in DROPS):
            return Hint(Words("the second scheduler starts counting at the switch, so its milestones "
                              "come earlier in its own count, not later.",
                              "두 번째 스케줄러는 전환 시점부터 세기 시작하므로, 자기 카운트로는 마일스톤이 "
                              "늦어지는 것이 아니라 앞당겨집니다."), "shifted-the-wrong-way", "milestones")
        return Hint(Words("in the decay's own count, how many steps after the switch at step 50 "
                          "does each drop come?",
                          "감쇠 스케줄러의 카운트로 세면, 스텝 50의 전환 뒤 몇 스텝 지나서 각 감쇠가 "
                          "일어나야 할까요?"), "milestones", "milestones")
    make = expect_callable(parts["scheduler"], "scheduler")
    got, want = _lrs(make), _goyal(DROPS)
    if not close(got, want, rtol=0, atol=1e-9 * PEAK):
        if close(got, _goyal(tuple(d + WARMUP for d in DROPS)), rtol=0, atol=1e-9 * PEAK):
            return Hint(Words("your drops come 50 steps late: give MultiStepLR the milestones you "
                              "found, not the steps 300, 600, 800.",
                              "감쇠가 50 스텝씩 늦습니다. MultiStepLR에 스텝 300, 600, 800이 아니라 위에서 "
                              "찾은 마일스톤을 넣으세요."), "scheduler-not-shifted", "scheduler")
        if not close(got[:WARMUP + 1], want[:WARMUP + 1], rtol=0, atol=1e-9 * PEAK):
            return Hint(Words("the warmup differs: LinearLR(start_factor=1/32, total_iters=50), "
                              "switched to the decay by SequentialLR(milestones=[50]).",
                              "워밍업이 다릅니다. LinearLR(start_factor=1/32, total_iters=50)을 쓰고 "
                              "SequentialLR(milestones=[50])로 감쇠로 넘기세요."), "warmup", "scheduler")
        return Hint(Words("after the warmup the rate should stay at 3.2 and drop ×0.1 at steps 300, 600 "
                          "and 800; compare your rates with the regkit product step by step.",
                          "워밍업 뒤 학습률은 3.2를 유지하다가 스텝 300, 600, 800에서 0.1배가 되어야 "
                          "합니다. 스텝마다 regkit 곱과 비교해 보세요."), "decay", "scheduler")
    return None


def _cyclic_beta1(steps=20):
    """β₁ of Adam(betas=(0.95, 0.999)) under CyclicLR with its defaults, after each scheduler step."""
    adam = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=1e-3, betas=(0.95, 0.999))
    scheduler = torch.optim.lr_scheduler.CyclicLR(adam, base_lr=1e-4, max_lr=1e-3, step_size_up=10)
    lrs, beta1 = [adam.param_groups[0]["lr"]], [adam.param_groups[0]["betas"][0]]
    for _ in range(steps):
        adam.step()
        scheduler.step()
        lrs.append(adam.param_groups[0]["lr"])
        beta1.append(adam.param_groups[0]["betas"][0])
    return np.array(lrs), np.array(beta1)


@exercise("ch2-ex4", en="a dict {'highest': β₁ where the learning rate is highest, "
                        "'lowest': β₁ where it is lowest}",
          ko="dict {'highest': 학습률이 가장 높을 때의 β₁, 'lowest': 가장 낮을 때의 β₁}")
def cyclic_momentum_on_adam(answer):
    parts = expect_parts(answer, ("highest", "lowest"))
    lrs, beta1 = _cyclic_beta1()
    at_high, at_low = beta1[np.argmax(lrs)], beta1[np.argmin(lrs)]
    chosen = 0.95
    high = expect_number(parts["highest"], "highest")
    low = expect_number(parts["lowest"], "lowest")
    if close(high, chosen) and close(low, chosen):
        return Hint(Words("CyclicLR's cycle_momentum is on by default, and Adam's β₁ counts as its "
                          "momentum: does 0.95 survive?",
                          "CyclicLR의 cycle_momentum은 기본으로 켜져 있고, Adam의 β₁이 그 모멘텀으로 "
                          "쓰입니다. 0.95가 그대로 남을까요?"), "untouched", "highest")
    if close(high, at_low) and close(low, at_high):
        return Hint(Words("the momentum moves against the learning rate, not with it.",
                          "모멘텀은 학습률과 같은 방향이 아니라 반대로 움직입니다."), "with-the-lr", "highest")
    if not close(high, at_high):
        return Hint(Words("where the rate peaks, CyclicLR sets the momentum to base_momentum "
                          "(its default).",
                          "학습률이 가장 높을 때 CyclicLR은 모멘텀을 base_momentum(기본값)으로 둡니다."),
                    "highest", "highest")
    if not close(low, at_low):
        if close(low, chosen):
            return Hint(Words("building the scheduler already overwrites β₁ with max_momentum: the "
                              "0.95 is gone from the start.",
                              "스케줄러를 만드는 순간 β₁이 max_momentum으로 덮어써집니다. 0.95는 처음부터 "
                              "사라집니다."), "kept-the-chosen-beta", "lowest")
        return Hint(Words("where the rate is lowest, CyclicLR sets the momentum to max_momentum "
                          "(its default).",
                          "학습률이 가장 낮을 때 CyclicLR은 모멘텀을 max_momentum(기본값)으로 둡니다."),
                    "lowest", "lowest")
    return None
