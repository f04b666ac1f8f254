"""regkit.regularization: the L2 penalty's value and gradient, and what to decay."""

import copy

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from regkit import optim as O
from regkit.regularization import decay_param_groups, l1_penalty, l2_penalty, soft_threshold, weight_norm

pytestmark = [pytest.mark.filterwarnings("error"), pytest.mark.usefixtures("one_torch_thread")]


# --------------------------------------------------------------------------- l2_penalty


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    # λ = 0 or a sensible size: at λ ~ 1e-45 the products λ·w fall below float32's normal range,
    # where "exactly λ·w" no longer holds for any way of computing it
    lam=st.one_of(st.just(0.0), st.floats(1e-8, 10.0)),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_l2_penalty_value_and_gradient(seed, lam, dtype):
    generator = torch.Generator().manual_seed(seed)
    tensors = [
        torch.randn(shape, generator=generator, dtype=dtype, requires_grad=True) for shape in [(3, 4), (4,), ()]
    ]
    penalty = l2_penalty(tensors, lam)
    assert penalty.dim() == 0 and penalty.dtype == dtype
    expected = lam / 2 * sum((w.detach().double() ** 2).sum().item() for w in tensors)
    assert penalty.item() == pytest.approx(expected, rel=1e-5 if dtype == torch.float32 else 1e-12, abs=1e-30)
    penalty.backward()
    for w in tensors:
        torch.testing.assert_close(w.grad, lam * w.detach(), rtol=0, atol=0)  # exactly λ·w


def test_l2_penalty_takes_a_tensor_a_generator_and_nothing():
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    assert l2_penalty(w, 0.5).item() == pytest.approx(0.25 * 25)
    model = torch.nn.Linear(2, 1)
    assert l2_penalty(model.parameters(), 1.0).item() == pytest.approx(
        0.5 * sum((p.detach() ** 2).sum().item() for p in model.parameters()), rel=1e-6
    )
    assert l2_penalty([], 0.1).item() == 0.0
    assert l2_penalty(w, 0.0).item() == 0.0


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_on_loss_plus_penalty_equals_torch_weight_decay(momentum):
    # The chapter's claim: adding (λ/2)‖w‖² to the loss is torch's SGD weight_decay=λ.
    torch.manual_seed(0)
    penalised = torch.nn.Linear(5, 1).double()
    decayed = copy.deepcopy(penalised)
    lam = 0.1
    optimizers = [torch.optim.SGD(penalised.parameters(), lr=0.1, momentum=momentum),
                  torch.optim.SGD(decayed.parameters(), lr=0.1, momentum=momentum, weight_decay=lam)]
    x, y = torch.randn(32, 5, dtype=torch.float64), torch.randn(32, 1, dtype=torch.float64)
    for _ in range(30):
        for model, optimizer, extra in zip((penalised, decayed), optimizers, (True, False)):
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            if extra:
                loss = loss + l2_penalty(model.parameters(), lam)
            loss.backward()
            optimizer.step()
    for p, q in zip(penalised.parameters(), decayed.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------- decay_param_groups


class TiedLanguageModel(torch.nn.Module):
    """Embedding tied to the output layer, LayerNorm, biases and a frozen layer."""

    def __init__(self, vocab=11, width=6):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab, width)
        self.mix = torch.nn.Linear(width, width)
        self.norm = torch.nn.LayerNorm(width)
        self.frozen = torch.nn.Linear(width, width)
        self.frozen.requires_grad_(False)
        self.head = torch.nn.Linear(width, vocab, bias=True)
        self.head.weight = self.embedding.weight  # weight tying (GPT-2, nanoGPT)
        self.scale = torch.nn.Parameter(torch.ones(()))  # a 0-d parameter

    def forward(self, tokens):
        h = self.norm(torch.relu(self.mix(self.embedding(tokens))) + self.frozen(self.embedding(tokens)))
        return self.scale * self.head(h)


def test_decay_param_groups_splits_by_dimension():
    model = TiedLanguageModel()
    decay, no_decay = decay_param_groups(model, weight_decay=0.1)
    assert decay["weight_decay"] == 0.1 and no_decay["weight_decay"] == 0.0
    ids = lambda params: [id(p) for p in params]  # noqa: E731
    assert ids(decay["params"]) == ids([model.embedding.weight, model.mix.weight])
    assert set(ids(no_decay["params"])) == set(
        ids([model.mix.bias, model.norm.weight, model.norm.bias, model.head.bias, model.scale])
    )
    assert decay["names"] == ["embedding.weight", "mix.weight"]
    assert len(no_decay["names"]) == len(no_decay["params"])


def test_decay_param_groups_covers_each_trainable_parameter_once():
    model = TiedLanguageModel()
    groups = decay_param_groups(model, weight_decay=0.1)
    listed = [id(p) for group in groups for p in group["params"]]
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    assert len(listed) == len(set(listed))  # no parameter twice (the tied one included)
    assert set(listed) == trainable
    assert id(model.frozen.weight) not in listed and id(model.frozen.bias) not in listed


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda groups: torch.optim.AdamW(groups, lr=1e-2),
        lambda groups: torch.optim.SGD(groups, lr=1e-2, momentum=0.9),
        lambda groups: O.Adam(groups, lr=1e-2),
        lambda groups: O.SGD(groups, lr=1e-2),
    ],
    ids=["torch.AdamW", "torch.SGD", "regkit.Adam", "regkit.SGD"],
)
def test_optimizers_accept_the_groups_and_their_names(make_optimizer):
    model = TiedLanguageModel()
    optimizer = make_optimizer(decay_param_groups(model, weight_decay=0.1))
    assert [g["weight_decay"] for g in optimizer.param_groups] == [0.1, 0.0]
    assert optimizer.param_groups[0]["names"] == ["embedding.weight", "mix.weight"]
    frozen_before = model.frozen.weight.detach().clone()
    tokens = torch.randint(0, 11, (4, 5))
    model(tokens).sum().backward()
    optimizer.step()
    assert torch.equal(model.frozen.weight, frozen_before)
    assert torch.equal(model.head.weight, model.embedding.weight)  # still tied
    optimizer.load_state_dict(copy.deepcopy(optimizer.state_dict()))  # the names survive a round trip
    assert optimizer.param_groups[1]["names"] == decay_param_groups(model, 0.1)[1]["names"]


def test_decay_param_groups_on_a_model_without_vectors():
    model = torch.nn.Linear(3, 2, bias=False)
    decay, no_decay = decay_param_groups(model, weight_decay=0.05)
    assert len(decay["params"]) == 1 and no_decay["params"] == []
    torch.optim.AdamW([decay, no_decay], lr=1e-3)  # an empty group is accepted


# --------------------------------------------------------------------------- L1


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), lam=st.one_of(st.just(0.0), st.floats(1e-6, 10.0)))
def test_l1_penalty_value_and_gradient(seed, lam):
    generator = torch.Generator().manual_seed(seed)
    tensors = [torch.randn(shape, generator=generator, dtype=torch.float64, requires_grad=True)
               for shape in [(3, 4), (4,)]]
    tensors.append(torch.zeros(2, dtype=torch.float64, requires_grad=True))  # |w| at its kink
    penalty = l1_penalty(tensors, lam)
    assert penalty.dim() == 0
    assert penalty.item() == pytest.approx(lam * sum(w.detach().abs().sum().item() for w in tensors), rel=1e-12)
    penalty.backward()
    for w in tensors:
        torch.testing.assert_close(w.grad, lam * torch.sign(w.detach()), rtol=0, atol=0)
    assert l1_penalty([], 0.1).item() == 0.0


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), threshold=st.floats(0.0, 2.0))
def test_soft_threshold_is_torch_softshrink_and_the_l1_proximal_step(seed, threshold):
    w = torch.randn(200, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    shrunk = soft_threshold(w, threshold)
    torch.testing.assert_close(shrunk, torch.nn.functional.softshrink(w, threshold), rtol=0, atol=0)
    # the minimiser of ½(v − w)² + t·|v|, against a fine grid of v
    grid = torch.linspace(-5, 5, 20001, dtype=torch.float64)
    objective = 0.5 * (grid[None, :] - w[:50, None]) ** 2 + threshold * grid.abs()[None, :]
    torch.testing.assert_close(shrunk[:50], grid[objective.argmin(dim=1)], rtol=0, atol=1e-3)
    assert torch.all(shrunk[w.abs() <= threshold] == 0)


def test_ista_with_soft_threshold_equals_scikit_learn_lasso():
    from sklearn.linear_model import Lasso

    generator = torch.Generator().manual_seed(0)
    X = torch.randn(40, 12, generator=generator, dtype=torch.float64)
    y = X[:, :3] @ torch.tensor([2.0, -1.0, 0.5], dtype=torch.float64) + 0.3 * torch.randn(40, generator=generator,
                                                                                           dtype=torch.float64)
    lam, alpha = 0.05, 0.1
    w = torch.zeros(12, dtype=torch.float64)
    for _ in range(3000):  # (1/2n)‖y − Xw‖² + λ‖w‖₁, scikit-learn's objective with alpha = λ
        w = soft_threshold(w - alpha * X.T @ (X @ w - y) / len(y), alpha * lam)
    expected = Lasso(alpha=lam, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X.numpy(), y.numpy()).coef_
    torch.testing.assert_close(w, torch.as_tensor(expected), rtol=0, atol=1e-9)
    assert int((w == 0).sum()) >= 5 and torch.all(w[:3] != 0)


def test_weight_norm_counts_matrices_only():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.LayerNorm(4), torch.nn.Linear(4, 2))
    matrices = [model[0].weight, model[2].weight]
    expected = torch.sqrt(sum((p.detach() ** 2).sum() for p in matrices)).item()
    assert weight_norm(model) == pytest.approx(expected, rel=1e-6)
    assert weight_norm(torch.nn.LayerNorm(3)) == 0.0


def test_decay_param_groups_against_hugging_face_trainers_rule():
    transformers = pytest.importorskip("transformers")
    from regkit.models import TinyTransformer

    hf_names = transformers.Trainer.get_decay_parameter_names  # uses only its model argument
    transformer = TinyTransformer(vocab_size=10, n_layers=2, norm_first=True)
    assert sorted(hf_names(None, transformer)) == sorted(decay_param_groups(transformer, 0.1)[0]["names"])
    # where they part: an RMSNorm under a name none of Hugging Face's patterns matches
    with_rms = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.RMSNorm(4))
    assert sorted(hf_names(None, with_rms)) == ["0.weight", "1.weight"]
    assert decay_param_groups(with_rms, 0.1)[0]["names"] == ["0.weight"]
