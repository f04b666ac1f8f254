"""regkit.data: the digits split, mini-batches, the Pascanu RNN and its cliff, generated tasks."""

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
import torch

from regkit import data

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- digits
@pytest.fixture(scope="module")
def digits():
    return data.load_digits_split(seed=0)


def test_digits_shapes_dtypes_and_range(digits):
    X_tr, X_te, y_tr, y_te = digits
    assert X_tr.shape == (1347, 64) and X_te.shape == (450, 64)
    assert y_tr.shape == (1347,) and y_te.shape == (450,)
    assert X_tr.dtype == torch.float32 and y_tr.dtype == torch.int64
    assert X_tr.min() == 0 and X_tr.max() == 1 and X_te.max() <= 1
    assert set(y_tr.tolist()) == set(range(10))


def test_digits_split_is_stratified(digits):
    _, _, y_tr, y_te = digits
    share_tr = torch.bincount(y_tr, minlength=10) / len(y_tr)
    share_te = torch.bincount(y_te, minlength=10) / len(y_te)
    assert torch.allclose(share_tr, share_te, atol=0.01)


def test_digits_deterministic_and_seed_dependent(digits):
    again = data.load_digits_split(seed=0)
    assert all(torch.equal(a, b) for a, b in zip(digits, again))
    other = data.load_digits_split(seed=1)
    assert not torch.equal(digits[0], other[0])


def test_digits_unscaled_keeps_pixel_values():
    X_tr, _, _, _ = data.load_digits_split(scale=False)
    assert X_tr.max() == 16 and torch.equal(X_tr, X_tr.round())


def test_digits_small_training_subset_keeps_the_test_set(digits):
    X_tr, X_te, y_tr, y_te = data.load_digits_split(train_size=100, seed=0)
    assert X_tr.shape == (100, 64)
    assert torch.equal(torch.bincount(y_tr), torch.full((10,), 10))  # stratified: 10 per class
    assert torch.equal(X_te, digits[1]) and torch.equal(y_te, digits[3])
    # the subset is made of training images
    full = {tuple(row.tolist()) for row in digits[0]}
    assert all(tuple(row.tolist()) in full for row in X_tr)
    # a share works too, and all of them is the full training set
    assert len(data.load_digits_split(train_size=0.5)[0]) == 673
    assert torch.equal(data.load_digits_split(train_size=1.0)[0], digits[0])


@pytest.mark.parametrize("seed", [0, 1, 7, 123, 2026])
@pytest.mark.parametrize("test_size, train_size", [
    (0.25, None), (0.25, 100), (0.25, 500), (0.25, 700), (0.25, 0.5), (0.3, 333), (450, 64), (0.1, 0.37),
])
def test_digits_split_is_scikit_learns(seed, test_size, train_size):
    """regkit reads the digits and splits them without importing scikit-learn: the same images,
    labels and split as load_digits + train_test_split(stratify=..., random_state=seed)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_size, stratify=y, random_state=seed)
    if train_size is not None:
        X_tr, _, y_tr, _ = train_test_split(X_tr, y_tr, train_size=train_size, stratify=y_tr,
                                            random_state=seed)
    expected = [torch.as_tensor(X_tr / 16, dtype=torch.float32), torch.as_tensor(X_te / 16, dtype=torch.float32),
                torch.as_tensor(y_tr), torch.as_tensor(y_te)]
    got = data.load_digits_split(test_size=test_size, train_size=train_size, seed=seed)
    assert all(torch.equal(a, b) for a, b in zip(got, expected))


def test_digits_load_without_scikit_learn():
    import subprocess
    import sys
    code = "import sys, regkit.data as d; d.load_digits_split(); print('sklearn' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


@pytest.mark.parametrize("kwargs, name", [
    ({"test_size": 0.0}, "test_size"), ({"test_size": 1.5}, "test_size"),
    ({"train_size": 5}, "train_size"), ({"train_size": 5000}, "train_size"),
    ({"train_size": 0.0}, "train_size"), ({"seed": -1}, "seed"),
    ({"test_size": 0.004}, "stratified split"),
])
def test_digits_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        data.load_digits_split(**kwargs)


def test_digits_bad_types():
    with pytest.raises(TypeError, match="train_size"):
        data.load_digits_split(train_size="100")
    with pytest.raises(TypeError, match="seed"):
        data.load_digits_split(seed=0.5)


# --------------------------------------------------------------------------- batch_iterator
def test_batch_iterator_visits_every_example_once_per_epoch():
    X = torch.arange(10).float().unsqueeze(1)
    y = torch.arange(10)
    it = data.batch_iterator(X, y, batch_size=4, seed=0)
    epoch = [next(it) for _ in range(3)]  # 4 + 4 + 2
    assert [len(b[1]) for b in epoch] == [4, 4, 2]
    seen = torch.cat([b[1] for b in epoch])
    assert sorted(seen.tolist()) == list(range(10))
    assert seen.tolist() != list(range(10))  # shuffled
    for xb, yb in epoch:  # X and y stay paired
        assert torch.equal(xb[:, 0].long(), yb)
    second = torch.cat([next(it)[1] for _ in range(3)])
    assert sorted(second.tolist()) == list(range(10)) and not torch.equal(second, seen)


def test_batch_iterator_deterministic_endless_and_full_batch():
    X, y = torch.randn(7, 3), torch.arange(7)
    a = [next(it)[1] for it in [data.batch_iterator(X, y, 3, seed=5)] for _ in range(20)]
    b = [next(it)[1] for it in [data.batch_iterator(X, y, 3, seed=5)] for _ in range(20)]
    assert all(torch.equal(u, v) for u, v in zip(a, b))  # 20 batches: many epochs, same order
    full = next(data.batch_iterator(X, y, 100, shuffle=False))
    assert torch.equal(full[0], X)


def test_batch_iterator_bad_arguments():
    with pytest.raises(ValueError, match="batch_size"):
        data.batch_iterator(torch.zeros(3, 1), torch.zeros(3), 0)
    with pytest.raises(ValueError, match="same length"):
        data.batch_iterator(torch.zeros(3, 1), torch.zeros(4), 2)


# --------------------------------------------------------------------------- Pascanu RNN
def reference_loss(w, b, steps=50, x0=0.5, target=0.7):
    """Plain Python, one point at a time: x_t = w * sigma(x_{t-1}) + b."""
    sigma = lambda x: 1.0 / (1.0 + math.exp(-x))  # noqa: E731
    x = x0
    for _ in range(steps):
        x = w * sigma(x) + b
    return (sigma(x) - target) ** 2


POINTS = [(0.0, 0.0), (1.0, -0.5), (5.0, -2.0), (7.5, -4.0), (9.0, 3.0), (-3.0, 1.0), (4.2, -2.3)]


def test_pascanu_loss_matches_plain_python_loop():
    w = np.array([p[0] for p in POINTS])
    b = np.array([p[1] for p in POINTS])
    expected = np.array([reference_loss(*p) for p in POINTS])
    np.testing.assert_allclose(data.pascanu_loss(w, b), expected, rtol=1e-12, atol=1e-15)
    got_torch = data.pascanu_loss(torch.tensor(w), torch.tensor(b))
    assert isinstance(got_torch, torch.Tensor)
    np.testing.assert_allclose(got_torch.numpy(), expected, rtol=1e-12, atol=1e-15)
    for (wi, bi), e in zip(POINTS, expected):  # Python floats
        assert math.isclose(float(data.pascanu_loss(wi, bi)), e, rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(float(data.pascanu_loss(2.0, 1.0, target=0.1, steps=7, x0=-1.0)),
                        reference_loss(2.0, 1.0, steps=7, x0=-1.0, target=0.1), rel_tol=1e-12)


def test_pascanu_rnn_one_step():
    assert math.isclose(float(data.pascanu_rnn(2.0, 0.3, steps=1)), 2.0 / (1 + math.exp(-0.5)) + 0.3)


def test_pascanu_loss_gradient_matches_finite_differences():
    w = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-1.0, dtype=torch.float64, requires_grad=True)
    data.pascanu_loss(w, b).backward()
    h = 1e-6
    dw = (reference_loss(3.0 + h, -1.0) - reference_loss(3.0 - h, -1.0)) / (2 * h)
    db = (reference_loss(3.0, -1.0 + h) - reference_loss(3.0, -1.0 - h)) / (2 * h)
    assert math.isclose(w.grad.item(), dw, rel_tol=1e-5)
    assert math.isclose(b.grad.item(), db, rel_tol=1e-5)


def test_pascanu_surface_grid():
    W, B, L = data.pascanu_surface(n=11)
    assert W.shape == B.shape == L.shape == (11, 11)
    assert (W[0, 0], W[0, -1]) == data.PASCANU_W_RANGE and (B[0, 0], B[-1, 0]) == data.PASCANU_B_RANGE
    assert math.isclose(L[3, 7], reference_loss(W[3, 7], B[3, 7]), rel_tol=1e-12)


def _grad_norm(w, b):
    w = torch.as_tensor(w, dtype=torch.float64).clone().requires_grad_(True)
    b = torch.as_tensor(b, dtype=torch.float64).clone().requires_grad_(True)
    loss = data.pascanu_loss(w, b)
    loss.sum().backward()
    return loss.detach().numpy(), torch.hypot(w.grad, b.grad).numpy()


def test_the_default_range_shows_a_cliff():
    W, B, _ = data.pascanu_surface(n=201)
    L, g = _grad_norm(W, B)
    # two plateaus, sigma(x_50) -> 0 (loss 0.49) and a valley of zero loss
    assert L.max() > 0.45 and L.min() < 1e-3
    # the gradient norm spans many orders of magnitude over the plane
    assert g.max() / g.min() > 1e6
    median = np.median(g)
    # ... and across the cliff (w = 5, b through the edge) it is thousands of times the median
    b_line = np.linspace(-3.0, -2.0, 100_001)
    _, g_line = _grad_norm(np.full_like(b_line, 5.0), b_line)
    assert g_line.max() > 1e5 * median
    # further out the edge is thinner than float64 can resolve: a jump, not a slope
    for w in (6.0, 8.0):
        b_line = np.linspace(-0.58 * w - 1, -0.58 * w + 1, 100_001)
        L_line = data.pascanu_loss(np.full_like(b_line, w), b_line)
        assert np.abs(np.diff(L_line)).max() > 0.3  # 2e-5 apart in b
    # where the cliff is NOT: left of w = 4 the map has one fixed point and no jump
    b_line = np.linspace(-8.0, 4.0, 100_001)
    assert np.abs(np.diff(data.pascanu_loss(np.full_like(b_line, 2.0), b_line))).max() < 1e-4


def test_pascanu_descent_is_thrown_by_the_cliff_unless_clipped():
    path, norms = data.pascanu_descent(*data.PASCANU_START, lr=1.0, steps=60)
    clipped, norms_c = data.pascanu_descent(*data.PASCANU_START, lr=1.0, steps=60, max_norm=1.0)
    assert path.shape == (61, 2) and norms.shape == (60,)
    assert np.allclose(path[0], data.PASCANU_START)
    jumps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    jumps_c = np.linalg.norm(np.diff(clipped, axis=0), axis=1)
    assert jumps.max() > 3.0                       # one step flies off ...
    assert jumps_c.max() <= 1.0 + 1e-12            # ... clipped steps are at most lr * max_norm
    assert norms_c.max() > 1.0                     # and clipping did act (norms before clipping)
    final = data.pascanu_loss(*path[-1])
    final_c = data.pascanu_loss(*clipped[-1])
    assert final_c < 0.01 < final                 # clipped: in the valley; unclipped: on a plateau
    # each recorded norm is the gradient's norm at that point
    _, g0 = _grad_norm(path[0][0], path[0][1])
    assert math.isclose(norms[0], float(g0), rel_tol=1e-12)


def test_pascanu_bad_arguments():
    with pytest.raises(ValueError, match="steps"):
        data.pascanu_rnn(1.0, 0.0, steps=0)
    with pytest.raises(ValueError, match="lr"):
        data.pascanu_descent(1.0, 0.0, lr=-1.0, steps=3)


# --------------------------------------------------------------------------- generated sequences
def test_adding_problem():
    X, y = data.adding_problem(500, seq_len=20, seed=3)
    assert X.shape == (500, 20, 2) and y.shape == (500, 1) and X.dtype == torch.float32
    values, markers = X[..., 0], X[..., 1]
    assert ((values >= 0) & (values < 1)).all()
    assert torch.equal(markers.sum(1), torch.full((500,), 2.0))
    assert (markers[:, :10].sum(1) == 1).all() and (markers[:, 10:].sum(1) == 1).all()
    assert torch.allclose((values * markers).sum(1, keepdim=True), y)
    X2, y2 = data.adding_problem(500, seq_len=20, seed=3)
    assert torch.equal(X, X2) and torch.equal(y, y2)
    assert not torch.equal(X, data.adding_problem(500, seq_len=20, seed=4)[0])
    # baseline: always predicting 1 gives MSE ~ 1/6
    assert abs(((y - 1) ** 2).mean().item() - 1 / 6) < 0.03
    with pytest.raises(ValueError, match="seq_len"):
        data.adding_problem(5, seq_len=1)


def test_reverse_task():
    x, y = data.reverse_task(100, seq_len=8, vocab=7, seed=0)
    assert x.shape == y.shape == (100, 8) and x.dtype == torch.int64
    assert torch.equal(y, x.flip(1)) and torch.equal(y[:, 0], x[:, -1])
    assert x.min() >= 0 and x.max() < 7 and len(x.unique()) == 7
    assert torch.equal(x, data.reverse_task(100, seq_len=8, vocab=7, seed=0)[0])
    with pytest.raises(ValueError, match="vocab"):
        data.reverse_task(3, vocab=1)


# --------------------------------------------------------------------------- tiny text
def test_tiny_text_is_small_plain_text():
    assert 3_000 <= len(data.TINY_TEXT.encode()) <= 5_000
    assert data.TINY_TEXT.isascii() and data.TINY_TEXT.startswith("Gradient descent")


def test_char_dataset_pairs_are_shifted_by_one():
    d = data.char_dataset(block_size=16)
    assert d.x.shape[1] == d.y.shape[1] == 16 and d.x.dtype == torch.int64
    assert torch.equal(d.x[:, 1:], d.y[:, :-1])
    assert d.decode(d.x[0]) == data.TINY_TEXT[:16] and d.decode(d.y[0]) == data.TINY_TEXT[1:17]
    assert d.decode(d.x[1]) == data.TINY_TEXT[8:24]  # stride = block_size // 2
    assert d.vocab_size == len(set(data.TINY_TEXT)) and d.x.max() < d.vocab_size
    assert d.decode(d.encode("the loss")) == "the loss"
    with pytest.raises(ValueError, match="vocabulary"):
        d.encode("손실")


def test_char_dataset_other_text_and_bad_block_size():
    d = data.char_dataset(block_size=3, text="abcabcabc", stride=1)
    assert d.chars == "abc" and len(d.x) == 6
    with pytest.raises(ValueError, match="block_size"):
        data.char_dataset(block_size=20, text="short")


def test_the_text_ships_with_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "tiny_text.txt" in config["tool"]["setuptools"]["package-data"]["regkit"]
    assert (ROOT / "regkit" / "tiny_text.txt").is_file()


def test_replace_labels_redraws_the_stated_share_and_is_fixed_by_its_seed():
    from regkit.data import replace_labels

    y = torch.arange(10).repeat(2000)
    noisy = replace_labels(y, 0.3, seed=1)
    assert noisy.dtype == torch.int64 and noisy.shape == y.shape and torch.equal(y, torch.arange(10).repeat(2000))
    wrong = (noisy != y).float().mean().item()
    assert abs(wrong - 0.3 * 0.9) < 0.015             # a redrawn label keeps its value 1 time in 10
    assert torch.equal(noisy, replace_labels(y, 0.3, seed=1)) and not torch.equal(noisy, replace_labels(y, 0.3, seed=2))
    assert torch.equal(replace_labels(y, 0.0), y) and noisy.min() >= 0 and noisy.max() <= 9
    for bad in (-0.1, 1.5, "0.3", True):
        with pytest.raises(ValueError, match="fraction"):
            replace_labels(y, bad)
    with pytest.raises(TypeError, match="y must"):
        replace_labels(y.float(), 0.1)
