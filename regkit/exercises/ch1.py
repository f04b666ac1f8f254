"""Chapter 1's exercises: gradient clipping."""

import numpy as np

from .. import clipping, data
from ._core import (AnswerShapeError, Hint, Words, call_safely, close, digest, exercise,
                    expect_callable, expect_choice, expect_number, expect_parts, expect_set,
                    expect_vector)


def _angle_deg(u, v):
    cos = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


@exercise("ch1-ex1", en="a dict {'a': (x, y), 'b': (x, y), 'c': (x, y), 'd': the angle in degrees}",
          ko="dict {'a': (x, y), 'b': (x, y), 'c': (x, y), 'd': 도 단위의 각도}")
def norm_and_value_clipping(answer):
    parts = expect_parts(answer, "abcd")
    g, eta = np.array([6.0, 8.0]), 5.0
    by_norm, by_value = clipping.clip_by_norm(g, eta), np.clip(g, -eta, eta)
    a = expect_vector(parts["a"], 2, "a")
    if not close(a, by_norm):
        if close(a, g):
            return Hint(Words("‖g‖ is above η, so norm clipping does act.",
                              "‖g‖가 η보다 크므로 노름 클리핑이 작동합니다."), "norm-not-clipped", "a")
        if close(a, by_value):
            return Hint(Words("that is value clipping; norm clipping keeps g's direction.",
                              "그것은 값 클리핑입니다. 노름 클리핑은 g의 방향을 그대로 둡니다."),
                        "value-instead-of-norm", "a")
        if close(a, g / np.linalg.norm(g)):
            return Hint(Words("the clipped gradient has length η, not 1.",
                              "클리핑한 그래디언트의 길이는 1이 아니라 η입니다."), "unit-length", "a")
        return Hint(Words("norm clipping rescales g to length η when ‖g‖ > η.",
                          "노름 클리핑은 ‖g‖ > η일 때 g의 길이를 η로 줄입니다."), "norm-rule", "a")
    b = expect_vector(parts["b"], 2, "b")
    if not close(b, by_value):
        if close(b, by_norm):
            return Hint(Words("that is norm clipping; value clipping cuts each component on its own.",
                              "그것은 노름 클리핑입니다. 값 클리핑은 성분마다 따로 자릅니다."),
                        "norm-instead-of-value", "b")
        return Hint(Words("clip each component to [-η, η].", "각 성분을 [-η, η] 안으로 자르세요."),
                    "value-rule", "b")
    c = expect_vector(parts["c"], 2, "c")
    if not close(c, by_value):
        if close(c, by_norm):
            return Hint(Words("Keras's clipnorm clips every tensor by its own norm, not by the global "
                              "norm; what is the norm of a one-element tensor?",
                              "Keras의 clipnorm은 전체 노름이 아니라 텐서마다 자기 노름으로 자릅니다. "
                              "원소가 하나인 텐서의 노름은 얼마일까요?"), "clipnorm-is-global", "c")
        return Hint(Words("clip each one-element tensor by its own norm.",
                          "원소가 하나인 텐서를 각자 자기 노름으로 자르세요."), "per-tensor-rule", "c")
    d = expect_number(parts["d"], "d")
    angle = _angle_deg(g, by_value)
    if not close(d, angle, rtol=0, atol=0.02):
        if close(d, np.radians(angle), rtol=0, atol=3e-4):
            return Hint(Words("that is in radians; give degrees.", "라디안 값입니다. 도 단위로 답하세요."),
                        "radians", "d")
        if close(d, 45.0, rtol=0, atol=0.02) or close(d, _angle_deg(g, [1, 0]), rtol=0, atol=0.02):
            return Hint(Words("that is one vector's angle with the axis; the question asks for the "
                              "angle between the two vectors.",
                              "한 벡터가 축과 이루는 각입니다. 두 벡터 사이의 각을 구하세요."),
                        "angle-with-axis", "d")
        return Hint(Words("compute the angle between g and (b) from their dot product.",
                          "g와 (b)의 내적으로 두 벡터 사이의 각을 구하세요."), "angle", "d")
    return None


THRESHOLDS = (0.5, 1.0, 2.0, 4.0)


def _stays_in_valley(eta):
    path, _ = data.pascanu_descent(*data.PASCANU_START, lr=1.0, steps=60, max_norm=eta)
    return float(data.pascanu_loss(*path[-1])) < 0.01


@exercise("ch1-ex2", en="a set of thresholds, e.g. {0.5, 4.0}: those that keep the path in the valley",
          ko="임계값의 집합(예: {0.5, 4.0}): 경로를 골짜기 안에 붙잡아 두는 임계값들")
def cliff_thresholds(answer):
    chosen = expect_set(answer)
    if not chosen <= set(THRESHOLDS):
        raise AnswerShapeError(Words("choose among the exercise's thresholds 0.5, 1, 2 and 4.",
                                     "문제의 임계값 0.5, 1, 2, 4 가운데에서 고르세요."))
    safe = {eta for eta in THRESHOLDS if _stays_in_valley(eta)}
    if chosen == safe:
        return None
    if chosen - safe:
        return Hint(Words("a run you chose ends on the flat region: compare each final loss with the "
                          "valley's, which is almost zero.",
                          "고른 실행 가운데 평지에서 끝나는 것이 있습니다. 마지막 손실을 거의 0인 "
                          "골짜기의 손실과 비교해 보세요."), "thrown-off-kept")
    return Hint(Words("a threshold that keeps the path in the valley is missing; smaller thresholds "
                      "give shorter steps at the wall.",
                      "경로를 골짜기에 붙잡아 두는 임계값이 빠졌습니다. 임계값이 작을수록 벽에서의 "
                      "스텝이 짧습니다."), "safe-one-missing")


@exercise("ch1-ex3", en="a dict {'a': a norm, 'b': a norm}: the norm of the gradient the optimizer uses",
          ko="dict {'a': 노름, 'b': 노름}: 옵티마이저가 실제로 쓰는 그래디언트의 노름")
def clip_before_unscale(answer):
    parts = expect_parts(answer, "ab")
    scale, eta = 2.0**16, 1.0

    def used(true_norm):
        return float(np.linalg.norm(clipping.clip_by_norm(np.array([true_norm * scale]), eta)) / scale)

    a = expect_number(parts["a"], "a")
    if not close(a, used(3.0), rtol=0.02):
        if close(a, eta) or close(a, 3.0):
            return Hint(Words("clipping saw the scaled gradient, S times the true one; what is left "
                              "after unscale_ divides it by S?",
                              "클리핑이 본 것은 참 그래디언트의 S배인 스케일된 그래디언트입니다. "
                              "그 뒤 unscale_이 S로 나누면 얼마가 남을까요?"), "forgot-the-scale", "a")
        return Hint(Words("clip the scaled norm 3S to η, then divide by S.",
                          "스케일된 노름 3S를 η로 자른 다음 S로 나누세요."), "order", "a")
    b = expect_number(parts["b"], "b")
    if not close(b, used(1e-6), rtol=0.02):
        if close(b, used(3.0), rtol=0.02):
            return Hint(Words("is the scaled norm S·10⁻⁶ above η? Clipping acts only then.",
                              "스케일된 노름 S·10⁻⁶이 η보다 큰가요? 클리핑은 그럴 때만 작동합니다."),
                        "small-also-clipped", "b")
        return Hint(Words("compare S·10⁻⁶ with η first.", "먼저 S·10⁻⁶을 η와 비교하세요."), "order", "b")
    return None


# digests of "median", "the median", "중앙값", "중간값"; and of "mean", "the mean", "평균"
MEDIAN = {"7896a617a785dd96", "eeee56958249c158", "7cc8adc3a890f367", "9914196b7216ab61"}
MEAN = {"82523faea1b0f2da", "1eab275b65cc0a2a", "f396c26fce51c9e7"}


@exercise("ch1-ex4", en="a dict {'slope': a function h(r, eta) giving the Huber loss's derivative, "
                        "'limit': a word: where clipped SGD goes as η → 0}",
          ko="dict {'slope': 후버 손실의 도함수를 돌려주는 함수 h(r, eta), "
             "'limit': 한 단어로, η → 0일 때 클리핑한 SGD가 가는 곳}")
def huber_and_median(answer):
    parts = expect_parts(answer, ("slope", "limit"))
    slope = expect_callable(parts["slope"], "slope")
    rng = np.random.default_rng(1)
    for eta in (0.3, 1.0, 2.5):
        r = rng.uniform(-5 * eta, 5 * eta, 200)
        got = np.asarray(call_safely(slope, r, eta, part="slope"), dtype=float)
        if got.shape != r.shape:
            raise AnswerShapeError(Words("(slope) h(r, eta) must return one value per element of r.",
                                         "(slope) h(r, eta)는 r의 원소마다 값을 하나씩 돌려줘야 합니다."))
        if not close(got, np.clip(r, -eta, eta), rtol=1e-6, atol=1e-9):
            inside = np.abs(r) <= eta
            if close(got[inside], r[inside], rtol=1e-6) and close(got[~inside], eta * r[~inside],
                                                                  rtol=1e-6):
                return Hint(Words("beyond η, differentiate η|r|: the slope no longer grows with r.",
                                  "η 바깥에서는 η|r|을 미분하세요. 기울기가 더는 r과 함께 커지지 "
                                  "않습니다."), "outer-slope", "slope")
            return Hint(Words("differentiate each branch of h_η and compare with the clipped gradient.",
                              "h_η의 두 구간을 각각 미분해 클리핑한 그래디언트와 비교하세요."),
                        "derivative", "slope")
    limit = expect_choice(parts["limit"], "limit")
    if digest(limit) not in MEDIAN:
        if digest(limit) in MEAN:
            return Hint(Words("that is where plain SGD goes; for a tiny η only the sign of θ − x counts.",
                              "그것은 클리핑 없는 SGD가 가는 곳입니다. η가 아주 작으면 θ − x의 부호만 "
                              "남습니다."), "mean", "limit")
        return Hint(Words("for a tiny η the average gradient counts the points on each side of θ.",
                          "η가 아주 작으면 평균 그래디언트는 θ 양쪽에 있는 점의 수를 셉니다."),
                    "limit", "limit")
    return None


@exercise("ch1-ex5", en="a dict {'clip': the first step's length at η = 0.1 over its length at η = 1, "
                        "'warmup': the mean length of steps 0–4 with warmup over that at η = 1}",
          ko="dict {'clip': η = 0.1일 때 첫 스텝 길이를 η = 1일 때 길이로 나눈 값, "
             "'warmup': 워밍업을 쓴 0–4 스텝의 평균 길이를 η = 1일 때의 것으로 나눈 값}")
def clipping_is_not_warmup(answer):
    parts = expect_parts(answer, ("clip", "warmup"))
    clip = expect_number(parts["clip"], "clip")
    if not 0.9 < clip < 1.1:
        if 0.05 < clip < 0.2:
            return Hint(Words("that is what SGD would do: a ten times smaller gradient, a ten times "
                              "shorter step. Measure it under Adam.",
                              "그것은 SGD에서 일어날 일입니다(그래디언트가 10분의 1이면 스텝도 10분의 1). "
                              "Adam으로 재어 보세요."), "expected-sgd", "clip")
        return Hint(Words("divide the mean `update_norm[0]` of the η = 0.1 runs by that of the η = 1 runs.",
                          "η = 0.1 실행들의 `update_norm[0]` 평균을 η = 1 실행들의 평균으로 나누세요."),
                    "ratio", "clip")
    warmup = expect_number(parts["warmup"], "warmup")
    if not 0.0 <= warmup < 0.3:
        return Hint(Words("with warmup the first steps should be much shorter; did the warmup run get "
                          "`schedule=lambda k: k / 20`?",
                          "워밍업을 쓰면 첫 스텝들이 훨씬 짧아야 합니다. 워밍업 실행에 "
                          "`schedule=lambda k: k / 20`을 넘겼나요?"), "warmup-not-applied", "warmup")
    return None
