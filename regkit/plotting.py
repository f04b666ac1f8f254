"""The course's figure style and the few figure helpers several chapters share.

Call ``use_course_style("ko")`` (or ``"en"``) once at the top of a notebook: it sets a
phone-width figure size, a colour-blind-safe colour cycle, and fonts that cover Hangul
(NanumGothic, from koreanize-matplotlib, behind matplotlib's DejaVu Sans), so no figure
prints a "Glyph missing" warning.

matplotlib is imported inside the functions, so ``import regkit`` stays light.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["LABELS", "COLORS", "label", "use_course_style", "plot_schedules", "loss_surface",
           "plot_path", "plot_seeds"]

# Axis labels in the two languages of the course; the Korean terms are those of the book's
# glossary.yml (그래디언트, 학습, 에포크, ...). Unknown keys are shown as they are.
LABELS = {
    "en": {
        "step": "step",
        "epoch": "epoch",
        "loss": "loss",
        "lr": "learning rate",
        "grad_norm": "gradient norm",
        "train_loss": "training loss",
        "test_loss": "test loss",
        "accuracy": "accuracy",
        "train_acc": "training accuracy",
        "test_acc": "test accuracy",
        "weight_norm": "weight norm",
        "eval": "evaluation",
    },
    "ko": {
        "step": "스텝",
        "epoch": "에포크",
        "loss": "손실",
        "lr": "학습률",
        "grad_norm": "그래디언트 노름",
        "train_loss": "학습 손실",
        "test_loss": "테스트 손실",
        "accuracy": "정확도",
        "train_acc": "학습 정확도",
        "test_acc": "테스트 정확도",
        "weight_norm": "가중치 노름",
        "eval": "평가",
    },
}

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
# The yellow is last: it is hard to see on white.
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

_course = {"lang": "en"}  # the language set by the last use_course_style call


def _check_lang(lang):
    if lang is None:
        return _course["lang"]
    if lang not in LABELS:
        raise ValueError(f"lang must be one of {sorted(LABELS)}, got {lang!r}")
    return lang


def label(key, lang=None):
    """The axis label for ``key`` in ``lang`` (default: the course language), e.g. ``label("lr", "ko")``."""
    return LABELS[_check_lang(lang)].get(key, key)


def use_course_style(lang="en"):
    """Set the course's matplotlib style and remember ``lang`` ('ko' or 'en') for labels.

    - figures 6.4 x 3.6 in at 100 dpi: fits a phone-width page and keeps PNGs small;
    - a light grid, no top/right spines, the Okabe-Ito colour cycle;
    - DejaVu Sans for Latin, Greek and symbols, NanumGothic for Hangul (matplotlib picks
      each glyph from the first font that has it), and ``axes.unicode_minus = False``.

    The backend is left alone (inline in Jupyter, Agg without a display).

    One limit: a label that contains mathtext (``$...$``) is drawn whole by mathtext, with
    one font, so Hangul and ``$...$`` cannot share a label ("Glyph missing"). Write the
    symbols in Unicode there (``"학습률 α_t"``, ``"‖g‖ ≤ η"``), or keep the math in a
    label of its own. Log axes (ticks like :math:`10^{-2}`) and English labels with
    ``$...$`` are fine.
    """
    lang = _check_lang(lang)
    import matplotlib as mpl

    with warnings.catch_warnings():
        # koreanize-matplotlib 0.1.1 imports distutils' LooseVersion, which is deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        import koreanize_matplotlib  # noqa: F401  registers NanumGothic with matplotlib

    mpl.rcParams.update({
        "figure.figsize": (6.4, 3.6),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "figure.constrained_layout.use": True,
        # DejaVu Sans (matplotlib's own) first, NanumGothic for the Hangul it lacks: text falls
        # back glyph by glyph, and mathtext's \mathdefault (log-axis ticks such as 10^{-1},
        # drawn with the first font) keeps a true minus sign, which NanumGothic does not have
        "font.family": ["DejaVu Sans", "NanumGothic"],
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "legend.fontsize": 9,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "axes.unicode_minus": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": mpl.cycler(color=COLORS),
        "lines.linewidth": 1.6,
        "legend.frameon": False,
        "image.cmap": "viridis",
    })
    _course["lang"] = lang
    _show_figures_as_compact_pngs()


def _compact_png(figure) -> bytes:
    """The figure as IPython shows it (PNG, tight box), its colours reduced to a palette of 256:
    the course's line plots and heatmaps look the same at about half the bytes, which keeps a
    chapter with a dozen figures light enough for a phone."""
    from io import BytesIO

    from IPython.core.pylabtools import print_figure
    from PIL import Image
    image = Image.open(BytesIO(print_figure(figure, "png"))).convert("RGB")
    palette = image.quantize(256, dither=Image.Dither.NONE)
    out = BytesIO()
    palette.save(out, "PNG", optimize=True)
    return out.getvalue()


def _show_figures_as_compact_pngs() -> None:
    """In a notebook, show every matplotlib figure through ``_compact_png``."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure
    # the inline backend registers its own PNG formatter when it loads, at the first figure:
    # load it now, so that this one comes after
    plt.close(plt.figure())
    shell.display_formatter.formatters["image/png"].for_type(Figure, _compact_png)


def plot_schedules(steps, curves, ax=None, title=None, xlabel=None, ylabel=None, lang=None):
    """Draw learning-rate schedules: one line per ``{label: values}`` entry, over ``steps``.

    Example
    -------
    >>> k = np.arange(1000)
    >>> plot_schedules(k, {"cosine": cosine_annealing(k, 0.1, 1000),
    ...                    "step": step_decay(k, 0.1, 300)}, title="LR schedules")
    """
    import matplotlib.pyplot as plt

    if not isinstance(curves, dict) or not curves:
        raise TypeError("curves must be a non-empty dict {label: values}")
    if ax is None:
        _, ax = plt.subplots()
    steps = np.asarray(steps)
    for name, values in curves.items():
        values = np.broadcast_to(np.asarray(values, dtype=float), steps.shape)
        ax.plot(steps, values, label=name)
    ax.set_xlabel(label("step", lang) if xlabel is None else xlabel)
    ax.set_ylabel(label("lr", lang) if ylabel is None else ylabel)
    if title is not None:
        ax.set_title(title)
    if len(curves) > 1 or next(iter(curves)) is not None:
        ax.legend()
    return ax


def loss_surface(ax, W, B, Z, kind="contour", levels=30, log=False, cmap="viridis",
                 xlabel="$w$", ylabel="$b$", zlabel=None, title=None, colorbar=True):
    """A loss over a 2-D grid, as filled contours (``kind="contour"``) or a 3-D surface (``"3d"``).

    ``W, B, Z`` are 2-D arrays of the same shape (e.g. from ``regkit.data.pascanu_surface``
    or ``np.meshgrid``). ``ax=None`` makes a new figure (with a 3-D axes for ``"3d"``);
    a given ``ax`` must be 3-D for ``"3d"``. ``log=True`` shows ``log10(Z)`` (for losses
    spanning orders of magnitude). Returns the axes.

    Example
    -------
    >>> W, B, L = regkit.data.pascanu_surface()
    >>> ax = loss_surface(None, W, B, L, kind="3d", title="cliff")
    """
    import matplotlib.pyplot as plt

    W, B, Z = (np.asarray(a, dtype=float) for a in (W, B, Z))
    if not (W.ndim == 2 and W.shape == B.shape == Z.shape):
        raise ValueError(f"W, B, Z must be 2-D arrays of one shape, got {W.shape}, {B.shape}, {Z.shape}")
    if kind not in ("contour", "3d"):
        raise ValueError(f"kind must be 'contour' or '3d', got {kind!r}")
    if log:
        Z = np.log10(np.maximum(Z, np.finfo(float).tiny))
    if ax is None:
        fig = plt.figure()
        ax = fig.add_subplot(projection="3d" if kind == "3d" else None)
    if kind == "3d":
        if not hasattr(ax, "plot_surface"):
            raise ValueError("ax must be a 3-D axes (projection='3d') for kind='3d'")
        mappable = ax.plot_surface(W, B, Z, cmap=cmap, linewidth=0, antialiased=True)
        if zlabel is not None:
            ax.set_zlabel(zlabel)
    else:
        mappable = ax.contourf(W, B, Z, levels=levels, cmap=cmap)
        if colorbar:
            ax.figure.colorbar(mappable, ax=ax, label=zlabel)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    return ax


def plot_path(ax, path, z=None, label=None, **line_kwargs):
    """Overlay an optimisation path ``(steps + 1, 2)`` on a surface plot: line, dots, start ring.

    ``z`` (one value per point) lifts the path onto a 3-D surface.

    Example
    -------
    >>> path, _ = regkit.data.pascanu_descent(5.0, -2.0, lr=1.0, steps=50)
    >>> plot_path(ax, path, label="no clipping")
    """
    path = np.asarray(path, dtype=float)
    if path.ndim != 2 or path.shape[1] != 2:
        raise ValueError(f"path must have shape (n, 2), got {path.shape}")
    coords = (path[:, 0], path[:, 1]) if z is None else (path[:, 0], path[:, 1], np.asarray(z))
    style = {"marker": "o", "markersize": 3, "linewidth": 1.2, **line_kwargs}
    (line,) = ax.plot(*coords, label=label, **style)
    start = [c[:1] for c in coords]
    ax.plot(*start, marker="o", markersize=8, markerfacecolor="none", color=line.get_color(),
            linestyle="none")
    if label is not None:
        ax.legend()
    return ax


def plot_seeds(ax, x, values, label=None, color=None, **line_kwargs):
    """One setting run on several seeds: the mean as a line, the range (min to max) as a band.

    ``values`` has shape ``(seeds, len(x))``. The band shows every seed's run, so a claim
    read off the figure ("the test accuracy falls after step 50") can be checked against
    the worst seed, not only the average. Returns the line.

    Example
    -------
    >>> x = np.arange(30)
    >>> runs = np.cumsum(np.random.default_rng(0).normal(size=(8, 30)), axis=1)
    >>> _, ax = plt.subplots(); line = plot_seeds(ax, x, runs, label="8 seeds")
    """
    x, values = np.asarray(x, dtype=float), np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[1] != x.shape[0]:
        raise ValueError(f"values must have shape (seeds, {x.shape[0]}), got {values.shape}")
    (line,) = ax.plot(x, values.mean(axis=0), label=label, color=color, **line_kwargs)
    ax.fill_between(x, values.min(axis=0), values.max(axis=0), color=line.get_color(), alpha=0.2,
                    linewidth=0)
    return line
