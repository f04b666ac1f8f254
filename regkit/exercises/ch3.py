"""Chapter 3's exercises: cosine annealing, warm restarts and warmup for Transformers."""

import math

import numpy as np

from .. import schedules
from ._core import (AnswerShapeError, Hint, Words, call_safely, close, digest, exercise,
                    expect_callable, expect_choice, expect_number, expect_parts, expect_vector)

T0, MULT, LR_MAX = 10, 2, 0.1


def _sgdr(steps=400):
    return schedules.cosine_with_restarts(np.arange(steps), LR_MAX, cycle_steps=T0, cycle_mult=MULT)


def _whole_steps(values, part):
    if not np.all(values == np.round(values)):
        raise AnswerShapeError(Words(f"({part}) steps are whole numbers.",
                                     f"({part}) 스텝은 정수입니다."))
    return values.astype(int)


@exercise("ch3-ex1", en="a dict {'restarts': the steps of the first four restarts, 'steps': how many "
                        "steps to train, 'lowest': the lowest learning rate of the third cycle}",
          ko="dict {'restarts': 처음 네 번의 재시작 스텝, 'steps': 학습할 스텝 수, "
             "'lowest': 세 번째 주기의 가장 낮은 학습률}")
def sgdr_restarts(answer):
    parts = expect_parts(answer, ("restarts", "steps", "lowest"))
    lr = _sgdr()
    starts = np.flatnonzero(lr == LR_MAX)                # 0 and then every restart
    lengths = np.diff(starts)
    restarts = np.sort(_whole_steps(expect_vector(parts["restarts"], 4, "restarts"), "restarts"))
    if not np.array_equal(restarts, starts[1:5]):
        if np.array_equal(restarts, lengths[:4]):
            return Hint(Words("those are the cycles' lengths; a restart happens where a cycle ends, "
                              "so add the lengths up.",
                              "그것은 주기의 길이입니다. 재시작은 주기가 끝나는 곳에서 일어나므로 길이를 "
                              "차례로 더하세요."), "lengths-not-restarts", "restarts")
        if np.array_equal(restarts, starts[:4]):
            return Hint(Words("step 0 is the start of training, not a restart.",
                              "스텝 0은 학습의 시작이지 재시작이 아닙니다."), "counted-step-0", "restarts")
        if np.array_equal(restarts, T0 * np.arange(1, 5)):
            return Hint(Words("with m = 2 every cycle is twice as long as the one before.",
                              "m = 2이면 주기마다 길이가 앞 주기의 두 배가 됩니다."), "ignored-m", "restarts")
        return Hint(Words("the cycles are T₀, T₀m, T₀m², … steps long; each restart comes where one ends.",
                          "주기의 길이는 T₀, T₀m, T₀m², … 스텝입니다. 재시작은 주기가 끝나는 곳마다 "
                          "일어납니다."), "restarts", "restarts")
    steps = expect_number(parts["steps"], "steps")
    if steps != starts[4]:
        if steps == starts[4] - 1:
            return Hint(Words("that is the last step's number; counting from 0, training that ends "
                              "with it lasts one step more.",
                              "그것은 마지막 스텝의 번호입니다. 스텝을 0부터 세므로 그 스텝에서 끝나는 "
                              "학습의 길이는 그 번호보다 한 스텝 깁니다."), "last-index", "steps")
        if steps in (starts[3], starts[5]):
            return Hint(Words("count the cycles again: the first one starts at step 0.",
                              "주기를 다시 세어 보세요. 첫 번째 주기는 스텝 0에서 시작합니다."),
                        "wrong-cycle", "steps")
        return Hint(Words("stop right before the restart that follows the fourth cycle.",
                          "네 번째 주기 다음의 재시작 바로 앞에서 멈추세요."), "steps", "steps")
    lowest = expect_number(parts["lowest"], "lowest")
    third = lr[starts[2]:starts[3]]
    if not close(lowest, third.min(), rtol=0.01):
        if lowest == 0:
            return Hint(Words("at whole steps T_cur only reaches T_i − 1, so α_min = 0 is never used.",
                              "정수 스텝에서 T_cur는 T_i − 1까지만 가므로 α_min = 0은 한 번도 쓰이지 "
                              "않습니다."), "reached-zero", "lowest")
        other_cycles = [lr[a:b].min() for a, b in zip(starts[:-1], starts[1:])]
        if any(close(lowest, value, rtol=0.01) for value in other_cycles):
            return Hint(Words("that is another cycle's lowest rate; the third cycle is the one after "
                              "the second restart.",
                              "다른 주기의 가장 낮은 학습률입니다. 세 번째 주기는 두 번째 재시작 다음 "
                              "주기입니다."), "wrong-cycle", "lowest")
        if close(lowest, LR_MAX * math.sin(math.pi / (2 * len(third))), rtol=0.01):
            return Hint(Words("the lowest rate is α_max · sin²(π / 2T_i): square the sine.",
                              "가장 낮은 학습률은 α_max · sin²(π / 2T_i)입니다. 사인을 제곱하세요."),
                        "forgot-the-square", "lowest")
        return Hint(Words("it is the rate of the cycle's last step, T_cur = T_i − 1.",
                          "주기의 마지막 스텝, 곧 T_cur = T_i − 1에서의 학습률입니다."), "lowest", "lowest")
    return None


TW, T, FLOOR = 20, 200, 0.1


@exercise("ch3-ex2", en="a function factor(step) for LambdaLR: the factor of the initial learning rate at "
                        "step t",
          ko="LambdaLR에 넘길 함수 factor(step): 스텝 t에서 초기 학습률에 곱할 계수")
def gpt3_lambda(answer):
    factor = expect_callable(answer)
    t = np.arange(250)
    got = np.array([expect_number(call_safely(factor, int(step)), None) for step in t])
    want = schedules.warmup_cosine(t, 1.0, TW, T, min_lr=FLOOR)
    if close(got, want, rtol=0, atol=1e-12):
        return None
    scale = got[TW]                                      # the value at the peak
    if scale > 0 and not close(scale, 1.0) and close(got, scale * want, rtol=1e-6, atol=1e-15):
        return Hint(Words("LambdaLR multiplies your value by the initial learning rate: return the "
                          "factor, 1 at the peak, not the learning rate itself.",
                          "LambdaLR은 돌려준 값에 초기 학습률을 곱합니다. 학습률 자체가 아니라 "
                          "최댓값에서 1이 되는 계수를 돌려주세요."), "returned-the-lr")
    if not close(got[:TW], want[:TW], rtol=0, atol=1e-12):
        return Hint(Words("the warmup should go from 0 at step 0 to 1 at step T_w in a straight line.",
                          "워밍업은 스텝 0의 0에서 스텝 T_w의 1까지 직선으로 올라가야 합니다."), "warmup")
    if close(got[:T + 1], schedules.warmup_cosine(t[:T + 1], 1.0, TW, T), rtol=0, atol=1e-12):
        return Hint(Words("the cosine should end at 10 % of the peak, not at 0.",
                          "코사인은 0이 아니라 최댓값의 10 %에서 끝나야 합니다."), "no-floor")
    if close(got[:T + 1], want[:T + 1], rtol=0, atol=1e-12):
        return Hint(Words("right up to T; after it the factor must stay at the floor, not climb back.",
                          "T까지는 맞습니다. 그 뒤에는 계수가 다시 올라가지 말고 바닥에 머물러야 합니다."),
                    "after-T")
    return Hint(Words("after the warmup the cosine's progress is (t − T_w)/(T − T_w), from 0 at T_w "
                      "to 1 at T.",
                      "워밍업 뒤 코사인의 진행도는 (t − T_w)/(T − T_w)로, T_w에서 0, T에서 1입니다."),
                "cosine")


NO = {  # digests of 'no' in English and Korean (and 'n', 'false')
    "1b16b1df538ba12d", "4c490f1ca1d756f8", "66b2ad55d8645d92", "9390298f3fb0c5b1",
    "9474acc7539b7e2c", "bcf26f704fdac00f", "fcbcf165908dd18a",
}
YES = {  # digests of 'yes' in English and Korean (and 'y', 'true')
    "1c0ddfd005093840", "2eb73fba696e2fe4", "8a798890fe938171", "a1fce4363854ff88",
    "b5bea41b6c623f7c", "f7c6efa694aaef95",
}


def _accuracies(value, part):
    accuracies = expect_vector(value, 8, part)
    if np.any(accuracies < 0) or np.any(accuracies > 100):
        raise AnswerShapeError(Words(f"({part}) test accuracies lie between 0 and 1.",
                                     f"({part}) 테스트 정확도는 0과 1 사이입니다."))
    return accuracies


@exercise("ch3-ex3", en="a dict {'post_ln_warmup': the 8 test accuracies of Post-LN with 15 warmup steps at "
                        "α = 0.09, 'warmup_enough': 'yes' or 'no'}",
          ko="dict {'post_ln_warmup': α = 0.09에서 워밍업 15 스텝을 준 Post-LN의 테스트 정확도 8개, "
             "'warmup_enough': 'yes' 또는 'no'}")
def post_ln_at_a_higher_peak(answer):
    parts = expect_parts(answer, ("post_ln_warmup", "warmup_enough"))
    post = _accuracies(parts["post_ln_warmup"], "post_ln_warmup")
    if np.any(post > 1):
        return Hint(Words("give the accuracies as fractions (0.93), not percentages (93).",
                          "정확도를 백분율(93)이 아니라 비율(0.93)로 쓰세요."), "percent")
    if not np.any(post < 0.5):
        return Hint(Words("no Post-LN seed failed: did the run get 15 warmup steps and peak_lr=0.09, as in "
                          "train_reverse(False, (WARMUP,), peak_lr=0.09)?",
                          "실패한 Post-LN 시드가 없습니다. train_reverse(False, (WARMUP,), peak_lr=0.09)처럼 "
                          "워밍업 15 스텝과 peak_lr=0.09로 돌렸나요?"), "peak-not-raised", "post_ln_warmup")
    verdict = parts["warmup_enough"]
    if isinstance(verdict, (bool, np.bool_)):
        verdict = "yes" if verdict else "no"
    verdict = digest(expect_choice(verdict, "warmup_enough"))
    if verdict not in NO | YES:
        raise AnswerShapeError(Words("(warmup_enough) answer 'yes' or 'no'.",
                                     "(warmup_enough) 'yes' 또는 'no'로 답하세요."))
    if verdict in YES:
        return Hint(Words("look at your own post_ln_warmup list: does every seed learn?",
                          "직접 잰 post_ln_warmup 목록을 보세요. 모든 시드가 학습되었나요?"),
                    "warmup-still-enough", "warmup_enough")
    return None


D_MODEL, WARM = 1024, 4000


@exercise("ch3-ex4", en="a dict {'a': the peak learning rate, 'b': the step t (counted from 0) where the "
                        "rate has fallen to half the peak}",
          ko="dict {'a': 최대 학습률, 'b': 학습률이 최댓값의 절반으로 떨어지는 스텝 t(0부터 셈)}")
def transformer_big_model(answer):
    parts = expect_parts(answer, "ab")
    t = np.arange(8 * WARM)
    lr = schedules.inverse_sqrt_warmup(t, d_model=D_MODEL, warmup_steps=WARM)
    peak = lr.max()
    a = expect_number(parts["a"], "a")
    if not close(a, peak, rtol=0.005):
        base = schedules.inverse_sqrt_warmup(WARM - 1, d_model=512, warmup_steps=WARM)
        if close(a, base, rtol=0.005):
            return Hint(Words("that is the base model's peak (d_model = 512); the big model is wider.",
                              "그것은 기본 모델(d_model = 512)의 최댓값입니다. 큰 모델은 더 넓습니다."),
                        "base-model", "a")
        if close(a, D_MODEL**-0.5, rtol=0.005):
            return Hint(Words("the factor d_model^−0.5 alone is not the peak: multiply by the min(...) "
                              "at n = T_w.",
                              "d_model^−0.5만으로는 최댓값이 아닙니다. n = T_w에서의 min(...)을 곱하세요."),
                        "forgot-the-min", "a")
        return Hint(Words("the two terms of the min meet at n = T_w; evaluate the formula there.",
                          "min의 두 항은 n = T_w에서 만납니다. 그 지점에서 식을 계산하세요."), "peak", "a")
    b = expect_number(parts["b"], "b")
    after = np.flatnonzero((t > lr.argmax()) & (lr <= peak / 2 * (1 + 1e-12)))[0]
    if b != after:
        if b == after + 1:
            return Hint(Words("that is n, the paper's step number; the course counts t = n − 1 from 0.",
                              "그것은 논문의 스텝 번호 n입니다. 이 과정은 0부터 t = n − 1로 셉니다."),
                        "n-not-t", "b")
        if b in (after + 1 - WARM, after - WARM):
            return Hint(Words("that counts from the peak; give the step t counted from the start.",
                              "최댓값에서부터 센 값입니다. 처음부터 센 스텝 t를 답하세요."),
                        "counted-from-peak", "b")
        if b in (2 * WARM, 2 * WARM - 1):
            return Hint(Words("the rate falls like 1/√n, not 1/n: halving it takes more than twice "
                              "the steps.",
                              "학습률은 1/n이 아니라 1/√n으로 줄어듭니다. 절반이 되려면 스텝이 두 배보다 "
                              "더 필요합니다."), "one-over-n", "b")
        return Hint(Words("after the peak α_n = α_peak · √(T_w / n); solve √(T_w / n) = 1/2.",
                          "최댓값 뒤에는 α_n = α_peak · √(T_w / n)입니다. √(T_w / n) = 1/2을 푸세요."),
                    "half", "b")
    return None
