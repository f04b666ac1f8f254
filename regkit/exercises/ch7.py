"""Chapter 7's exercises (the appendix): framework conventions.

The checkers need neither Keras nor Hugging Face: Keras's ``AdamW`` is transcribed below, and
Hugging Face's cosine factor is :func:`regkit.third_party.hf_cosine_with_warmup`.
"""

import math

import numpy as np
import torch

from .. import optim, schedules, third_party
from ._core import (AnswerShapeError, Hint, Words, call_safely, close, exercise, expect_callable,
                    expect_number, expect_parts, zero_gradient_path)


def _adam_path(weights, grads, *, lr=1e-3, weight_decay=0.0, decayed=None, coupled=False,
               keras_eps=True, betas=(0.9, 0.999), eps=1e-7):
    """The weights (float64 arrays) after len(grads) Adam steps.

    ``keras_eps``: Keras 3's Adam, ε added to √v before the bias correction
    (``alpha = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)``, ``w −= alpha·m/(√v + ε)``), its decoupled decay
    ``w −= w·λ·lr`` applied before the step (``_apply_weight_decay``); otherwise PyTorch's form.
    ``decayed[i]``: whether tensor i is decayed; ``coupled``: λw added to the gradient (L2).
    """
    beta1, beta2 = betas
    ws = [np.array(w, dtype=np.float64) for w in weights]
    decayed = decayed or [True] * len(ws)
    ms, vs = [np.zeros_like(w) for w in ws], [np.zeros_like(w) for w in ws]
    for t, step_grads in enumerate(grads, start=1):
        for i, g in enumerate(step_grads):
            w = ws[i]
            if decayed[i] and coupled:
                g = g + weight_decay * w
            elif decayed[i]:
                w = w - w * weight_decay * lr
            ms[i] = beta1 * ms[i] + (1 - beta1) * g
            vs[i] = beta2 * vs[i] + (1 - beta2) * g * g
            if keras_eps:
                alpha = lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
                w = w - alpha * ms[i] / (np.sqrt(vs[i]) + eps)
            else:
                m_hat, v_hat = ms[i] / (1 - beta1 ** t), vs[i] / (1 - beta2 ** t)
                w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
            ws[i] = w
    return ws


def _away_from_zero(rng, shape):
    """Values of size 0.5 to 1.5, either sign: no weight or gradient near 0, where ε would count."""
    return rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


@exercise("ch7-ex1", en="a function of a torch model that returns the torch optimizer giving the same updates "
                        "as keras.optimizers.AdamW(learning_rate=1e-3)",
          ko="torch 모델을 받아, keras.optimizers.AdamW(learning_rate=1e-3)와 같은 갱신을 주는 torch 옵티마이저를 "
             "돌려주는 함수")
def torch_optimizer_like_keras_adamw(answer):
    make = expect_callable(answer)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2)).double()
    names = [name for name, _ in model.named_parameters()]   # 0.weight, 0.bias, 1.weight, 1.bias
    rng = np.random.default_rng(7)
    start = [_away_from_zero(rng, p.shape) for p in model.parameters()]
    grads = [[_away_from_zero(rng, w.shape) for w in start] for _ in range(20)]
    with torch.no_grad():
        for p, w in zip(model.parameters(), start):
            p.copy_(torch.from_numpy(w))
    optimizer = call_safely(make, model)
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise AnswerShapeError(Words(
            f"your function should return a torch optimizer, not {type(optimizer).__name__}.",
            f"함수는 torch 옵티마이저를 돌려줘야 합니다. 지금 돌려주는 값은 {type(optimizer).__name__}입니다."))
    for step_grads in grads:
        for p, g in zip(model.parameters(), step_grads):
            p.grad = torch.from_numpy(g.copy())
        call_safely(optimizer.step)
    got = [p.detach().cpu().numpy().astype(np.float64) for p in model.parameters()]

    def matches(reference):
        return [bool(np.allclose(a, b, rtol=0, atol=1e-6)) for a, b in zip(got, reference)]

    keras = matches(_adam_path(start, grads, weight_decay=0.004))
    if all(keras):
        return None
    kernel = names.index("0.weight")
    undecayed = matches(_adam_path(start, grads, weight_decay=0.004,
                                   decayed=[name == "0.weight" for name in names]))
    if keras[kernel] and all(undecayed):
        return Hint(Words("the matrix is right, but Keras decays biases and layer-norm parameters too: "
                          "what would it take to decay every parameter?",
                          "행렬은 맞지만, Keras는 편향과 층 정규화의 파라미터도 감쇠합니다. 모든 파라미터를 "
                          "감쇠하려면 어떻게 해야 할까요?"), "biases-not-decayed")
    if all(matches(_adam_path(start, grads, weight_decay=0.01))):
        return Hint(Words("that is PyTorch's default weight decay; Keras's AdamW has another default "
                          "(the section on defaults prints it).",
                          "그것은 PyTorch의 기본 가중치 감쇠 계수입니다. Keras의 AdamW는 기본값이 다릅니다"
                          "(기본값 절에서 출력했습니다)."), "torch-default-decay")
    if all(matches(_adam_path(start, grads, weight_decay=0.004, coupled=True))):
        return Hint(Words("that adds λw to the gradient (L2, as torch's Adam does); Keras's decay is "
                          "decoupled, as in torch's AdamW.",
                          "그것은 그래디언트에 λw를 더합니다(torch의 Adam처럼 L2). Keras의 감쇠는 torch의 "
                          "AdamW처럼 분리된 감쇠입니다."), "coupled-decay")
    if all(matches(_adam_path(start, grads))):
        return Hint(Words("your optimizer does not decay at all; Keras's AdamW does, even when "
                          "`weight_decay` is left out.",
                          "옵티마이저가 전혀 감쇠하지 않습니다. Keras의 AdamW는 `weight_decay`를 적지 않아도 "
                          "감쇠합니다."), "no-decay")
    groups = optimizer.param_groups
    if any(group.get("lr") != 1e-3 for group in groups):
        return Hint(Words("the Keras script's learning rate is 1e-3.",
                          "Keras 코드의 학습률은 1e-3입니다."), "learning-rate")
    if any(tuple(group.get("betas", (0.9, 0.999))) != (0.9, 0.999) for group in groups):
        return Hint(Words("Keras's default β₁ and β₂ are the same as PyTorch's.",
                          "Keras의 기본 β₁, β₂는 PyTorch와 같습니다."), "betas")
    return Hint(Words("copy every default of `keras.optimizers.AdamW` into PyTorch's AdamW, and give it "
                      "every parameter of the model.",
                      "`keras.optimizers.AdamW`의 기본값을 모두 PyTorch의 AdamW에 옮기고, 모델의 파라미터를 "
                      "모두 넘기세요."), "keras-defaults")


ALPHA, LAMBDA_PAPER = 1e-3, 1e-4


def _shrink_in_one_step(weight_decay):
    """1 − w after one step of regkit's decoupled Adam from w = 1 with a zero gradient (s_t = 1)."""
    return 1.0 - zero_gradient_path(lambda params: optim.Adam(params, lr=ALPHA, weight_decay=weight_decay),
                                    1.0, 1)[-1]


@exercise("ch7-ex2", en="a dict {'weight_decay': the value for torch.optim.AdamW, "
                        "'shrink': 1 − w after one step from w = 1 with zero gradient}",
          ko="dict {'weight_decay': torch.optim.AdamW에 줄 값, "
             "'shrink': 그래디언트 0으로 w = 1에서 한 스텝 뒤의 1 − w}")
def paper_lambda_to_torch(answer):
    parts = expect_parts(answer, ("weight_decay", "shrink"))
    lam = expect_number(parts["weight_decay"], "weight_decay")
    right = LAMBDA_PAPER / ALPHA
    if not close(lam, right, rtol=1e-6):
        if close(lam, LAMBDA_PAPER, rtol=1e-6):
            return Hint(Words("that is the paper's number as it stands; PyTorch multiplies weight_decay by "
                              "the learning rate, the paper multiplies it by s_t only.",
                              "그것은 논문의 숫자 그대로입니다. PyTorch는 weight_decay에 학습률을 곱하고, "
                              "논문은 s_t만 곱합니다."), "copied-paper-value", "weight_decay")
        if close(lam, LAMBDA_PAPER * ALPHA, rtol=1e-6):
            return Hint(Words("PyTorch will multiply your weight_decay by α itself: set α·λ_torch equal "
                              "to the paper's step decay and solve for λ_torch.",
                              "PyTorch가 weight_decay에 α를 직접 곱합니다. α·λ_torch를 논문의 한 스텝 감쇠와 "
                              "같게 놓고 λ_torch를 구하세요."), "multiplied-by-alpha", "weight_decay")
        return Hint(Words("equate one step's decay in both forms: s_t·λ_paper and α·λ_torch.",
                          "두 형식의 한 스텝 감쇠 s_t·λ_paper와 α·λ_torch를 같게 놓으세요."),
                    "equate-decays", "weight_decay")
    shrink = expect_number(parts["shrink"], "shrink")
    expected = _shrink_in_one_step(right)
    if not close(shrink, expected, rtol=1e-3):   # measured in float32
        if close(shrink, 1 - expected, rtol=1e-6):
            return Hint(Words("that is the weight after the step; give how much it shrank, 1 − w.",
                              "그것은 스텝 뒤의 가중치입니다. 줄어든 양 1 − w를 넣으세요."), "gave-weight", "shrink")
        if close(shrink, 100 * expected, rtol=1e-3):
            return Hint(Words("give the shrink as a fraction, not a percentage.",
                              "줄어든 양을 백분율이 아니라 비율로 넣으세요."), "percent", "shrink")
        return Hint(Words("run one step of `torch.optim.AdamW` with your weight_decay from w = 1 and a zero "
                          "gradient, and compare 1 − w with the paper's step decay.",
                          "w = 1, 그래디언트 0에서 여러분의 weight_decay로 `torch.optim.AdamW` 한 스텝을 "
                          "돌리고, 1 − w를 논문의 한 스텝 감쇠와 비교하세요."), "measure-shrink", "shrink")
    return None


HF_WARMUP, HF_TOTAL, HF_STEPS = 10, 100, 191


def _hf_factors():
    return np.array([third_party.hf_cosine_with_warmup(t, num_warmup_steps=HF_WARMUP,
                                                       num_training_steps=HF_TOTAL)
                     for t in range(HF_STEPS)])


@exercise("ch7-ex3", en="a dict {'factor': a function of the step t giving Hugging Face's factor "
                        "(T_w = 10, T = 100), 'differs': the first step where it differs from warmup_cosine}",
          ko="dict {'factor': 스텝 t를 받아 Hugging Face의 배율을 돌려주는 함수(T_w = 10, T = 100), "
             "'differs': warmup_cosine과 처음 달라지는 스텝}")
def hf_cosine_climbs_back(answer):
    parts = expect_parts(answer, ("factor", "differs"))
    factor = expect_callable(parts["factor"], "factor")
    got = np.array([expect_number(call_safely(factor, t, part="factor"), "factor") for t in range(HF_STEPS)])
    hf = _hf_factors()
    ours = schedules.warmup_cosine(np.arange(HF_STEPS), 1.0, HF_WARMUP, HF_TOTAL)
    if not close(got, hf, rtol=1e-9, atol=1e-12):
        if close(got, ours, rtol=1e-9, atol=1e-12):
            return Hint(Words("yours holds 0 after T, like regkit: that is the fix. Write the formula of "
                              "the source as it stands, without clipping p.",
                              "여러분의 배율은 regkit처럼 T 뒤에 0을 유지합니다. 그것은 고친 버전입니다. p를 "
                              "자르지 말고 출처의 공식을 그대로 적으세요."), "progress-clipped", "factor")
        if got.max() > 0 and close(got, hf * float(got.max()) / float(hf.max()), rtol=1e-9, atol=1e-12):
            return Hint(Words("`LambdaLR` wants the factor that multiplies the initial learning rate, not "
                              "the learning rate itself.",
                              "`LambdaLR`에는 학습률 자체가 아니라 처음 학습률에 곱할 배율을 줘야 합니다."),
                        "lr-not-factor", "factor")
        if not close(got[:HF_WARMUP], hf[:HF_WARMUP], rtol=1e-9, atol=1e-12):
            return Hint(Words("during the warmup the factor is t / max(1, T_w), starting from 0 at t = 0.",
                              "워밍업 동안 배율은 t / max(1, T_w)이며, t = 0에서 0으로 시작합니다."),
                        "warmup", "factor")
        return Hint(Words("after the warmup, p = (t − T_w) / max(1, T − T_w): check the cosine branch.",
                          "워밍업 뒤에는 p = (t − T_w) / max(1, T − T_w)입니다. 코사인 부분을 확인하세요."),
                    "cosine", "factor")
    differs = expect_number(parts["differs"], "differs")
    first = int(np.nonzero(~np.isclose(hf, ours, rtol=1e-9, atol=1e-12))[0][0])
    if differs != first:
        if differs == HF_TOTAL:
            return Hint(Words("at step T both factors are exactly 0 (p = 1): look one step further.",
                              "스텝 T에서는 두 배율이 모두 정확히 0입니다(p = 1). 한 스텝 더 보세요."),
                        "at-T", "differs")
        if differs > first:
            return Hint(Words("they part earlier, well before Hugging Face's factor is back at the peak: "
                              "compare the two arrays with `np.isclose`.",
                              "Hugging Face의 배율이 최댓값으로 돌아오기 훨씬 전에 이미 달라집니다. 두 배열을 "
                              "`np.isclose`로 비교하세요."), "too-late", "differs")
        return Hint(Words("up to T the two agree step for step: find the first step where `np.isclose` "
                          "is false.",
                          "T까지는 두 스케줄이 스텝마다 같습니다. `np.isclose`가 처음 거짓이 되는 스텝을 "
                          "찾으세요."), "too-early", "differs")
    return None


PEAK, FLOOR, OPTAX_WARMUP, OPTAX_DECAY_STEPS, AT = 3e-4, 3e-5, 2000, 100000, 100000


@exercise("ch7-ex4", en="a dict {'lr': the learning rate of the colleague's Keras schedule at step 100000, "
                        "'decay_steps': the decay_steps Keras needs to match optax}",
          ko="dict {'lr': 동료의 Keras 스케줄에서 스텝 100000의 학습률, "
             "'decay_steps': optax와 같아지려면 Keras에 줄 decay_steps}")
def keras_decay_steps_after_warmup(answer):
    parts = expect_parts(answer, ("lr", "decay_steps"))
    lr = expect_number(parts["lr"], "lr")
    # Keras's decay_steps starts after the warmup: regkit's total_steps = warmup + decay_steps
    keras_lr = float(schedules.warmup_cosine(np.array([AT]), PEAK, OPTAX_WARMUP,
                                             OPTAX_WARMUP + OPTAX_DECAY_STEPS, min_lr=FLOOR)[0])
    if not close(lr, keras_lr, rtol=5e-5):
        if close(lr, FLOOR, rtol=5e-5):
            return Hint(Words("that is optax's rate at step 100000, where its cosine ends; Keras's "
                              "decay_steps does not count the warmup.",
                              "그것은 코사인이 끝나는 스텝 100000에서 optax가 주는 학습률입니다. Keras의 "
                              "decay_steps는 워밍업을 세지 않습니다."), "as-optax", "lr")
        if lr < FLOOR:
            return Hint(Words("alpha=0.1 keeps a floor at 10 % of warmup_target: the rate never goes below it.",
                              "alpha=0.1은 warmup_target의 10 %에 바닥값을 둡니다. 학습률은 그 아래로 내려가지 "
                              "않습니다."), "below-floor", "lr")
        return Hint(Words("in Keras the cosine starts at step 2000 and lasts decay_steps: how far along it "
                          "is step 100000?",
                          "Keras에서 코사인은 스텝 2000에서 시작해 decay_steps만큼 이어집니다. 스텝 100000은 "
                          "코사인의 어디쯤인가요?"), "cosine-position", "lr")
    decay_steps = expect_number(parts["decay_steps"], "decay_steps")
    if decay_steps != OPTAX_DECAY_STEPS - OPTAX_WARMUP:
        if decay_steps == OPTAX_DECAY_STEPS + OPTAX_WARMUP:
            return Hint(Words("that makes the cosine end even later: it should end at step 100000, warmup "
                              "included.",
                              "그러면 코사인이 더 늦게 끝납니다. 워밍업을 포함해 스텝 100000에서 끝나야 합니다."),
                        "added-warmup", "decay_steps")
        if decay_steps == OPTAX_DECAY_STEPS:
            return Hint(Words("that is the colleague's value, which ends the cosine too late.",
                              "그것은 코사인을 너무 늦게 끝내는 동료의 값입니다."), "unchanged", "decay_steps")
        return Hint(Words("Keras's decay_steps is the length after the warmup.",
                          "Keras의 decay_steps는 워밍업 뒤의 길이입니다."), "decay-steps", "decay_steps")
    return None
