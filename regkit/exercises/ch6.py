"""Chapter 6's exercises: the GPT-3 recipe on a tiny language model."""

import numpy as np

from .. import optim, schedules
from ._core import (Hint, Words, close, exercise, expect_number, expect_parts,
                    expect_vector, zero_gradient_path)

# GPT-3 175B (the paper's table 2.1 and appendix B): tokens per batch, warmup, cosine end, run.
BATCH, SMALL_BATCH = 3.2e6, 0.5e6
WARMUP_TOKENS, COSINE_TOKENS, RUN_TOKENS = 375e6, 260e9, 300e9
PEAK_175B = 0.6e-4


def _steps(batch):
    """(warmup, whole run, end of the cosine, the cosine's own length), in steps of ``batch`` tokens."""
    warmup, end = WARMUP_TOKENS / batch, COSINE_TOKENS / batch
    return np.array([warmup, RUN_TOKENS / batch, end, end - warmup])


@exercise("ch6-ex1", en="a dict {'a': (warmup steps, steps of the whole run, step where the cosine ends, "
                        "steps the cosine lasts), 'b': the learning rate of the last 40 billion tokens}",
          ko="dict {'a': (워밍업 스텝 수, 전체 학습의 스텝 수, 코사인이 끝나는 스텝, 코사인 구간의 스텝 수), "
             "'b': 마지막 400억 토큰 동안의 학습률}")
def gpt3_schedule_in_steps(answer):
    parts = expect_parts(answer, "ab")
    warmup, total, end, length = _steps(BATCH)
    a = expect_vector(parts["a"], 4, "a")
    if close(a, _steps(SMALL_BATCH), rtol=0.01):
        return Hint(Words("those are GPT-3 Small's steps (0.5 million tokens a batch); the 175B model's "
                          "batches hold 3.2 million tokens.",
                          "그것은 배치 하나가 50만 토큰인 GPT-3 Small의 스텝 수입니다. 175B 모델의 배치는 "
                          "320만 토큰입니다."), "small-model-batch", "a")
    if not (abs(a[0] - warmup) <= 1 and abs(a[1] - total) <= 1):
        return Hint(Words("a number of steps is a number of tokens divided by the tokens per batch; "
                          "mind the units: 375 million is 375×10⁶, 3.2 million is 3.2×10⁶.",
                          "스텝 수는 토큰 수를 배치 하나의 토큰 수로 나눈 값입니다. 단위에 주의하세요. "
                          "3.75억은 375×10⁶, 320만은 3.2×10⁶입니다."), "tokens-per-step", "a")
    if abs(a[2] - end) > 1:
        if abs(a[2] - (end + warmup)) <= 2:
            return Hint(Words("the 260 billion tokens are counted from the start of training, warmup "
                              "included, not from the end of the warmup.",
                              "2600억 토큰은 워밍업 뒤부터가 아니라 워밍업을 포함해 학습의 처음부터 센 "
                              "값입니다."), "end-counted-after-warmup", "a")
        return Hint(Words("the cosine ends where 260 billion tokens have been seen.",
                          "코사인은 2600억 토큰을 본 지점에서 끝납니다."), "cosine-end", "a")
    if abs(a[3] - length) > 2:
        if abs(a[3] - end) <= 1:
            return Hint(Words("the cosine starts only when the warmup is over: its own length leaves "
                              "the warmup steps out.",
                              "코사인은 워밍업이 끝난 뒤에야 시작합니다. 코사인 구간의 길이에서는 워밍업 "
                              "스텝을 빼야 합니다."), "cosine-includes-warmup", "a")
        if abs(a[3] - (total - warmup)) <= 2 or abs(a[3] - (total - end)) <= 1:
            return Hint(Words("the cosine runs from the end of the warmup to 260 billion tokens; after "
                              "that the rate stays where the cosine left it.",
                              "코사인은 워밍업이 끝난 때부터 2600억 토큰까지입니다. 그 뒤의 학습률은 "
                              "코사인이 남긴 값에 머뭅니다."), "cosine-until-end-of-run", "a")
        return Hint(Words("the cosine lasts from the end of the warmup to the step where it ends.",
                          "코사인 구간은 워밍업이 끝난 스텝부터 코사인이 끝나는 스텝까지입니다."),
                    "cosine-length", "a")
    b = expect_number(parts["b"], "b")
    steps = np.array([round(total)])
    floor = float(schedules.warmup_cosine(steps, PEAK_175B, round(warmup), round(end),
                                          min_lr=0.1 * PEAK_175B)[0])
    if not close(b, floor, rtol=1e-3, atol=1e-12):
        if b == 0:
            return Hint(Words("GPT-3's cosine does not go down to 0.", "GPT-3의 코사인은 0까지 내려가지 "
                              "않습니다."), "floor-not-zero", "b")
        if close(b, PEAK_175B, rtol=1e-3):
            return Hint(Words("that is the peak; the last 40 billion tokens come after the cosine.",
                              "그것은 최대 학습률입니다. 마지막 400억 토큰은 코사인이 끝난 뒤입니다."),
                        "peak", "b")
        if floor < b < PEAK_175B:
            return Hint(Words("by then the cosine is over: the rate no longer decreases.",
                              "그때는 코사인이 이미 끝났습니다. 학습률은 더 내려가지 않습니다."),
                        "still-decaying", "b")
        return Hint(Words("after the cosine the rate stays at its floor: what share of the peak is it?",
                          "코사인이 끝나면 학습률은 바닥값에 머뭅니다. 그 바닥값은 최댓값의 몇 %인가요?"),
                    "floor", "b")
    return None


def _one_weight(steps=10, **decay):
    """w after 0, 1, ..., steps steps of regkit's Adam (lr 0.1) from 0.5 with a data gradient of 0."""
    return zero_gradient_path(lambda params: optim.Adam(params, lr=0.1, **decay), 0.5, steps)


@exercise("ch6-ex2", en="a dict {'l2': the 11 values of w (start and after each of the 10 steps) with l2=0.1, "
                        "'decay': the same with weight_decay=0.1}",
          ko="dict {'l2': l2=0.1일 때 w의 값 11개(시작값과 10 스텝 각각의 뒤), "
             "'decay': weight_decay=0.1일 때의 같은 값}")
def l2_versus_decay_in_adam(answer):
    parts = expect_parts(answer, ("l2", "decay"))
    coupled, decoupled = _one_weight(l2=0.1), _one_weight(weight_decay=0.1)
    l2 = expect_vector(parts["l2"], 11, "l2")
    decay = expect_vector(parts["decay"], 11, "decay")

    def same(x, y):
        return close(x, y, rtol=1e-4, atol=1e-5)

    if same(l2, decoupled) and same(decay, coupled):
        return Hint(Words("the two runs are swapped: which one shrinks by the same share at every step?",
                          "두 실행이 뒤바뀌었습니다. 어느 쪽이 스텝마다 같은 비율로 줄어드나요?"),
                    "swapped", "l2")
    if not close(l2[0], 0.5) or not close(decay[0], 0.5):
        return Hint(Words("start each list with the initial weight 0.5, then the weight after each step.",
                          "각 목록은 처음 가중치 0.5로 시작하고, 그다음에 스텝마다의 가중치를 적으세요."),
                    "start", "l2" if not close(l2[0], 0.5) else "decay")
    if not same(l2, coupled):
        if same(l2, decoupled):
            return Hint(Words("that path shrinks by 1 % a step, as decoupled decay does; with `l2=0.1` "
                              "the gradient Adam sees is λw, and Adam divides it by its own size.",
                              "그 경로는 분리된 감쇠처럼 스텝마다 1 %씩 줄어듭니다. `l2=0.1`이면 Adam이 보는 "
                              "그래디언트가 λw이고, Adam은 그것을 자기 크기로 나눕니다."), "l2-as-decay", "l2")
        return Hint(Words("run `regkit.optim.Adam([w], lr=0.1, l2=0.1)` for 10 steps, setting `w.grad` to "
                          "0 before each step.",
                          "`regkit.optim.Adam([w], lr=0.1, l2=0.1)`로 10 스텝을 돌리고, 스텝마다 그 전에 "
                          "`w.grad`를 0으로 두세요."), "l2-run", "l2")
    if not same(decay, decoupled):
        if same(decay, coupled):
            return Hint(Words("that is the L2 path again: pass `weight_decay=0.1`, not `l2`.",
                              "그것은 다시 L2의 경로입니다. `l2`가 아니라 `weight_decay=0.1`을 넘기세요."),
                        "decay-as-l2", "decay")
        if same(decay, 0.5 * 0.9 ** np.arange(11)):
            return Hint(Words("the library's decay is multiplied by the learning rate: each step shrinks "
                              "w by α·λ, not by λ.",
                              "라이브러리의 감쇠는 학습률과 곱해집니다. 스텝마다 w는 λ가 아니라 α·λ만큼 "
                              "줄어듭니다."), "decay-not-times-lr", "decay")
        return Hint(Words("run `regkit.optim.Adam([w], lr=0.1, weight_decay=0.1)` for 10 steps with a zero "
                          "gradient.",
                          "그래디언트를 0으로 두고 `regkit.optim.Adam([w], lr=0.1, weight_decay=0.1)`로 "
                          "10 스텝을 돌리세요."), "decay-run", "decay")
    return None


# The chapter's schedule: warmup_cosine over STEPS = 100, WARMUP = 10, PEAK_LR = 0.1, floor 10 %.
STEPS, WARMUP, PEAK_LR, LAMBDA = 100, 10, 0.1, 0.1


def _shrink(alphas):
    return float(np.prod(1 - LAMBDA * alphas))


@exercise("ch6-ex3", en="a dict {'factor': ∏(1 − α_t λ) over the chapter's schedule, "
                        "'ratio': the layer-norm scale of 'decay everything' over the recipe's, from the table}",
          ko="dict {'factor': 이 장의 스케줄에서 ∏(1 − α_t λ), "
             "'ratio': 표에서 '모두 감쇠'의 층 정규화 스케일을 GPT-3 레시피의 것으로 나눈 값}")
def decay_alone_shrinks_the_scales(answer):
    parts = expect_parts(answer, ("factor", "ratio"))
    steps = np.arange(STEPS)
    alphas = schedules.warmup_cosine(steps, PEAK_LR, WARMUP, STEPS, min_lr=0.1 * PEAK_LR)
    factor = _shrink(alphas)
    got = expect_number(parts["factor"], "factor")
    if not close(got, factor, rtol=0.01):   # e^{-λΣα} (0.580) and a 101st step pass
        if close(got, (1 - LAMBDA * PEAK_LR) ** STEPS, rtol=0.01):
            return Hint(Words("that keeps the peak rate at every step; use the schedule's α_t, which "
                              "starts at 0 and ends at 10 % of the peak.",
                              "그것은 모든 스텝에서 최대 학습률을 쓴 값입니다. 0에서 시작해 최댓값의 10 %로 "
                              "끝나는 스케줄의 α_t를 쓰세요."), "constant-lr", "factor")
        if close(got, _shrink(schedules.warmup_cosine(steps, PEAK_LR, WARMUP, STEPS)), rtol=0.01):
            return Hint(Words("the chapter's cosine ends at 10 % of the peak, not at 0.",
                              "이 장의 코사인은 0이 아니라 최댓값의 10 %에서 끝납니다."), "no-floor", "factor")
        if close(got, LAMBDA * alphas.sum(), rtol=0.01) or close(got, alphas.sum(), rtol=0.01):
            return Hint(Words("that is the exponent (or the sum of the rates), not the factor itself.",
                              "그것은 지수(또는 학습률의 합)이지 배율 자체가 아닙니다."), "exponent", "factor")
        if got < 0.05:
            return Hint(Words("each step multiplies by 1 − α_t·λ: did you leave out λ = 0.1?",
                              "스텝마다 1 − α_t·λ를 곱합니다. λ = 0.1을 빠뜨렸나요?"), "forgot-lambda", "factor")
        return Hint(Words("multiply 1 − 0.1·α_t over the 100 steps of `warmup_cosine`.",
                          "`warmup_cosine`의 100 스텝에 걸쳐 1 − 0.1·α_t를 곱하세요."), "product", "factor")
    ratio = expect_number(parts["ratio"], "ratio")
    if not abs(ratio - factor) < 0.15:   # the chapter's own bound, which holds on every seed
        if ratio > 1 and abs(1 / ratio - factor) < 0.15:
            return Hint(Words("that is the recipe's scale over the other: divide 'decay everything' by "
                              "the recipe.",
                              "그것은 GPT-3 레시피의 스케일을 다른 쪽으로 나눈 값입니다. '모두 감쇠'를 레시피로 "
                              "나누세요."), "inverted", "ratio")
        return Hint(Words("read the LN column of the table (the mean layer-norm scale): 'decay "
                          "everything' divided by the recipe.",
                          "표의 LN 열(층 정규화 스케일의 평균)에서 '모두 감쇠'를 GPT-3 레시피로 나누세요."),
                    "ln-column", "ratio")
    return None


@exercise("ch6-ex4", en="a dict {'median': the median gradient norm of `gpt3`, 'above': how many steps "
                        "exceeded 1, 'share': the fraction of steps a threshold of half the median would clip}",
          ko="dict {'median': `gpt3`의 그래디언트 노름의 중앙값, 'above': 1을 넘은 스텝 수, "
             "'share': 임계값을 중앙값의 절반으로 했을 때 잘릴 스텝의 비율}")
def clipping_rarely_acts(answer):
    parts = expect_parts(answer, ("median", "above", "share"))
    median = expect_number(parts["median"], "median")
    if not 0 < median < 0.5:   # the chapter's bound, on every seed
        if median >= 0.5:
            return Hint(Words("the recipe's typical norm is well below the threshold: take the median "
                              "(`np.median`) of `gpt3.grad_norm`, the recipe's first seed.",
                              "GPT-3 레시피의 평소 노름은 임계값보다 한참 아래입니다. 레시피의 첫 시드인 "
                              "`gpt3.grad_norm`의 중앙값(`np.median`)을 구하세요."), "median", "median")
        return Hint(Words("a norm is positive: take `np.median(gpt3.grad_norm)`.",
                          "노름은 양수입니다. `np.median(gpt3.grad_norm)`을 구하세요."), "median", "median")
    above = expect_number(parts["above"], "above")
    if above != int(above) or above < 0:
        return Hint(Words("give a count of steps, e.g. `(gpt3.grad_norm > 1).sum()`, not a share.",
                          "비율이 아니라 스텝의 개수를 넣으세요(예: `(gpt3.grad_norm > 1).sum()`)."),
                    "count", "above")
    if above > 10:
        return Hint(Words("in the recipe's run only a few steps exceed 1: count those of `gpt3` "
                          "(before clipping), not of plain Adam.",
                          "GPT-3 레시피의 실행에서 1을 넘는 스텝은 몇 개뿐입니다. 일반 Adam이 아니라 `gpt3`의 "
                          "(클리핑 전) 노름에서 세세요."), "too-many-above", "above")
    share = expect_number(parts["share"], "share")
    if 1 < share <= 100:
        return Hint(Words("give a fraction between 0 and 1, not a percentage.",
                          "백분율이 아니라 0과 1 사이의 비율로 넣으세요."), "percent", "share")
    if not 0.9 < share <= 1:
        if 0 < share <= 0.6:
            return Hint(Words("half the median is below the median itself: every step above the median "
                              "is clipped, and how many of those below it?",
                              "중앙값의 절반은 중앙값보다 아래입니다. 중앙값을 넘는 스텝은 모두 잘리는데, 그 아래 "
                              "스텝은 얼마나 잘릴까요?"), "half-of-steps", "share")
        return Hint(Words("count the steps whose norm exceeds half the median: "
                          "`(gpt3.grad_norm > median / 2).mean()`.",
                          "노름이 중앙값의 절반을 넘는 스텝의 비율을 구하세요: "
                          "`(gpt3.grad_norm > median / 2).mean()`."), "share", "share")
    return None

