"""Small data for the course: real (scikit-learn's digits) and generated.

Everything here is tiny and deterministic given a seed, so that every chapter runs in
seconds on a laptop CPU and gives the same numbers everywhere.

=========================  ===========================================================
``load_digits_split``       8x8 handwritten digits, split into train / test tensors
``batch_iterator``          endless shuffled mini-batches over (X, y)
``pascanu_rnn``             the one-unit RNN of Pascanu et al. (2013), vectorised
``pascanu_loss``            its loss, whose surface has a cliff (chapter 1)
``pascanu_surface``         the loss on a (w, b) grid, ready for a contour / 3-D plot
``pascanu_descent``         a gradient-descent path on that surface, optionally clipped
``adding_problem``          the long-sequence "adding problem" for an RNN
``reverse_task``            reverse a short integer sequence (a tiny Transformer's task)
``char_dataset``            a bundled few-KB English text, as next-character pairs
=========================  ===========================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import torch

__all__ = [
    "replace_labels",
    "load_digits_split", "batch_iterator",
    "PASCANU_W_RANGE", "PASCANU_B_RANGE", "PASCANU_START",
    "pascanu_rnn", "pascanu_loss", "pascanu_surface", "pascanu_descent",
    "adding_problem", "reverse_task",
    "TINY_TEXT", "CharData", "char_dataset",
]


# --------------------------------------------------------------------------- checks
def _check_int(name, value, low=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value}")
    return int(value)


def _check_seed(seed):
    return _check_int("seed", seed, low=0)


# --------------------------------------------------------------------------- digits
def load_digits_split(test_size=0.25, train_size=None, seed=0, scale=True):
    """The 8x8 digits of scikit-learn (1 797 images, 10 classes) as train / test tensors.

    The data ship with scikit-learn, so nothing is downloaded. The split is stratified
    (every class keeps its share) and fixed by ``seed``.

    Parameters
    ----------
    test_size : float in (0, 1) or int
        Share (or number) of images held out for testing.
    train_size : None, float in (0, 1] or int
        ``None`` keeps the whole training part. Otherwise only this many (or this share)
        of the training images are kept - a small training set overfits, which is what
        the L2 chapter needs. The test set does not depend on ``train_size``, so runs
        with different training sizes are measured on the same test images.
    seed : int
        Fixes both splits.
    scale : bool
        Divide the pixel values (0..16) by 16, so that they lie in [0, 1].

    Returns
    -------
    X_train, X_test : float32 tensors of shape (n, 64)
    y_train, y_test : int64 tensors of shape (n,)

    Example
    -------
    >>> X_train, X_test, y_train, y_test = load_digits_split(train_size=100)
    >>> X_train.shape, X_test.shape
    (torch.Size([100, 64]), torch.Size([450, 64]))
    """
    seed = _check_seed(seed)
    X, y = _digits()
    n = len(y)
    _check_size("test_size", test_size, n, whole_ok=False)
    n_test = math.ceil(test_size * n) if isinstance(test_size, (float, np.floating)) else int(test_size)
    train, test = _stratified_split(y, n - n_test, n_test, seed)
    X_tr, X_te, y_tr, y_te = X[train], X[test], y[train], y[test]
    if train_size is not None:
        _check_size("train_size", train_size, len(y_tr), whole_ok=True)
        if train_size not in (1.0, len(y_tr)):  # a true subset was asked for
            n_keep = math.floor(train_size * len(y_tr)) if isinstance(train_size, (float, np.floating)) else int(train_size)
            keep, _ = _stratified_split(y_tr, n_keep, len(y_tr) - n_keep, seed)
            X_tr, y_tr = X_tr[keep], y_tr[keep]
    if scale:
        X_tr, X_te = X_tr / 16.0, X_te / 16.0
    as_x = lambda a: torch.as_tensor(a, dtype=torch.float32)  # noqa: E731
    as_y = lambda a: torch.as_tensor(a, dtype=torch.int64)  # noqa: E731
    return as_x(X_tr), as_x(X_te), as_y(y_tr), as_y(y_te)


def _digits():
    """scikit-learn's digits as ``load_digits(return_X_y=True)`` gives them (float64 pixels 0..16,
    int labels), read from the file scikit-learn ships, without importing scikit-learn: that
    import (SciPy with it) took about a second of every chapter's start."""
    from importlib.util import find_spec

    sklearn_dir = Path(find_spec("sklearn").submodule_search_locations[0])
    table = np.loadtxt(sklearn_dir / "datasets" / "data" / "digits.csv.gz", delimiter=",")
    return table[:, :-1], table[:, -1].astype(int)


def _stratified_split(y, n_train, n_test, seed):
    """Indices of a stratified shuffled split, the very one scikit-learn's
    ``train_test_split(..., stratify=y, random_state=seed)`` makes (its StratifiedShuffleSplit,
    written out; ``tests/test_data.py`` holds the two equal): each class gives its share of
    ``n_train`` and ``n_test``, rounded by the largest remainders, ties broken at random."""
    rng = np.random.RandomState(seed)
    _, labels, class_counts = np.unique(y, return_inverse=True, return_counts=True)
    if min(n_train, n_test) < len(class_counts):
        raise ValueError(f"a stratified split needs at least {len(class_counts)} images on each side, "
                         f"got {n_train} and {n_test}")
    members = np.split(np.argsort(labels, kind="stable"), np.cumsum(class_counts)[:-1])
    train_counts = _largest_remainders(class_counts, n_train, rng)
    test_counts = _largest_remainders(class_counts - train_counts, n_test, rng)
    train, test = [], []
    for indices, k_train, k_test in zip(members, train_counts, test_counts):
        shuffled = indices[rng.permutation(len(indices))]
        train.extend(shuffled[:k_train])
        test.extend(shuffled[k_train:k_train + k_test])
    return rng.permutation(train), rng.permutation(test)


def _largest_remainders(class_counts, n_draws, rng):
    """How many of ``n_draws`` each class gives: its share, floored, plus one for the classes with
    the largest remainders (ties broken by ``rng``) until the counts add up to ``n_draws``."""
    share = class_counts / class_counts.sum() * n_draws
    counts = np.floor(share)
    missing = int(n_draws - counts.sum())
    remainder = share - counts
    for value in np.sort(np.unique(remainder))[::-1]:
        if missing == 0:
            break
        (tied,) = np.where(remainder == value)
        chosen = rng.choice(tied, size=min(len(tied), missing), replace=False)
        counts[chosen] += 1
        missing -= len(chosen)
    return counts.astype(int)


def replace_labels(y, fraction, n_classes=10, seed=0):
    """A copy of ``y`` in which each label, with probability ``fraction``, is drawn anew.

    A replaced label is uniform over the ``n_classes`` classes, so it may by chance keep its
    value: about ``fraction · (1 − 1/n_classes)`` of the labels end up wrong. Such noise makes
    an objective whose minimum the mini-batch gradients keep scattering around, even for a
    model too small to memorise it (chapter 3 compares schedules on it). Fixed by ``seed``.

    >>> y_noisy = replace_labels(y_train, 0.3, seed=0)     # about 27 % of the labels wrong
    """
    if not isinstance(y, torch.Tensor) or y.dtype != torch.int64 or y.dim() != 1:
        raise TypeError("y must be a 1-D int64 tensor of class labels")
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be a number in [0, 1], got {fraction!r}")
    n_classes = _check_int("n_classes", n_classes)
    gen = torch.Generator().manual_seed(_check_seed(seed))
    replaced = torch.rand(len(y), generator=gen) < fraction
    return torch.where(replaced, torch.randint(0, n_classes, (len(y),), generator=gen), y)


def _check_size(name, value, n, whole_ok):
    """A split size: a share in (0, 1) (or (0, 1] if ``whole_ok``) or a count of images."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be an int or a float, got {type(value).__name__}")
    if isinstance(value, (float, np.floating)):
        if not (0.0 < value < 1.0 or (whole_ok and value == 1.0)):
            raise ValueError(f"{name} as a share must be in (0, 1{']' if whole_ok else ')'}, got {value}")
        return
    # stratification needs every one of the 10 classes on each side of a split
    high = n if whole_ok else n - 10
    if not 10 <= value <= high:
        raise ValueError(f"{name} as a count must be in [10, {high}], got {value}")


def batch_iterator(X, y, batch_size, seed=0, shuffle=True):
    """Endless mini-batches ``(X[idx], y[idx])``: one shuffled pass after another.

    Each pass (epoch) is a fresh permutation drawn from a generator seeded with
    ``seed``, so the sequence of batches is the same on every run. The last batch of a
    pass may be smaller. ``batch_size >= len(X)`` gives full-batch gradient descent.

    Example
    -------
    >>> batches = batch_iterator(X_train, y_train, batch_size=32, seed=0)
    >>> xb, yb = next(batches)            # or: regkit.training.train(..., batches, ...)
    """
    n = len(X)
    if y is not None and len(y) != n:
        raise ValueError(f"X and y must have the same length, got {n} and {len(y)}")
    if n == 0:
        raise ValueError("X must not be empty")
    batch_size = _check_int("batch_size", batch_size)
    gen = torch.Generator().manual_seed(_check_seed(seed))

    def endless():
        while True:
            order = torch.randperm(n, generator=gen) if shuffle else torch.arange(n)
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                yield (X[idx], y[idx]) if y is not None else X[idx]

    return endless()


# --------------------------------------------------------------------------- Pascanu et al. (2013)
# The range of the (w, b) plane where the cliff of the one-unit RNN is seen whole: for
# w < 4 the map x -> w*sigma(x) + b has one fixed point and the surface is smooth; from
# w ~ 4 on it has two stable fixed points, and along the line b ~ -0.58 w the 50-step
# trajectory switches from one to the other. There the loss jumps from ~0.49 (sigma -> 0)
# to ~0.09 (sigma -> 1) within a tiny change of b: the cliff. Above it, the valley of zero
# loss; the region up to b = 4 leaves room for the paths that the cliff throws away.
# Measured (float64): on a 201 x 201 grid the loss spans 0 .. 0.49 and the gradient norm
# 7e-7 .. 17 (median 0.004); the grid's points miss the cliff's edge, which is thinner than
# their spacing: on a fine line across it at w = 5 the norm reaches ~7 000, and for w >= 6
# the loss jumps by ~0.4 between two values of b 2e-5 apart. tests/test_data.py checks this.
PASCANU_W_RANGE = (0.0, 10.0)
PASCANU_B_RANGE = (-8.0, 4.0)
# A start just above the cliff: plain gradient descent with lr = 1 hits the wall and is
# thrown ~5 units away onto the far plateau; clipped to norm 1 it walks into the valley.
PASCANU_START = (5.0, -2.0)


def _sigmoid(x):
    if isinstance(x, torch.Tensor):
        return torch.sigmoid(x)
    # 0.5 * (1 + tanh(x / 2)) is the logistic function without exp overflow warnings
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def pascanu_rnn(w, b, steps=50, x0=0.5):
    """The hidden state after ``steps`` steps of the one-unit RNN of Pascanu et al. (2013).

    .. math::  x_t = w\\,\\sigma(x_{t-1}) + b, \\qquad x_0 = 0.5

    (no input; the same ``w`` and ``b`` at every step, as in a real RNN). ``w`` and ``b``
    may be Python floats, NumPy arrays or torch tensors of any broadcastable shapes: a
    whole grid of (w, b) pairs is evaluated at once, and torch tensors with
    ``requires_grad=True`` give gradients by backpropagation through time.

    Example
    -------
    >>> float(pascanu_rnn(1.0, 0.0, steps=1))   # 1 * sigma(0.5) + 0
    0.6224593312018546
    """
    steps = _check_int("steps", steps)
    use_torch = isinstance(w, torch.Tensor) or isinstance(b, torch.Tensor)
    if not use_torch:
        w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
    x = x0 + 0 * (w + b)  # the start value, broadcast to the shape (and dtype) of the grid
    for _ in range(steps):
        x = w * _sigmoid(x) + b
    return x


def pascanu_loss(w, b, target=0.7, steps=50, x0=0.5):
    """The loss of the one-unit RNN: :math:`L(w, b) = (\\sigma(x_{50}) - 0.7)^2`.

    Same inputs as :func:`pascanu_rnn`; returns the same type and shape. Its surface over
    ``PASCANU_W_RANGE x PASCANU_B_RANGE`` has the "cliff" of the paper's Fig. 6.

    Example
    -------
    >>> w = torch.tensor(5.0, requires_grad=True); b = torch.tensor(-2.0, requires_grad=True)
    >>> pascanu_loss(w, b).backward()      # w.grad, b.grad: the gradient at that point
    """
    return (_sigmoid(pascanu_rnn(w, b, steps=steps, x0=x0)) - target) ** 2


def pascanu_surface(n=121, w_range=PASCANU_W_RANGE, b_range=PASCANU_B_RANGE, **loss_kwargs):
    """The loss on an ``n x n`` grid: NumPy arrays ``W, B, L`` (``W[i, j]`` varies along j).

    Ready for ``ax.contourf(W, B, L)`` or ``regkit.plotting.loss_surface(ax, W, B, L)``.
    """
    n = _check_int("n", n, low=2)
    w = np.linspace(*w_range, n)
    b = np.linspace(*b_range, n)
    W, B = np.meshgrid(w, b, indexing="xy")
    return W, B, pascanu_loss(W, B, **loss_kwargs)


def pascanu_descent(w0, b0, lr, steps, max_norm=None, **loss_kwargs):
    """Gradient descent on the one-unit RNN's loss, optionally with norm clipping.

    Each step is :math:`\\theta \\leftarrow \\theta - \\alpha\\, g`, where, if ``max_norm``
    is given, :math:`g` is first rescaled by the lecture's rule
    ``max_norm * g / ||g||`` whenever ``||g|| > max_norm`` (``regkit.clipping.clip_by_norm``).

    Returns
    -------
    path : ndarray of shape (steps + 1, 2)
        The points (w, b) visited, the start included.
    grad_norms : ndarray of shape (steps,)
        ``||g||`` at each point, before clipping.

    Example
    -------
    >>> path, g = pascanu_descent(*PASCANU_START, lr=1.0, steps=60)                # thrown away
    >>> path, g = pascanu_descent(*PASCANU_START, lr=1.0, steps=60, max_norm=1.0)  # walks down
    """
    steps = _check_int("steps", steps)
    if not (isinstance(lr, (int, float, np.integer, np.floating)) and math.isfinite(lr) and lr >= 0):
        raise ValueError(f"lr must be a finite number >= 0, got {lr!r}")
    if max_norm is not None:
        from regkit.clipping import clip_by_norm  # the lecture's rule, one array at a time

    theta = np.array([w0, b0], dtype=np.float64)
    path, norms = [theta.copy()], []
    for _ in range(steps):
        p = torch.tensor(theta, requires_grad=True)
        (g,) = torch.autograd.grad(pascanu_loss(p[0], p[1], **loss_kwargs), p)
        g = g.numpy()
        norms.append(float(np.linalg.norm(g)))
        if max_norm is not None:
            g = clip_by_norm(g, max_norm)
        theta = theta - lr * g
        path.append(theta.copy())
    return np.array(path), np.array(norms)


# --------------------------------------------------------------------------- sequences
def adding_problem(n, seq_len=50, seed=0):
    """The adding problem (Hochreiter & Schmidhuber 1997; Le et al. 2015).

    Each input is a sequence of ``seq_len`` pairs ``(value, marker)``: the values are
    uniform in [0, 1]; exactly two markers are 1, one in each half of the sequence. The
    target is the sum of the two marked values. The network must carry a value across
    up to ``seq_len`` steps, so the gradient passes through long products of Jacobians -
    where gradients explode (and vanish). Predicting the mean, 1, gives MSE = 1/6 ~ 0.167:
    that is the baseline a model has to beat.

    Returns
    -------
    X : float32 tensor (n, seq_len, 2)
    y : float32 tensor (n, 1)

    Example
    -------
    >>> X, y = adding_problem(256, seq_len=50, seed=0)
    >>> X.shape, y.shape
    (torch.Size([256, 50, 2]), torch.Size([256, 1]))
    """
    n = _check_int("n", n)
    seq_len = _check_int("seq_len", seq_len, low=2)
    gen = torch.Generator().manual_seed(_check_seed(seed))
    values = torch.rand(n, seq_len, generator=gen)
    half = seq_len // 2
    first = torch.randint(0, half, (n,), generator=gen)
    second = torch.randint(half, seq_len, (n,), generator=gen)
    markers = torch.zeros(n, seq_len)
    rows = torch.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    X = torch.stack([values, markers], dim=-1)
    y = (values[rows, first] + values[rows, second]).unsqueeze(1)
    return X, y


def reverse_task(n, seq_len=8, vocab=10, seed=0):
    """Reverse a sequence of random tokens: input ``[3, 1, 4, 1]`` -> target ``[1, 4, 1, 3]``.

    Position i of the output must look at position ``seq_len - 1 - i`` of the input, which
    is exactly what attention can do and a per-position MLP cannot: a small task on which
    a tiny Transformer learns in seconds (chapter on warmup and Post-LN / Pre-LN).

    Returns
    -------
    inputs, targets : int64 tensors (n, seq_len), tokens in ``[0, vocab)``

    Example
    -------
    >>> x, y = reverse_task(2, seq_len=4, vocab=10, seed=0)
    >>> bool((y == x.flip(1)).all())
    True
    """
    n = _check_int("n", n)
    seq_len = _check_int("seq_len", seq_len)
    vocab = _check_int("vocab", vocab, low=2)
    gen = torch.Generator().manual_seed(_check_seed(seed))
    inputs = torch.randint(0, vocab, (n, seq_len), generator=gen)
    return inputs, inputs.flip(1)


# --------------------------------------------------------------------------- a tiny text
def _read_tiny_text():
    return resources.files("regkit").joinpath("tiny_text.txt").read_text(encoding="utf-8")


TINY_TEXT = _read_tiny_text()
"""A few KB of plain English about gradient descent, written for the course (CC0)."""


@dataclass
class CharData:
    """Next-character pairs of a text: ``y[i, t]`` is the character after ``x[i, t]``."""

    x: torch.Tensor  # int64 (n, block_size)
    y: torch.Tensor  # int64 (n, block_size): x shifted left by one character
    chars: str       # the vocabulary: character k is chars[k]

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> torch.Tensor:
        """Characters -> int64 tensor of their indices."""
        index = {c: k for k, c in enumerate(self.chars)}
        missing = sorted(set(text) - index.keys())
        if missing:
            raise ValueError(f"text contains characters outside the vocabulary: {missing!r}")
        return torch.tensor([index[c] for c in text], dtype=torch.int64)

    def decode(self, ids) -> str:
        """Indices (a tensor or a list) -> the string they spell."""
        return "".join(self.chars[int(k)] for k in ids)


def char_dataset(block_size=32, text=None, stride=None):
    """A character-level language-modelling data set from a text (default: ``TINY_TEXT``).

    Windows of ``block_size + 1`` characters are taken every ``stride`` characters
    (default ``block_size // 2``); the first ``block_size`` are the input, the last
    ``block_size`` (shifted by one) the target, as in GPT-style training.

    Example
    -------
    >>> data = char_dataset(block_size=32)
    >>> data.x.shape[1], data.decode(data.x[0][:8])
    (32, 'Gradient')
    """
    text = TINY_TEXT if text is None else text
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    block_size = _check_int("block_size", block_size)
    stride = max(1, block_size // 2) if stride is None else _check_int("stride", stride)
    if len(text) < block_size + 1:
        raise ValueError(f"block_size must be < len(text) = {len(text)}, got {block_size}")
    chars = "".join(sorted(set(text)))
    index = {c: k for k, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.int64)
    windows = ids.unfold(0, block_size + 1, stride)  # (n, block_size + 1), views, no copy loop
    return CharData(x=windows[:, :-1].contiguous(), y=windows[:, 1:].contiguous(), chars=chars)
