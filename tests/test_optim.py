"""regkit.optim against torch.optim.SGD / Adam / AdamW, and L2 versus weight decay."""

import copy

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from regkit import optim as O
from regkit import schedules as S
from regkit.regularization import decay_param_groups

pytestmark = [pytest.mark.filterwarnings("error"), pytest.mark.usefixtures("one_torch_thread")]


FEW = settings(max_examples=12, deadline=None)
STEPS = 40


class Tiny(torch.nn.Module):
    """Two layers and a LayerNorm: matrices, biases and a norm scale to decay or not."""

    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(4, 8)
        self.norm = torch.nn.LayerNorm(8)
        self.out = torch.nn.Linear(8, 1)

    def forward(self, x):
        return self.out(torch.tanh(self.norm(self.hidden(x))))


def twin_models(seed, dtype):
    torch.manual_seed(seed)
    model = Tiny().to(dtype)
    return model, copy.deepcopy(model)


def param_groups(model, lrs, **settings_per_group):
    """The matrices in one group, everything else in another, each with its own lr."""
    matrices = [p for p in model.parameters() if p.dim() >= 2]
    vectors = [p for p in model.parameters() if p.dim() < 2]
    return [{"params": matrices, "lr": lrs[0], **settings_per_group}, {"params": vectors, "lr": lrs[1]}]


def train_together(models, optimizers, schedulers=(), steps=STEPS, seed=0):
    """The same data and loss for every model; one optimizer (and scheduler) step each."""
    generator = torch.Generator().manual_seed(seed)
    dtype = next(models[0].parameters()).dtype
    for _ in range(steps):
        x = torch.randn(16, 4, generator=generator, dtype=dtype)
        y = torch.randn(16, 1, generator=generator, dtype=dtype)
        for model, optimizer in zip(models, optimizers):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()
        for scheduler in schedulers:
            scheduler.step()


def assert_same_weights(model_a, model_b, rtol, atol):
    for (name, p), q in zip(model_a.named_parameters(), model_b.parameters()):
        torch.testing.assert_close(p, q, rtol=rtol, atol=atol, msg=lambda m: f"{name}: {m}")


def max_difference(model_a, model_b):
    return max((p - q).abs().max().item() for p, q in zip(model_a.parameters(), model_b.parameters()))


TOLERANCE = {torch.float64: dict(rtol=1e-12, atol=1e-14), torch.float32: dict(rtol=1e-6, atol=1e-7)}


# --------------------------------------------------------------------------- vs torch


@FEW
@given(
    seed=st.integers(0, 1000),
    lr=st.floats(1e-3, 0.1),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
    l2=st.sampled_from([0.0, 1e-3, 0.1]),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_sgd_equals_torch_sgd_with_groups_and_scheduler(seed, lr, momentum, l2, dtype):
    ours, theirs = twin_models(seed, dtype)
    # Per-group settings: the matrices get their own momentum and l2, the rest the defaults.
    our_optimizer = O.SGD(param_groups(ours, (lr, 2 * lr), momentum=momentum, l2=l2), lr=lr, momentum=0.3)
    their_optimizer = torch.optim.SGD(
        param_groups(theirs, (lr, 2 * lr), momentum=momentum, weight_decay=l2), lr=lr, momentum=0.3
    )
    schedulers = [torch.optim.lr_scheduler.StepLR(o, 10, 0.5) for o in (our_optimizer, their_optimizer)]
    train_together([ours, theirs], [our_optimizer, their_optimizer], schedulers)
    assert_same_weights(ours, theirs, **TOLERANCE[dtype])
    assert [g["lr"] for g in our_optimizer.param_groups] == [g["lr"] for g in their_optimizer.param_groups]


@FEW
@given(
    seed=st.integers(0, 1000),
    lr=st.floats(1e-4, 0.05),
    betas=st.sampled_from([(0.9, 0.999), (0.8, 0.99), (0.0, 0.9)]),
    decay=st.sampled_from([0.0, 1e-2, 0.3]),
    decoupled=st.booleans(),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_adam_equals_torch_adam_and_adamw(seed, lr, betas, decay, decoupled, dtype):
    ours, theirs = twin_models(seed, dtype)
    if decoupled:  # weight_decay == AdamW
        our_optimizer = O.Adam(param_groups(ours, (lr, lr / 2), weight_decay=decay), lr=lr, betas=betas)
        their_optimizer = torch.optim.AdamW(
            param_groups(theirs, (lr, lr / 2), weight_decay=decay), lr=lr, betas=betas, weight_decay=0.0
        )
    else:  # l2 == Adam(weight_decay)
        our_optimizer = O.Adam(param_groups(ours, (lr, lr / 2), l2=decay), lr=lr, betas=betas)
        their_optimizer = torch.optim.Adam(
            param_groups(theirs, (lr, lr / 2), weight_decay=decay), lr=lr, betas=betas
        )
    schedulers = [
        S.as_scheduler(o, S.warmup_cosine, warmup_steps=5, total_steps=STEPS)
        for o in (our_optimizer, their_optimizer)
    ]
    train_together([ours, theirs], [our_optimizer, their_optimizer], schedulers)
    assert_same_weights(ours, theirs, **TOLERANCE[dtype])


def test_adam_bitwise_equal_to_torch_in_float32():
    # Same operations in the same order: not merely close, identical.
    ours, theirs = twin_models(7, torch.float32)
    optimizers = [O.Adam(ours.parameters(), lr=1e-2, weight_decay=0.1),
                  torch.optim.AdamW(theirs.parameters(), lr=1e-2, weight_decay=0.1)]
    train_together([ours, theirs], optimizers)
    assert_same_weights(ours, theirs, rtol=0, atol=0)


def test_sgd_momentum_bitwise_equal_to_torch_in_float32():
    ours, theirs = twin_models(8, torch.float32)
    optimizers = [O.SGD(ours.parameters(), lr=0.05, momentum=0.9, l2=1e-2),
                  torch.optim.SGD(theirs.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-2)]
    train_together([ours, theirs], optimizers)
    assert_same_weights(ours, theirs, rtol=0, atol=0)


# --------------------------------------------------------------------------- L2 vs weight decay


@pytest.mark.parametrize("lam", [1e-3, 0.05, 0.5])
def test_sgd_l2_equals_decoupled_decay_without_momentum(lam):
    # w − α(g + λw) = w(1 − αλ) − αg: the same update, β = α·λ (equal up to round-off).
    coupled, decoupled = twin_models(1, torch.float64)
    optimizers = [O.SGD(coupled.parameters(), lr=0.1, l2=lam),
                  O.SGD(decoupled.parameters(), lr=0.1, weight_decay=lam)]
    train_together([coupled, decoupled], optimizers)
    assert_same_weights(coupled, decoupled, rtol=1e-12, atol=1e-14)


def test_sgd_l2_and_decoupled_decay_differ_with_momentum():
    # With momentum the λw term is accumulated in the velocity (decayed ~1/(1 − μ) times
    # as hard); decoupled decay is applied once per step.
    coupled, decoupled = twin_models(1, torch.float64)
    optimizers = [O.SGD(coupled.parameters(), lr=0.05, momentum=0.9, l2=0.1),
                  O.SGD(decoupled.parameters(), lr=0.05, momentum=0.9, weight_decay=0.1)]
    train_together([coupled, decoupled], optimizers)
    assert max_difference(coupled, decoupled) > 1e-3


def test_adam_l2_and_weight_decay_differ():
    coupled, decoupled = twin_models(2, torch.float64)
    optimizers = [O.Adam(coupled.parameters(), lr=1e-2, l2=0.1),
                  O.Adam(decoupled.parameters(), lr=1e-2, weight_decay=0.1)]
    train_together([coupled, decoupled], optimizers)
    assert max_difference(coupled, decoupled) > 1e-3


def test_weight_decay_shrinks_weights_without_gradient_by_one_minus_lr_lambda():
    for optimizer_class in (O.SGD, O.Adam):
        w = torch.nn.Parameter(torch.full((3,), 2.0, dtype=torch.float64))
        optimizer = optimizer_class([w], lr=0.1, weight_decay=0.5)
        for _ in range(3):
            w.grad = torch.zeros_like(w)
            optimizer.step()
        torch.testing.assert_close(w, torch.full((3,), 2.0 * (1 - 0.05) ** 3, dtype=torch.float64))


def test_adam_with_l2_and_weight_decay_at_once():
    # One step by hand: l2 acts on the gradient (pre-decay weight), weight_decay on the weight.
    w0, g, lr, l2, wd, eps = 1.5, 0.2, 0.1, 0.3, 0.4, 1e-8
    w = torch.nn.Parameter(torch.tensor([w0], dtype=torch.float64))
    w.grad = torch.tensor([g], dtype=torch.float64)
    O.Adam([w], lr=lr, l2=l2, weight_decay=wd, eps=eps).step()
    g_total = g + l2 * w0
    m_hat, v_hat = g_total, g_total**2  # bias-corrected first step
    expected = w0 * (1 - lr * wd) - lr * m_hat / (v_hat**0.5 + eps)
    assert w.item() == pytest.approx(expected, rel=1e-14)
    assert w.grad.item() == g  # the gradient itself is left alone


# --------------------------------------------------------------------------- torch conventions


def test_decay_param_groups_drive_regkit_optimizers_per_group():
    model = Tiny().double()
    for optimizer_class in (O.SGD, O.Adam):
        optimizer = optimizer_class(decay_param_groups(model, 0.5), lr=0.1)
        before = {name: p.detach().clone() for name, p in model.named_parameters()}
        for p in model.parameters():
            p.grad = torch.zeros_like(p)
        optimizer.step()
        for name, p in model.named_parameters():
            factor = 1 - 0.1 * 0.5 if p.dim() >= 2 else 1.0  # only the matrices decay
            torch.testing.assert_close(p.detach(), before[name] * factor)


def test_closure_and_skipped_parameters():
    model = Tiny()
    frozen_before = model.out.bias.detach().clone()
    x, y = torch.randn(8, 4), torch.randn(8, 1)
    for optimizer in (O.SGD(model.parameters(), lr=0.1, momentum=0.9), O.Adam(model.parameters())):
        def closure():
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            model.out.bias.grad = None  # a parameter without a gradient is skipped
            return loss

        loss = optimizer.step(closure)
        assert isinstance(loss, torch.Tensor) and loss.dim() == 0
        assert torch.equal(model.out.bias, frozen_before)
        assert model.out.bias not in optimizer.state


def test_state_dict_round_trip_continues_identically():
    for make in (lambda p: O.SGD(p, lr=0.05, momentum=0.9), lambda p: O.Adam(p, lr=1e-2, weight_decay=0.1)):
        model_a, model_b = twin_models(3, torch.float64)
        optimizer_a = make(model_a.parameters())
        train_together([model_a], [optimizer_a], steps=5)
        model_b.load_state_dict(model_a.state_dict())
        optimizer_b = make(model_b.parameters())
        optimizer_b.load_state_dict(copy.deepcopy(optimizer_a.state_dict()))  # as if saved to disk
        train_together([model_a, model_b], [optimizer_a, optimizer_b], steps=5, seed=1)
        assert_same_weights(model_a, model_b, rtol=0, atol=0)


def test_lr_scheduler_drives_regkit_optimizer_like_torch():
    ours, theirs = twin_models(4, torch.float64)
    optimizers = [O.SGD(ours.parameters(), lr=0.1, momentum=0.5),
                  torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.5)]
    schedulers = [torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=STEPS) for o in optimizers]
    train_together([ours, theirs], optimizers, schedulers)
    assert optimizers[0].param_groups[0]["lr"] == optimizers[1].param_groups[0]["lr"]
    assert_same_weights(ours, theirs, rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------- schedule-free


def run_schedule_free(pairs, steps=30, switch_at=(7, 19), seed=0):
    """Train (model, optimizer) pairs on the same data; eval/train round trips at switch_at."""
    for _, optimizer in pairs:
        optimizer.train()
    train_together([m for m, _ in pairs], [o for _, o in pairs], steps=switch_at[0], seed=seed)
    for k, (start, stop) in enumerate(zip(switch_at, list(switch_at[1:]) + [steps])):
        for model, optimizer in pairs:  # eval: parameters hold x; the two must agree there too
            optimizer.eval()
        yield
        for _, optimizer in pairs:
            optimizer.train()
        train_together([m for m, _ in pairs], [o for _, o in pairs], steps=stop - start, seed=seed + k + 1)
    for _, optimizer in pairs:
        optimizer.eval()
    yield


@FEW
@given(seed=st.integers(0, 2**16), lr=st.floats(1e-3, 0.5), momentum=st.floats(0.05, 0.95),
       weight_decay=st.sampled_from([0.0, 1e-3, 0.1]), warmup_steps=st.integers(0, 12))
def test_schedule_free_sgd_equals_the_reference_in_both_modes(seed, lr, momentum, weight_decay, warmup_steps):
    import schedulefree

    ours, theirs = twin_models(seed, torch.float64)
    pairs = [(ours, O.ScheduleFreeSGD(ours.parameters(), lr, momentum, weight_decay, warmup_steps)),
             (theirs, schedulefree.SGDScheduleFreeReference(theirs.parameters(), lr, momentum, weight_decay,
                                                            warmup_steps))]
    for _ in run_schedule_free(pairs):
        assert_same_weights(ours, theirs, **TOLERANCE[torch.float64])
    pairs[0][1].train(), pairs[1][1].train()
    assert_same_weights(ours, theirs, **TOLERANCE[torch.float64])


@FEW
@given(seed=st.integers(0, 2**16), lr=st.floats(1e-4, 0.05), betas=st.sampled_from([(0.9, 0.999), (0.5, 0.9)]),
       weight_decay=st.sampled_from([0.0, 0.01, 0.5]), warmup_steps=st.integers(0, 12),
       dtype=st.sampled_from([torch.float64, torch.float32]))
def test_schedule_free_adamw_equals_the_reference_in_both_modes(seed, lr, betas, weight_decay, warmup_steps, dtype):
    import schedulefree

    ours, theirs = twin_models(seed, dtype)
    pairs = [(ours, O.ScheduleFreeAdamW(ours.parameters(), lr, betas, 1e-8, weight_decay, warmup_steps)),
             (theirs, schedulefree.AdamWScheduleFreeReference(theirs.parameters(), lr, betas, 1e-8, weight_decay,
                                                              warmup_steps))]
    for _ in run_schedule_free(pairs):
        assert_same_weights(ours, theirs, **TOLERANCE[dtype])


def test_schedule_free_modes_hold_y_for_training_and_x_for_evaluation():
    w = torch.nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
    optimizer = O.ScheduleFreeSGD([w], lr=0.1, momentum=0.5)
    with pytest.raises(RuntimeError, match="train"):  # a new optimizer is in eval mode
        w.grad = torch.ones(1, dtype=torch.float64)
        optimizer.step()
    optimizer.train()
    zs, xs = [1.0], [1.0]
    for k in range(3):  # gradient 1 every step: z falls by 0.1; x averages the z's (equal weights)
        w.grad = torch.ones(1, dtype=torch.float64)
        optimizer.step()
        zs.append(zs[-1] - 0.1)
        xs.append(sum(zs[1:]) / (k + 1))
        assert torch.isclose(w, torch.tensor([0.5 * xs[-1] + 0.5 * zs[-1]], dtype=torch.float64))  # y
    optimizer.eval()
    assert torch.isclose(w, torch.tensor([xs[-1]], dtype=torch.float64))   # x = mean(0.9, 0.8, 0.7)
    optimizer.eval()                                                        # a second eval() changes nothing
    assert torch.isclose(w, torch.tensor([0.8], dtype=torch.float64))
    optimizer.train()
    assert torch.isclose(w, torch.tensor([0.5 * 0.8 + 0.5 * 0.7], dtype=torch.float64))


def test_schedule_free_sgd_without_momentum_averages_plain_sgd():
    # momentum 0 (which schedulefree refuses): y = z, plain SGD, and x its running average
    torch.manual_seed(0)
    w = torch.nn.Parameter(torch.randn(3, dtype=torch.float64))
    plain = w.detach().clone()
    optimizer = O.ScheduleFreeSGD([w], lr=0.05, momentum=0.0)
    optimizer.train()
    iterates = []
    for _ in range(20):
        w.grad = 2 * w.detach()  # the gradient of ‖w‖² at y = z
        optimizer.step()
        plain = plain - 0.05 * 2 * plain
        iterates.append(plain)
        torch.testing.assert_close(w.detach(), plain)
    optimizer.eval()
    torch.testing.assert_close(w.detach(), torch.stack(iterates).mean(0))


def test_schedule_free_warmup_weights_the_average_by_the_largest_lr_squared():
    w = torch.nn.Parameter(torch.tensor([0.0], dtype=torch.float64))
    optimizer = O.ScheduleFreeSGD([w], lr=1.0, momentum=0.5, warmup_steps=4)
    optimizer.train()
    for _ in range(6):
        w.grad = -torch.ones(1, dtype=torch.float64)  # z grows by γ_k = min(1, (k + 1)/4)
        optimizer.step()
    gammas = [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    z = torch.tensor(gammas, dtype=torch.float64).cumsum(0)
    weights = torch.tensor(gammas) ** 2
    optimizer.eval()
    assert torch.isclose(w, (weights * z).sum() / weights.sum(), rtol=1e-12).all()


def test_schedule_free_per_group_settings_are_checked():
    good, bad = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    for cls, setting, value in [(O.ScheduleFreeSGD, "momentum", 1.0), (O.ScheduleFreeAdamW, "betas", (0.9, 1.0)),
                                (O.ScheduleFreeSGD, "warmup_steps", -1), (O.ScheduleFreeAdamW, "eps", 0.0)]:
        optimizer = cls([good], lr=0.1)
        with pytest.raises((ValueError, TypeError), match=setting.split("s")[0] if setting == "betas" else setting):
            optimizer.add_param_group({"params": [bad], setting: value})


# --------------------------------------------------------------------------- one value per stacked model


@pytest.mark.parametrize("make", [
    lambda params, per_model: O.SGD(params, lr=0.1, momentum=0.9, l2=per_model),
    lambda params, per_model: O.SGD(params, lr=0.1, momentum=0.9, weight_decay=per_model),
    lambda params, per_model: O.Adam(params, lr=0.01, l2=per_model),
    lambda params, per_model: O.Adam(params, lr=0.01, weight_decay=per_model),
])
def test_one_coefficient_per_stacked_model_is_one_optimizer_per_model(make):
    lams = [0.0, 0.01, 0.3]
    generator = torch.Generator().manual_seed(0)
    start = [torch.randn(3, 4, 5, generator=generator), torch.randn(3, 5, generator=generator)]
    grads = [[torch.randn(p.shape, generator=generator) for p in start] for _ in range(4)]
    stacked = [torch.nn.Parameter(p.clone()) for p in start]
    grid = make(stacked, torch.tensor(lams))
    for step_grads in grads:
        for p, g in zip(stacked, step_grads):
            p.grad = g.clone()
        grid.step()
    for m, lam in enumerate(lams):
        alone = [torch.nn.Parameter(p[m].clone()) for p in start]
        optimizer = make(alone, lam)
        for step_grads in grads:
            for p, g in zip(alone, step_grads):
                p.grad = g[m].clone()
            optimizer.step()
        for p_grid, p_alone in zip(stacked, alone):
            torch.testing.assert_close(p_grid[m], p_alone, rtol=1e-6, atol=1e-7)
    assert not torch.allclose(stacked[0][0], stacked[0][2])  # the coefficients made a difference


@pytest.mark.parametrize("make", [
    lambda params, lr: O.ScheduleFreeSGD(params, lr=lr, momentum=0.9, warmup_steps=3),
    lambda params, lr: O.ScheduleFreeSGD(params, lr=lr, momentum=0.5, weight_decay=0.1),
    lambda params, lr: O.ScheduleFreeAdamW(params, lr=lr, warmup_steps=3),
    lambda params, lr: O.ScheduleFreeAdamW(params, lr=lr, betas=(0.5, 0.9), weight_decay=0.5),
])
def test_schedule_free_with_one_lr_per_stacked_model_is_one_optimizer_per_model(make):
    lrs = [0.02, 0.1, 0.5]
    generator = torch.Generator().manual_seed(0)
    start = [torch.randn(3, 4, 5, generator=generator), torch.randn(3, 5, generator=generator)]
    grads = [[torch.randn(p.shape, generator=generator) for p in start] for _ in range(6)]
    stacked = [torch.nn.Parameter(p.clone()) for p in start]
    grid = make(stacked, torch.tensor(lrs, dtype=torch.float64))
    grid.train()
    used = []
    for step_grads in grads:
        for p, g in zip(stacked, step_grads):
            p.grad = g.clone()
        grid.step()
        used.append(grid.param_groups[0]["last_lr"].tolist())
    at_y = [p.detach().clone() for p in stacked]
    grid.eval()
    for m, lr in enumerate(lrs):
        alone = [torch.nn.Parameter(p[m].clone()) for p in start]
        optimizer = make(alone, lr)
        optimizer.train()
        for k, step_grads in enumerate(grads):
            for p, g in zip(alone, step_grads):
                p.grad = g[m].clone()
            optimizer.step()
            assert used[k][m] == pytest.approx(optimizer.param_groups[0]["last_lr"], rel=1e-12)
        for p_grid, p_alone in zip(at_y, alone):  # train mode: y
            torch.testing.assert_close(p_grid[m], p_alone.detach(), rtol=1e-5, atol=1e-6)
        optimizer.eval()
        for p_grid, p_alone in zip(stacked, alone):  # eval mode: x
            torch.testing.assert_close(p_grid[m], p_alone.detach(), rtol=1e-5, atol=1e-6)
    assert not torch.allclose(stacked[0][0], stacked[0][2])  # the learning rates made a difference


def test_schedule_free_checks_one_lr_per_model():
    w = torch.nn.Parameter(torch.ones(2, 3))
    for bad, error in [(torch.tensor([0.1, -0.1]), ValueError), (torch.tensor([[0.1], [0.2]]), TypeError),
                       (torch.tensor([1, 2]), TypeError), (torch.tensor([0.1, float("nan")]), ValueError)]:
        for cls in (O.ScheduleFreeSGD, O.ScheduleFreeAdamW):
            with pytest.raises(error, match="lr"):
                cls([w], lr=bad)


# --------------------------------------------------------------------------- Keras's SGD, transcribed


def test_keras_sgd_transcription_is_keras_under_a_schedule():
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    from regkit.third_party import keras_sgd

    lrs = [0.05 * (1 + np.cos(np.pi * k / 12)) / 2 for k in range(12)]

    class Listed(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            return keras.ops.take(keras.ops.convert_to_tensor(lrs, dtype="float32"), step)

    generator = torch.Generator().manual_seed(0)
    A = torch.randn(4, 4, generator=generator)
    A = A @ A.T / 4 + torch.eye(4)
    b, w0 = torch.randn(4, generator=generator), torch.randn(4, generator=generator)
    gradient = lambda w: A @ w - b  # noqa: E731
    variable = keras.Variable(w0.numpy())
    optimizer = keras.optimizers.SGD(learning_rate=Listed(), momentum=0.9, weight_decay=0.1)
    for _ in lrs:
        w = variable.value.detach().clone()  # the torch backend's own tensor
        optimizer.apply_gradients([(gradient(w), variable)])
    ours = keras_sgd(w0, gradient, lrs, momentum=0.9, weight_decay=0.1)
    torch.testing.assert_close(variable.value.detach(), ours, rtol=1e-5, atol=1e-6)
    # and PyTorch's momentum (the buffer × the current lr) takes other steps under the schedule
    p = torch.nn.Parameter(w0.clone())
    torch_sgd = O.SGD([p], lr=lrs[0], momentum=0.9, weight_decay=0.1)
    for lr in lrs:
        torch_sgd.param_groups[0]["lr"] = lr
        p.grad = gradient(p.detach())
        torch_sgd.step()
    assert (p.detach() - ours).abs().max() > 1e-3
