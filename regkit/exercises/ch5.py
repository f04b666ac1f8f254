"""Chapter 5's exercises: weight decay, and why it is not L2 for Adam."""

import numpy as np
import torch

from .. import optim
from ._core import (Hint, Words, close, exercise, expect_number, expect_parts, expect_vector,
                    zero_gradient_path)


def _path(make_optimizer, theta0, steps, dtype=torch.float64):
    """θ after each of ``steps`` steps (the start left out) with a loss gradient of 0."""
    return zero_gradient_path(make_optimizer, theta0, steps, dtype)[1:]


def _adamw_beta(lr, weight_decay):
    """The fraction of a weight that one step of AdamW takes away when the gradient is 0."""
    return 1 - _path(lambda p: optim.Adam(p, lr=lr, weight_decay=weight_decay), 1.0, 1)[0]


@exercise("ch5-ex1", en="a dict {'a': β, 'b': the paper's λ, 'c': the number for Keras's weight_decay, "
                        "'d': (β after halving the learning rate, the weight_decay that keeps β)}",
          ko="dict {'a': β, 'b': 논문의 λ, 'c': Keras의 weight_decay에 넣을 숫자, "
             "'d': (학습률을 절반으로 줄인 뒤의 β, β를 유지하는 weight_decay)}")
def adamw_conventions(answer):
    parts = expect_parts(answer, "abcd")
    lr, wd = 3e-4, 0.05
    beta = _adamw_beta(lr, wd)
    a = expect_number(parts["a"], "a")
    if not close(a, beta):
        if close(a, wd):
            return Hint(Words("0.05 is the library's λ; PyTorch multiplies it by the learning rate at "
                              "every step.",
                              "0.05는 라이브러리의 λ입니다. PyTorch는 스텝마다 이 값에 학습률을 곱합니다."),
                        "library-lambda", "a")
        if close(a, 1 - beta, rtol=1e-7):
            return Hint(Words("that is the share of the weight that is left, 1 − β; β is the share "
                              "taken away.",
                              "그것은 남는 몫 1 − β입니다. β는 덜어 내는 몫입니다."), "one-minus-beta", "a")
        if close(a, wd / lr):
            return Hint(Words("the learning rate multiplies the decay, it does not divide it.",
                              "학습률은 감쇠에 곱해집니다. 나누는 것이 아닙니다."), "divided", "a")
        return Hint(Words("AdamW multiplies the weights by 1 − αλ at every step.",
                          "AdamW는 스텝마다 가중치에 1 − αλ를 곱합니다."), "beta", "a")
    b = expect_number(parts["b"], "b")
    if not close(b, beta):   # the paper's decay per step is s_t·λ, with s_t = 1 at the peak
        if close(b, wd):
            return Hint(Words("in Algorithm 2 the decay per step is s_t·λ, with no α in it: the paper's "
                              "λ must already contain the learning rate.",
                              "알고리즘 2에서 스텝당 감쇠는 s_t·λ이고 α가 들어 있지 않습니다. 논문의 λ에 "
                              "이미 학습률이 들어가 있어야 합니다."), "library-lambda", "b")
        if close(b, wd / lr):
            return Hint(Words("the paper's λ is a library's λ multiplied by α, not divided by it.",
                              "논문의 λ는 라이브러리의 λ에 α를 곱한 것입니다. 나누는 것이 아닙니다."),
                        "divided", "b")
        return Hint(Words("make the paper's decay per step, s_t·λ at s_t = 1, equal to β.",
                          "논문의 스텝당 감쇠 s_t·λ(s_t = 1)를 β와 같게 놓으세요."), "paper", "b")
    c = expect_number(parts["c"], "c")
    keras = beta / lr            # Keras's base optimizer: variable − variable · wd · lr
    if not close(c, keras):
        if close(c, beta):
            return Hint(Words("Keras multiplies its weight_decay by the learning rate too "
                              "(`variable - variable * wd * lr`).",
                              "Keras도 weight_decay에 학습률을 곱합니다 "
                              "(`variable - variable * wd * lr`)."), "keras-multiplies-lr", "c")
        if close(c, keras / 2) or close(c, 2 * keras):
            return Hint(Words("the factor 2 belongs to Keras's L2 regularizer (chapter 4); the "
                              "optimizer's weight_decay has none.",
                              "2배 차이는 Keras의 L2 정규화 항(4장) 이야기입니다. 옵티마이저의 "
                              "weight_decay에는 그런 배율이 없습니다."), "regularizer-factor", "c")
        return Hint(Words("Keras's optimizers decay by weight_decay × learning rate per step.",
                          "Keras의 옵티마이저는 스텝마다 weight_decay × 학습률만큼 감쇠합니다."),
                    "keras", "c")
    d = expect_vector(parts["d"], 2, "d")
    beta_half = _adamw_beta(lr / 2, wd)
    keep = wd * beta / beta_half  # what brings α_new · weight_decay back to β
    if not close(d[0], beta_half):
        if close(d[0], beta):
            return Hint(Words("(first number) PyTorch's β is α·λ: does it stay put when α halves?",
                              "(첫 번째 수) PyTorch의 β는 α·λ입니다. α가 절반이 되어도 그대로일까요?"),
                        "beta-unchanged", "d")
        return Hint(Words("(first number) recompute α·λ with the new learning rate.",
                          "(첫 번째 수) 새 학습률로 α·λ를 다시 계산하세요."), "new-beta", "d")
    if not close(d[1], keep):
        if close(d[1], wd * beta_half / beta):
            return Hint(Words("(second number) lowering weight_decay lowers β further; the learning "
                              "rate's change must be made up for the other way.",
                              "(두 번째 수) weight_decay를 줄이면 β가 더 작아집니다. 학습률의 변화를 "
                              "반대 방향으로 메워야 합니다."), "wrong-way", "d")
        if close(d[1], wd):
            return Hint(Words("(second number) with weight_decay unchanged, β changes: that is the "
                              "first number.",
                              "(두 번째 수) weight_decay를 그대로 두면 β가 바뀝니다. 첫 번째 수가 "
                              "그것입니다."), "kept-weight-decay", "d")
        return Hint(Words("(second number) solve α_new · weight_decay = β for weight_decay.",
                          "(두 번째 수) α_new · weight_decay = β를 weight_decay에 대해 푸세요."),
                    "keep-beta", "d")
    return None


def _adam_l2_path(lam):
    return _path(lambda p: optim.Adam(p, lr=0.01, l2=lam), 0.5, 50, dtype=torch.float32)


@exercise("ch5-ex2", en="a dict {'theta_10': θ after 10 steps at λ = 1e-2, 'tiny': θ after 50 steps "
                        "at λ = 1e-9}",
          ko="dict {'theta_10': λ = 1e-2일 때 10 스텝 뒤의 θ, 'tiny': λ = 1e-9일 때 50 스텝 뒤의 θ}")
def adam_l2_ignores_lambda(answer):
    parts = expect_parts(answer, ("theta_10", "tiny"))
    path = _adam_l2_path(1e-2)
    theta_10 = expect_number(parts["theta_10"], "theta_10")
    if not close(theta_10, path[9], rtol=0, atol=3e-3):
        if close(theta_10, 0.5, rtol=0, atol=3e-3):
            return Hint(Words("a decay of λθ per step would barely move θ; but Adam divides λθ by its "
                              "own RMS. Run the 10 steps.",
                              "스텝마다 λθ만큼 줄어든다면 θ는 거의 움직이지 않을 것입니다. 하지만 Adam은 "
                              "λθ를 그 자신의 RMS로 나눕니다. 10 스텝을 직접 돌려 보세요."),
                        "expected-small-decay", "theta_10")
        if close(theta_10, path[10], rtol=0, atol=3e-3) or close(theta_10, path[8], rtol=0, atol=3e-3):
            return Hint(Words("off by one step: θ_10 is the value after the tenth step, `path[9]`.",
                              "한 스텝 어긋났습니다. θ_10은 열 번째 스텝 뒤의 값, `path[9]`입니다."),
                        "off-by-one", "theta_10")
        return Hint(Words("apply `optim.Adam(lr=0.01, l2=1e-2)` with a zero gradient, starting from "
                          "θ₀ = 0.5, and read θ after 10 steps.",
                          "θ₀ = 0.5에서 시작해 그래디언트 0으로 `optim.Adam(lr=0.01, l2=1e-2)`를 "
                          "적용하고 10 스텝 뒤의 θ를 읽으세요."), "trajectory", "theta_10")
    tiny = expect_number(parts["tiny"], "tiny")
    truth = _adam_l2_path(1e-9)[-1]
    if not close(tiny, truth, rtol=0, atol=5e-3):
        if close(tiny, path[-1], rtol=0, atol=1e-2):
            return Hint(Words("at λ = 1e-9 the trajectory is not the same: compare λθ with Adam's ε.",
                              "λ = 1e-9에서는 궤적이 같지 않습니다. λθ를 Adam의 ε과 비교해 보세요."),
                        "eps-ignored", "tiny")
        if tiny >= 0.4995:
            return Hint(Words("θ does move at λ = 1e-9, slowly: run the 50 steps.",
                              "λ = 1e-9에서도 θ는 천천히 움직입니다. 50 스텝을 직접 돌려 보세요."),
                        "does-not-move", "tiny")
        return Hint(Words("run `optim.Adam(lr=0.01, l2=1e-9)` for 50 steps with a zero gradient and "
                          "read the last θ.",
                          "그래디언트 0으로 `optim.Adam(lr=0.01, l2=1e-9)`를 50 스텝 돌리고 마지막 θ를 "
                          "읽으세요."), "trajectory", "tiny")
    return None


@exercise("ch5-ex3", en="a dict {'r': the factor per step after the transient, 'ratio': (1 − r) / (αλ)}",
          ko="dict {'r': 과도 구간 뒤 스텝당 비율, 'ratio': (1 − r) / (αλ)}")
def momentum_l2_factor(answer):
    parts = expect_parts(answer, ("r", "ratio"))
    alpha, lam, mu = 0.1, 0.01, 0.9
    path = _path(lambda p: optim.SGD(p, lr=alpha, momentum=mu, l2=lam), 1.0, 300)
    r_true = path[-1] / path[-2]
    b = 1 + mu - alpha * lam
    r_small = (b - np.sqrt(b * b - 4 * mu)) / 2       # the other root of r² − b·r + μ = 0
    r = expect_number(parts["r"], "r")
    if not close(r, r_true, rtol=0, atol=2e-4):
        if close(r, 1 - alpha * lam, rtol=0, atol=1e-5):
            return Hint(Words("1 − αλ is decoupled decay's factor; with l2 the velocity piles up the "
                              "λθ terms.",
                              "1 − αλ는 분리된 감쇠의 비율입니다. l2에서는 속도가 λθ 항을 쌓아 둡니다."),
                        "decoupled-factor", "r")
        if close(r, 1 - alpha * lam / (1 - mu), rtol=0, atol=1e-5):
            return Hint(Words("1 − αλ/(1 − μ) is the small-αλ approximation; the measured factor, "
                              "the quadratic's larger root, is a little smaller.",
                              "1 − αλ/(1 − μ)는 αλ가 작을 때의 근사입니다. 실제로 잰 비율(2차 방정식의 큰 "
                              "근)은 그보다 조금 작습니다."), "approximation", "r")
        if close(r, r_small, rtol=0, atol=1e-3):
            return Hint(Words("that root dies out after the transient; the one that remains is the "
                              "larger.",
                              "그 근은 과도 구간이 지나면 사라집니다. 남는 것은 큰 근입니다."),
                        "smaller-root", "r")
        if close(r, 1 - r_true, rtol=0.02):
            return Hint(Words("that is what the weight loses per step, 1 − r; r is what is left.",
                              "그것은 스텝마다 잃는 몫 1 − r입니다. r은 남는 몫입니다."),
                        "loss-not-factor", "r")
        if r_true < r < 1:
            return Hint(Words("measure after the transient: the ratio of the last two values of a "
                              "long run, not of the first steps.",
                              "과도 구간이 지난 뒤에 재세요. 처음 몇 스텝이 아니라 긴 실행의 마지막 두 "
                              "값의 비를 쓰세요."), "transient", "r")
        return Hint(Words("divide θ at the last step by θ at the step before, after a few hundred steps.",
                          "수백 스텝 뒤, 마지막 스텝의 θ를 그 전 스텝의 θ로 나누세요."), "measure", "r")
    ratio = expect_number(parts["ratio"], "ratio")
    truth = (1 - r_true) / (alpha * lam)
    if not close(ratio, truth, rtol=0.02):
        if close(ratio, 1 / truth, rtol=0.02):
            return Hint(Words("the ratio is upside down: L2's decay per step over decoupled decay's.",
                              "비가 뒤집혔습니다. L2의 스텝당 감쇠를 분리된 감쇠의 것으로 나누세요."),
                        "inverted", "ratio")
        if close(ratio, 1 / (1 - mu), rtol=0.005):
            return Hint(Words("1/(1 − μ) is the approximation; compute (1 − r)/(αλ) from your r.",
                              "1/(1 − μ)는 근사값입니다. 구한 r로 (1 − r)/(αλ)를 계산하세요."),
                        "approximation", "ratio")
        if close(ratio, (1 - alpha * lam) / r_true, rtol=1e-3):
            return Hint(Words("compare what is lost per step, 1 − r against αλ, not the factors kept.",
                              "남는 비율이 아니라 스텝마다 잃는 몫, 1 − r과 αλ를 비교하세요."),
                        "factors-not-decays", "ratio")
        return Hint(Words("compute (1 − r)/(αλ) with α = 0.1 and λ = 0.01.",
                          "α = 0.1, λ = 0.01로 (1 − r)/(αλ)를 계산하세요."), "ratio", "ratio")
    return None


# The chapter's Fig. 2 grid: λ a decade apart, α half a decade apart (both log-spaced).
LAMS = np.logspace(-5, 1, 7)
LRS_ADAM = np.logspace(-3.5, -0.5, 7)


@exercise("ch5-ex4", en="a dict {'a': how many columns of λ to the right per row of α up, along constant "
                        "weight_decay; 'b': the exponent k in weight_decay ∝ α^k along AdamW's good "
                        "region, in PyTorch's convention}",
          ko="dict {'a': weight_decay가 일정한 선에서 α가 한 행 올라갈 때 λ가 오른쪽으로 가는 열의 수, "
             "'b': PyTorch 관례에서 AdamW의 좋은 영역을 따라 weight_decay ∝ α^k인 지수 k}")
def pytorch_axes(answer):
    parts = expect_parts(answer, "ab")
    row, column = np.diff(np.log10(LRS_ADAM))[0], np.diff(np.log10(LAMS))[0]  # decades per step
    a = expect_number(parts["a"], "a")
    per_row = row / column      # constant λ/α: log λ rises with log α, one for one
    if not close(a, per_row, rtol=1e-4):
        if close(a, 1 / per_row, rtol=1e-4):
            return Hint(Words("that is rows per column; the question asks for columns per row.",
                              "그것은 열당 행의 수입니다. 행당 열의 수를 구하세요."), "rows-per-column", "a")
        if close(a, -per_row, rtol=1e-4) or close(a, -1 / per_row, rtol=1e-4):
            return Hint(Words("for λ/α to stay fixed, λ must grow when α grows: which way is that on "
                              "the grid?",
                              "λ/α가 일정하려면 α가 커질 때 λ도 커져야 합니다. 격자에서 어느 쪽일까요?"),
                        "sign", "a")
        if close(a, 1.0, rtol=1e-4):
            return Hint(Words("the rows and the columns are not equally spaced: count the decades of "
                              "one row of α and of one column of λ.",
                              "행과 열의 간격이 같지 않습니다. α의 한 행과 λ의 한 열이 각각 몇 자릿수인지 "
                              "세어 보세요."), "grid-spacing", "a")
        if close(a, 0.0, rtol=0, atol=1e-9):
            return Hint(Words("a column is constant paper λ, AdamW's good region; constant weight_decay "
                              "= λ/α is another line.",
                              "한 열은 논문의 λ가 일정한 곳, 곧 AdamW의 좋은 영역입니다. weight_decay = "
                              "λ/α가 일정한 곳은 다른 선입니다."), "paper-column", "a")
        return Hint(Words("λ ∝ α along that line: convert a decade of α and a decade of λ into rows "
                          "and columns.",
                          "그 선에서는 λ ∝ α입니다. α의 한 자릿수와 λ의 한 자릿수를 행과 열로 바꿔 보세요."),
                    "line", "a")
    b = expect_number(parts["b"], "b")
    k = np.polyfit(np.log10(LRS_ADAM), np.log10(LAMS[3] / LRS_ADAM), 1)[0]  # one column, λ fixed
    if not close(b, k, rtol=0, atol=0.01):
        if close(b, 0.0, rtol=0, atol=0.01):
            return Hint(Words("k = 0 describes the paper's axes, where the region is a column; PyTorch's "
                              "weight_decay is λ/α.",
                              "k = 0은 좋은 영역이 한 열인 논문의 좌표입니다. PyTorch의 weight_decay는 "
                              "λ/α입니다."), "paper-convention", "b")
        if close(b, -k, rtol=0, atol=0.01):
            return Hint(Words("at a fixed paper λ, a larger α means a smaller weight_decay = λ/α.",
                              "논문의 λ가 고정되면 α가 클수록 weight_decay = λ/α는 작아집니다."),
                        "sign", "b")
        if close(b, -per_row, rtol=0, atol=0.01):
            return Hint(Words("that is a slope in grid units (columns per row); give the exponent of α "
                              "in weight_decay = λ/α instead.",
                              "그것은 격자 단위(행당 열의 수)의 기울기입니다. weight_decay = λ/α에서 α의 "
                              "지수를 답하세요."), "grid-units", "b")
        if k < b < 0:
            return Hint(Words("that looks like a slope measured on the noisy grid; a column of constant "
                              "λ gives weight_decay = λ/α exactly: what power of α is that?",
                              "잡음이 있는 격자에서 잰 기울기로 보입니다. λ가 일정한 열에서는 정확히 "
                              "weight_decay = λ/α입니다. α의 몇 제곱일까요?"), "measured", "b")
        return Hint(Words("write weight_decay = λ/α with λ fixed, as a power of α.",
                          "λ를 고정하고 weight_decay = λ/α를 α의 거듭제곱으로 쓰세요."), "exponent", "b")
    return None
