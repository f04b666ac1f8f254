"""regkit.training: what train() records (lr used, norm before clipping), divergence, History.plot."""

import functools
import io
import logging
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import regkit  # noqa: E402
from regkit import data, models, plotting, schedules, training  # noqa: E402
from regkit import clipping  # noqa: E402
from regkit.data import adding_problem  # noqa: E402
from regkit.models import TinyRNN  # noqa: E402
from regkit.training import History, mse_loss, train, train_grid  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


class Linear(nn.Module):
    """w with a known gradient: loss = c . w has gradient c, whatever w is."""

    def __init__(self, n=4):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(n, dtype=torch.float64))


def linear_loss(model, batch):
    return (batch * model.w).sum()


def constant_batch(c):
    return lambda k: torch.as_tensor(c, dtype=torch.float64)


def updates(model, steps, **kwargs):
    """Run train() and return the history and the parameter change of every step."""
    snapshots = []
    opt = torch.optim.SGD(model.parameters(), lr=kwargs.pop("lr", 0.1))

    def loss_fn(m, batch):
        snapshots.append(m.w.detach().clone())
        return linear_loss(m, batch)

    h = train(model, loss_fn, kwargs.pop("batches"), opt, steps, **kwargs)
    snapshots.append(model.w.detach().clone())
    return h, torch.stack(snapshots).diff(dim=0)


# --------------------------------------------------------------------------- lr actually used
def test_recorded_lr_is_the_lr_of_each_update_with_a_callable_schedule():
    sched = lambda k: 0.1 * 0.5 ** (k // 3)  # noqa: E731  halves every 3 steps
    h, delta = updates(Linear(), 9, batches=constant_batch([1.0, 0, 0, 0]), schedule=sched)
    expected = np.array([sched(k) for k in range(9)])
    np.testing.assert_allclose(h.lr, expected)
    # gradient 1 on w[0]: the update of step k is exactly -lr_k
    np.testing.assert_allclose(delta[:, 0].numpy(), -expected, rtol=1e-12)


def test_recorded_lr_with_a_regkit_schedule_partial():
    sched = functools.partial(schedules.warmup_cosine, base_lr=0.2, warmup_steps=4, total_steps=12)
    h, delta = updates(Linear(), 12, batches=constant_batch([1.0, 0, 0, 0]), schedule=sched)
    expected = schedules.warmup_cosine(np.arange(12), base_lr=0.2, warmup_steps=4, total_steps=12)
    np.testing.assert_allclose(h.lr, expected, rtol=1e-12, atol=1e-15)
    assert h.lr[0] == 0.0 and delta[0, 0] == 0.0  # warmup starts at 0: no move at step 0
    np.testing.assert_allclose(delta[:, 0].numpy(), -expected, rtol=1e-12, atol=1e-15)


def test_recorded_lr_with_a_torch_scheduler():
    model = Linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.1)
    h = train(model, linear_loss, constant_batch([1.0, 0, 0, 0]), opt, 10, schedule=sched)
    np.testing.assert_allclose(h.lr, [0.1] * 4 + [0.01] * 4 + [0.001] * 2)
    assert model.w[0].item() == pytest.approx(-(0.4 + 0.04 + 0.002))


def test_no_schedule_keeps_the_optimizers_lr():
    h, _ = updates(Linear(), 5, batches=constant_batch([1.0, 0, 0, 0]), lr=0.03)
    np.testing.assert_allclose(h.lr, 0.03)


# --------------------------------------------------------------------------- clipping
def test_grad_norm_is_recorded_before_norm_clipping():
    c = [300.0, 400.0, 0.0, 0.0]  # ||g|| = 500
    h, delta = updates(Linear(), 6, batches=constant_batch(c), clip_norm=1e-3, lr=0.1)
    np.testing.assert_allclose(h.grad_norm, 500.0)
    step_sizes = delta.norm(dim=1)
    assert (step_sizes <= 0.1 * 1e-3 * (1 + 1e-9)).all()          # the update was clipped
    assert step_sizes.min() > 0.1 * 1e-3 * 0.99                   # to the threshold, not to 0
    # direction kept: the update is along -g
    assert torch.allclose(delta[0] / delta[0].norm(), -torch.tensor(c, dtype=torch.float64) / 500)


def test_grad_norm_is_recorded_before_value_clipping():
    c = [300.0, -400.0, 0.5, 0.0]
    h, delta = updates(Linear(), 3, batches=constant_batch(c), clip_value=1.0, lr=0.1)
    np.testing.assert_allclose(h.grad_norm, np.linalg.norm(c))
    np.testing.assert_allclose(delta[0].numpy(), [-0.1, 0.1, -0.05, 0.0])  # each element clamped


def test_without_clipping_the_update_is_the_full_gradient():
    h, delta = updates(Linear(), 2, batches=constant_batch([3.0, 4.0, 0, 0]), lr=0.1)
    np.testing.assert_allclose(h.grad_norm, 5.0)
    np.testing.assert_allclose(delta[0].numpy(), [-0.3, -0.4, 0, 0])


def test_grad_norm_covers_every_param_group():
    model = models.MLP(4, hidden=(3,), out_features=2)
    groups = regkit.regularization.decay_param_groups(model, weight_decay=0.1)
    opt = torch.optim.SGD(groups, lr=0.0)
    x, y = torch.randn(8, 4), torch.randint(0, 2, (8,))
    h = train(model, training.cross_entropy_loss, lambda k: (x, y), opt, 1)
    expected = torch.sqrt(sum((p.grad ** 2).sum() for p in model.parameters()))
    assert h.grad_norm[0] == pytest.approx(expected.item(), rel=1e-6)


# --------------------------------------------------------------------------- divergence
def quadratic_loss(model, batch):
    return (model.w ** 2).sum()


def test_divergence_stops_early_and_pads_with_nan():
    model = Linear(2)
    with torch.no_grad():
        model.w.fill_(1.0)
    model.w.data = model.w.data.float()  # float32 overflows sooner
    opt = torch.optim.SGD(model.parameters(), lr=3.0)  # w <- w - 3 * 2w = -5 w: explodes
    h = train(model, quadratic_loss, lambda k: None, opt, 200)
    first_bad = int(np.argmax(~np.isfinite(h.loss)))
    assert 20 < first_bad < 100
    assert np.all(np.isfinite(h.loss[:first_bad])) and np.all(np.isnan(h.loss[first_bad + 1:]))
    assert len(h) == 200 and h.diverged and np.isnan(h.final_loss)
    assert np.all(np.diff(np.log(h.loss[:first_bad])) > 0)  # it grew every step until then


def test_stop_on_divergence_false_runs_every_step():
    model = Linear(2)
    with torch.no_grad():
        model.w.fill_(1.0)
    model.w.data = model.w.data.float()
    opt = torch.optim.SGD(model.parameters(), lr=3.0)
    h = train(model, quadratic_loss, lambda k: None, opt, 200, stop_on_divergence=False)
    assert np.all(np.isfinite(h.lr)) and np.isnan(h.loss[-1]) and h.diverged


def test_a_finite_but_exploded_loss_counts_as_divergence():
    ok = History(loss=np.linspace(2.0, 0.5, 50), lr=np.full(50, 0.1), grad_norm=np.ones(50))
    spike = ok.loss.copy()
    spike[20] = 1e6  # one spike that training recovered from is not divergence
    exploded = np.geomspace(2.0, 1e5, 50)
    assert not ok.diverged
    assert not History(loss=spike, lr=ok.lr, grad_norm=ok.grad_norm).diverged
    assert History(loss=exploded, lr=ok.lr, grad_norm=ok.grad_norm).diverged
    assert ok.final_loss == pytest.approx(np.mean(ok.loss[-5:]))


def test_a_normal_run_learns_digits():
    torch.manual_seed(0)
    X_tr, X_te, y_tr, y_te = data.load_digits_split()
    model = models.MLP()
    opt = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    acc = functools.partial(training.evaluate_accuracy, X=X_te, y=y_te)
    h = train(model, training.cross_entropy_loss, data.batch_iterator(X_tr, y_tr, 64, seed=0),
              opt, 200, eval_fn=lambda m: {"test_acc": acc(m)}, eval_every=50)
    assert not h.diverged and h.final_loss < 0.2 * h.loss[0]
    assert h.eval_steps == [0, 50, 100, 150, 200]
    assert h.eval["test_acc"][0] < 0.3 and h.eval["test_acc"][-1] > 0.9


# --------------------------------------------------------------------------- the loop's plumbing
def test_callable_and_iterable_batches_give_the_same_run():
    X, y = torch.randn(40, 64), torch.randint(0, 10, (40,))
    runs = []
    for kind in ("iter", "callable"):
        torch.manual_seed(0)
        model = models.MLP()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        it = data.batch_iterator(X, y, 8, seed=1)
        batches = it if kind == "iter" else (lambda k, it=it: next(it))
        runs.append(train(model, training.cross_entropy_loss, batches, opt, 12).loss)
    np.testing.assert_array_equal(*runs)


def test_eval_fn_runs_in_eval_mode_without_grad():
    modes = []

    def eval_fn(model):
        modes.append((model.training, torch.is_grad_enabled()))
        return 1.5

    model = Linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    h = train(model, linear_loss, constant_batch([1.0, 0, 0, 0]), opt, 7, eval_fn=eval_fn,
              eval_every=3)
    assert h.eval_steps == [0, 3, 6, 7] and h.eval == {"eval": [1.5] * 4}
    assert modes == [(False, False)] * 4 and model.training


def test_progress_bar_writes_nothing_to_stderr(capfd):
    model = Linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    train(model, linear_loss, constant_batch([1.0, 0, 0, 0]), opt, 20, progress=True)
    out, err = capfd.readouterr()
    assert err == ""
    assert "0/20" in out  # the bar went to stdout


def test_train_leaves_flush_denormal_off():
    model = Linear()
    train(model, linear_loss, constant_batch([1.0, 0, 0, 0]),
          torch.optim.SGD(model.parameters(), lr=0.1), 2)
    assert torch.tensor(1e-40, dtype=torch.float32).item() != 0.0  # subnormals exist again


@pytest.mark.parametrize("kwargs, exc, name", [
    ({"steps": 0}, ValueError, "steps"),
    ({"clip_norm": -1.0}, ValueError, "clip_norm"),
    ({"clip_norm": float("nan")}, ValueError, "clip_norm"),
    ({"clip_value": 0.0}, ValueError, "clip_value"),
    ({"clip_norm": 1.0, "clip_value": 1.0}, ValueError, "clip_value"),
    ({"eval_every": 0}, ValueError, "eval_every"),
    ({"schedule": 0.1}, TypeError, "schedule"),
    ({"schedule": lambda k: -0.1}, ValueError, "schedule"),
])
def test_bad_arguments(kwargs, exc, name):
    model = Linear()
    args = {"steps": 3, **kwargs}
    with pytest.raises(exc, match=name):
        train(model, linear_loss, constant_batch([1.0, 0, 0, 0]),
              torch.optim.SGD(model.parameters(), lr=0.1), **args)


def test_bad_batches_and_optimizer():
    model = Linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    batch = torch.ones(4, dtype=torch.float64)
    with pytest.raises(ValueError, match="ran out after 2"):
        train(model, linear_loss, [batch, batch], opt, 5)
    with pytest.raises(TypeError, match="lambda k"):
        train(model, linear_loss, (torch.zeros(3), torch.zeros(3)), opt, 5)
    with pytest.raises(TypeError, match="optimizer"):
        train(model, linear_loss, constant_batch(batch), "sgd", 5)
    with pytest.raises(TypeError, match="scalar"):
        train(model, lambda m, b: m.w * 2, constant_batch(batch), opt, 5)


# --------------------------------------------------------------------------- helpers
def test_evaluate_accuracy_and_losses():
    class Echo(nn.Module):
        def forward(self, x):
            return x

    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [5.0, 4.0], [1.0, 1.5]])
    y = torch.tensor([0, 1, 1, 1])
    model = Echo().train()
    assert training.evaluate_accuracy(model, logits, y) == 0.75
    assert training.evaluate_accuracy(model, logits, y, batch_size=3) == 0.75
    assert model.training
    seq = torch.randn(2, 5, 7)
    targets = torch.randint(0, 7, (2, 5))
    expected = nn.functional.cross_entropy(seq.permute(0, 2, 1), targets)
    assert torch.allclose(training.cross_entropy_loss(Echo(), (seq, targets)), expected)
    expected_acc = (seq.argmax(-1) == targets).double().mean().item()
    assert training.evaluate_accuracy(Echo(), seq, targets) == pytest.approx(expected_acc)


# --------------------------------------------------------------------------- History.plot
@pytest.fixture(scope="module")
def two_runs():
    histories = []
    for clip in (None, 0.5):
        torch.manual_seed(0)
        X, y = data.adding_problem(256, seq_len=10, seed=0)
        model = models.TinyRNN(hidden_size=8)
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        histories.append(train(model, training.mse_loss, data.batch_iterator(X, y, 32), opt, 30,
                               schedule=lambda k: 0.05 * (k + 1) / 30, clip_norm=clip,
                               eval_fn=lambda m: {"test_loss": 0.2}, eval_every=10))
    return histories


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_history_plot_overlays_runs_without_warnings(two_runs, lang, capfd, caplog):
    plotting.use_course_style(lang)
    # matplotlib reports missing glyphs as warnings or as log records (mathtext): catch both
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING):
        warnings.simplefilter("error")
        axes = two_runs[0].plot(lang=lang, label="no clipping")
        same = two_runs[1].plot(axes, lang=lang, label="clip")
        axes[0].figure.savefig(io.BytesIO(), format="png")
    assert [a for a in same] == [a for a in axes] and len(axes) == 3
    assert [ax.get_ylabel() for ax in axes] == [plotting.LABELS[lang][k]
                                                for k in ("loss", "lr", "grad_norm")]
    assert axes[-1].get_xlabel() == plotting.LABELS[lang]["step"]
    assert [t.get_text() for t in axes[0].get_legend().get_texts()] == ["no clipping", "clip"]
    assert axes[1].get_legend() is None  # one legend, on the first panel
    assert axes[0].get_yscale() == "log" and axes[1].get_yscale() == "linear"
    assert axes[2].get_yscale() == "log"
    np.testing.assert_allclose(axes[1].lines[0].get_ydata(), two_runs[0].lr)
    assert capfd.readouterr().err == "" and caplog.records == []


def test_history_plot_uses_the_course_language_by_default(two_runs):
    plotting.use_course_style("ko")
    axes = two_runs[0].plot(panels=("loss", "test_loss"))
    assert axes[0].get_ylabel() == "손실" and axes[1].get_ylabel() == "테스트 손실"
    np.testing.assert_array_equal(axes[1].lines[0].get_xdata(), [0, 10, 20, 30])
    plotting.use_course_style("en")
    axes = two_runs[0].plot(panels="grad_norm", smooth=0.9)
    assert len(axes) == 1 and axes[0].get_ylabel() == "gradient norm"


def test_history_plot_smoothing_and_bad_arguments(two_runs):
    h = two_runs[0]
    raw = h.plot(panels="loss")[0].lines[0].get_ydata()
    smooth = h.plot(panels="loss", smooth=0.9)[0].lines[0].get_ydata()
    np.testing.assert_allclose(raw, h.loss)
    assert smooth[0] == pytest.approx(h.loss[0]) and np.std(np.diff(smooth)) < np.std(np.diff(raw))
    with pytest.raises(ValueError, match="panels"):
        h.plot(panels=("accuracy",))
    with pytest.raises(ValueError, match="smooth"):
        h.plot(smooth=1.0)
    with pytest.raises(ValueError, match="axes"):
        h.plot(axes=h.plot(panels="loss"))


# --------------------------------------------------------------------------- train_grid
def _tiny_rnn(seed):
    torch.manual_seed(seed)
    return TinyRNN(hidden_size=8, recurrent_scale=1.2)


@pytest.mark.parametrize("optimizer, lr", [(functools.partial(torch.optim.SGD, momentum=0.9), 0.05),
                                           (torch.optim.Adam, 0.01)])
def test_train_grid_trains_each_model_as_train_would(optimizer, lr):
    batches = lambda k: adding_problem(16, seq_len=6, seed=k)
    clip = functools.partial(clipping.clip_grad_norm_, max_norm=0.5)
    grid = train_grid([_tiny_rnn(s) for s in (0, 1)], mse_loss, batches, optimizer, steps=15,
                      lr=[lr, 2 * lr], clip=[clip, None])
    for (seed, lr_m, clip_norm), h in zip([(0, lr, 0.5), (1, 2 * lr, None)], grid):
        model = _tiny_rnn(seed)
        alone = train(model, mse_loss, batches, optimizer(model.parameters(), lr=lr_m), steps=15,
                      clip_norm=clip_norm)
        np.testing.assert_allclose(h.loss, alone.loss, rtol=1e-4)
        np.testing.assert_allclose(h.grad_norm, alone.grad_norm, rtol=1e-4)
        np.testing.assert_allclose(h.lr, lr_m)
        assert np.all(h.update_norm > 0) and np.all(h.weight_norm > 0)


def test_train_grid_freezes_a_diverging_model_and_leaves_the_others_alone():
    batches = lambda k: adding_problem(16, seq_len=6, seed=k)
    models = [_tiny_rnn(0), _tiny_rnn(0)]
    runs = train_grid(models, mse_loss, batches, torch.optim.SGD, steps=30, lr=[0.05, 1e6])
    calm, wild = runs
    assert not calm.diverged and np.all(np.isfinite(calm.loss))
    assert wild.diverged and np.isnan(wild.loss[-1])
    for p in models[0].parameters():  # each module ends with its trained weights
        assert torch.all(torch.isfinite(p))
    assert not torch.equal(models[0].W_hh.weight, _tiny_rnn(0).W_hh.weight)


def test_train_grid_schedule_multiplies_the_learning_rates():
    runs = train_grid([_tiny_rnn(0)], mse_loss, lambda k: adding_problem(8, seq_len=4, seed=k),
                      torch.optim.SGD, steps=4, lr=0.1, schedule=lambda k: k / 4)
    np.testing.assert_allclose(runs[0].lr, [0.0, 0.025, 0.05, 0.075])
    assert runs[0].update_norm[0] == 0.0


def test_train_grid_takes_one_schedule_per_model_as_train_would():
    batches = lambda k: adding_problem(16, seq_len=6, seed=k)
    warm = functools.partial(schedules.linear_warmup, base_lr=1.0, warmup_steps=5)
    grid = train_grid([_tiny_rnn(0), _tiny_rnn(0)], mse_loss, batches, torch.optim.SGD, steps=12,
                      lr=0.2, schedule=[warm, None])
    model = _tiny_rnn(0)
    alone = train(model, mse_loss, batches, torch.optim.SGD(model.parameters(), lr=1.0), steps=12,
                  schedule=lambda k: 0.2 * warm(k))
    np.testing.assert_allclose(grid[0].loss, alone.loss, rtol=1e-4)
    np.testing.assert_allclose(grid[0].lr, alone.lr)
    np.testing.assert_allclose(grid[1].lr, 0.2)


def test_train_grid_evaluates_every_model_on_the_eval_batch():
    batches = lambda k: adding_problem(16, seq_len=6, seed=k)
    held_out = adding_problem(64, seq_len=6, seed=999)
    models = [_tiny_rnn(0), _tiny_rnn(1)]
    grid = train_grid(models, mse_loss, batches, torch.optim.SGD, steps=10, lr=0.1,
                      eval_batch=held_out, eval_every=4)
    for seed, h, trained in zip((0, 1), grid, models):
        assert h.eval_steps == [0, 4, 8, 10]
        assert np.isclose(h.eval["loss"][0], mse_loss(_tiny_rnn(seed), held_out).item(), rtol=1e-5)
        assert np.isclose(h.eval["loss"][-1], mse_loss(trained, held_out).item(), rtol=1e-5)


def test_train_grid_records_what_evaluate_measures_on_each_model():
    batches = lambda k: adding_problem(16, seq_len=6, seed=k)
    held_out = adding_problem(64, seq_len=6, seed=999)
    models = [_tiny_rnn(0), _tiny_rnn(1)]

    def evaluate(model, params):
        return {"mse": mse_loss(model, held_out), "norm": params["W_hh.weight"].norm()}
    grid = train_grid(models, mse_loss, batches, torch.optim.SGD, steps=6, lr=0.1, evaluate=evaluate,
                      eval_every=3, eval_batch=held_out)
    for seed, h, trained in zip((0, 1), grid, models):
        assert h.eval_steps == [0, 3, 6] and set(h.eval) == {"loss", "mse", "norm"}
        assert np.isclose(h.eval["mse"][0], mse_loss(_tiny_rnn(seed), held_out).item(), rtol=1e-5)
        np.testing.assert_allclose(h.eval["mse"], h.eval["loss"], rtol=1e-6)
        assert np.isclose(h.eval["norm"][-1], trained.W_hh.weight.norm().item(), rtol=1e-5)
        assert np.isclose(h.eval["norm"][0], _tiny_rnn(seed).W_hh.weight.norm().item(), rtol=1e-5)


def test_moving_average_is_the_bias_corrected_ema_and_lags_beta_over_one_minus_beta():
    values = np.random.default_rng(0).normal(size=50)
    expected, m = [], 0.0
    for k, v in enumerate(values):
        m = 0.8 * m + 0.2 * v
        expected.append(m / (1 - 0.8 ** (k + 1)))
    np.testing.assert_allclose(training.moving_average(values, beta=0.8), expected)
    ramp = np.arange(2000.0)  # on a ramp the average trails by its mean age, β/(1 − β)
    assert np.isclose(ramp[-1] - training.moving_average(ramp, beta=0.9)[-1], 9.0)
    np.testing.assert_allclose(training.moving_average([3.0, 1.0], beta=0.0), [3.0, 1.0])
    with pytest.raises(ValueError):
        training.moving_average(values, beta=1.0)
    with pytest.raises(ValueError):
        training.moving_average(np.ones((2, 2)))


@pytest.mark.parametrize("kwargs, error", [
    (dict(models=[]), TypeError), (dict(lr=[0.1, 0.2, 0.3]), ValueError), (dict(lr=-1.0), ValueError),
    (dict(clip=[None]), TypeError), (dict(clip="no"), TypeError), (dict(schedule=3), TypeError),
    (dict(schedule=[None]), TypeError), (dict(eval_every=2), TypeError),
    (dict(evaluate=lambda model, params: {}), TypeError), (dict(evaluate="loss", eval_every=2), TypeError),
    (dict(eval_batch=adding_problem(4, seq_len=4), eval_every=0), ValueError),
    (dict(steps=0), ValueError)])
def test_train_grid_rejects_bad_arguments(kwargs, error):
    arguments = dict(models=[_tiny_rnn(0), _tiny_rnn(1)], loss_fn=mse_loss,
                     batches=lambda k: adding_problem(8, seq_len=4, seed=k), make_optimizer=torch.optim.SGD,
                     steps=2, lr=0.1)
    arguments.update(kwargs)
    with pytest.raises(error):
        train_grid(**arguments)


def test_train_grid_trains_schedule_free_optimizers_as_train_would():
    from regkit.optim import ScheduleFreeSGD

    batches = lambda k: adding_problem(16, seq_len=6, seed=k)
    held_out = adding_problem(64, seq_len=6, seed=999)
    make = functools.partial(ScheduleFreeSGD, momentum=0.9, warmup_steps=4)
    models = [_tiny_rnn(0), _tiny_rnn(1)]
    grid = train_grid(models, mse_loss, batches, make, steps=10, lr=[0.02, 0.05], eval_batch=held_out,
                      eval_every=5)
    for seed, lr_m, h, trained in zip((0, 1), (0.02, 0.05), grid, models):
        model = _tiny_rnn(seed)
        optimizer = make(model.parameters(), lr=lr_m)
        optimizer.train()  # the parameters hold y, where gradients are taken
        alone = train(model, mse_loss, batches, optimizer, steps=10)
        np.testing.assert_allclose(h.loss, alone.loss, rtol=1e-4)
        np.testing.assert_allclose(h.lr, [lr_m * min(1, (k + 1) / 4) for k in range(10)], rtol=1e-12)
        assert np.isclose(h.eval["loss_at_y"][-1], mse_loss(model, held_out).item(), rtol=1e-4)
        optimizer.eval()  # x, the average: what the grid's models end with, and what it evaluates
        for p_grid, p_alone in zip(trained.parameters(), model.parameters()):
            torch.testing.assert_close(p_grid, p_alone, rtol=1e-4, atol=1e-6)
        assert h.eval_steps == [0, 5, 10]
        assert np.isclose(h.eval["loss"][-1], mse_loss(model, held_out).item(), rtol=1e-4)
        assert h.eval["loss"][0] == h.eval["loss_at_y"][0]  # before the first step x = y
        assert h.eval["loss"][-1] != h.eval["loss_at_y"][-1]
    with pytest.raises(TypeError, match="schedule"):
        train_grid([_tiny_rnn(0)], mse_loss, batches, make, steps=2, lr=0.1, schedule=lambda k: 1.0)
