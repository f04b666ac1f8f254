"""regkit.plotting: the course style draws Hangul without "Glyph missing", and the shared helpers."""

import io
import logging
import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from regkit import data, plotting  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_style():
    yield
    plt.close("all")
    matplotlib.rcdefaults()
    plotting.use_course_style("en")  # leave the module's language at its default
    matplotlib.rcdefaults()


def draw_mixed_text_figure():
    """Korean, Greek, arrows, norms and minus signs: everything a chapter's figure may contain."""
    fig, ax = plt.subplots()
    x = np.linspace(-3, 3, 50)
    ax.plot(x, -x ** 2, label="학습률 α_t → 0, ‖g‖ ≤ η")
    ax.set_title("그래디언트 클리핑: 손실 곡면의 절벽 (−5 … 5)")
    ax.set_xlabel("스텝 t")
    ax.set_ylabel("손실 L(θ) − λ‖w‖²")  # Hangul with Unicode symbols (not $...$: see plotting)
    ax.text(0, -4, "가중치 감쇠 β = α·λ")
    ax.legend()
    log_ax = fig.add_axes((0.6, 0.6, 0.3, 0.3))  # log ticks are mathtext: $10^{-2}$
    log_ax.semilogy([1, 2, 3], [1e-3, 1e-2, 1e-1])
    log_ax.set_title(r"loss $L(\theta) - \lambda \|w\|^2$")  # mathtext with Latin text
    log_ax.set_xlabel(r"$\alpha_t = -\eta$")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf


def messages_while(draw, caplog, capfd):
    """Everything drawing printed or warned: warnings, log records, stderr."""
    capfd.readouterr()
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        draw()
    return [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records] + \
        [capfd.readouterr().err]


def test_hangul_figure_draws_without_glyph_warnings(caplog, capfd):
    plotting.use_course_style("ko")
    messages = messages_while(draw_mixed_text_figure, caplog, capfd)
    assert [m for m in messages if m] == []


def test_without_the_course_style_the_same_figure_does_warn(caplog, capfd):
    # the control: shows that the check above can fail (DejaVu Sans has no Hangul)
    matplotlib.rcdefaults()
    messages = messages_while(draw_mixed_text_figure, caplog, capfd)
    assert any("Glyph" in m and "missing" in m for m in messages)


def test_use_course_style_settings():
    plotting.use_course_style("ko")
    rc = matplotlib.rcParams
    assert tuple(rc["figure.figsize"]) == (6.4, 3.6) and rc["figure.dpi"] == 100
    assert rc["savefig.dpi"] <= 120 and rc["axes.unicode_minus"] is False
    assert "NanumGothic" in rc["font.family"] and rc["axes.grid"]
    assert rc["axes.prop_cycle"].by_key()["color"] == plotting.COLORS
    assert plotting.label("lr") == "학습률"
    plotting.use_course_style("en")
    assert plotting.label("lr") == "learning rate"
    assert plotting.label("lr", "ko") == "학습률" and plotting.label("unknown key") == "unknown key"
    with pytest.raises(ValueError, match="lang"):
        plotting.use_course_style("de")


def test_labels_exist_in_both_languages_and_follow_the_glossary():
    assert plotting.LABELS["ko"].keys() == plotting.LABELS["en"].keys()
    ko = " ".join(plotting.LABELS["ko"].values())
    for forbidden in ("훈련", "에폭", "기울기 폭발", "학습 속도"):  # glossary.yml variants
        assert forbidden not in ko


def test_plot_schedules():
    plotting.use_course_style("ko")
    steps = np.arange(100)
    ax = plotting.plot_schedules(steps, {"상수": 0.1, "감쇠": 0.1 * 0.99 ** steps}, title="스케줄")
    assert len(ax.lines) == 2 and ax.get_xlabel() == "스텝" and ax.get_ylabel() == "학습률"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 0.1)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["상수", "감쇠"]
    with pytest.raises(TypeError, match="curves"):
        plotting.plot_schedules(steps, [0.1])


def test_loss_surface_contour_3d_and_path():
    plotting.use_course_style("en")
    W, B, L = data.pascanu_surface(n=31)
    ax = plotting.loss_surface(None, W, B, L, title="cliff")
    assert ax.get_xlabel() == "$w$" and len(ax.figure.axes) == 2  # the plot and its colour bar
    path, _ = data.pascanu_descent(*data.PASCANU_START, lr=1.0, steps=5)
    plotting.plot_path(ax, path, label="GD")
    np.testing.assert_allclose(ax.lines[0].get_xdata(), path[:, 0])
    ax3 = plotting.loss_surface(None, W, B, L, kind="3d", log=True)
    assert ax3.name == "3d"
    plotting.plot_path(ax3, path, z=np.log10(data.pascanu_loss(path[:, 0], path[:, 1])))
    with pytest.raises(ValueError, match="kind"):
        plotting.loss_surface(None, W, B, L, kind="heatmap")
    with pytest.raises(ValueError, match="3-D axes"):
        plotting.loss_surface(plt.subplots()[1], W, B, L, kind="3d")
    with pytest.raises(ValueError, match="path"):
        plotting.plot_path(ax, path[:, 0])


def test_import_regkit_does_not_import_the_heavy_helpers():
    # (tqdm is left out: torch itself imports it)
    code = ("import sys, regkit; print(sorted(m for m in ('matplotlib', 'sklearn', "
            "'koreanize_matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]" and out.stderr == ""


def test_figures_are_shown_as_compact_palette_pngs():
    """A notebook shows figures through plotting._compact_png: the same picture as IPython's
    PNG, with a 256-colour palette (a chapter with a dozen figures stays light for phones)."""
    from io import BytesIO

    import matplotlib.pyplot as plt
    import numpy as np
    from IPython.core.pylabtools import print_figure
    from PIL import Image

    from regkit.plotting import _compact_png, use_course_style
    with plt.rc_context():  # the course's style (its Hangul font), for this figure only
        use_course_style("ko")
        fig, ax = plt.subplots()
        t = np.linspace(0, 10, 500)
        for k in range(4):
            ax.plot(t, np.sin(t + k), label=f"curve {k}")
        ax.legend()
        ax.set_title("학습률 α_t")
        full, compact = print_figure(fig, "png"), _compact_png(fig)
        plt.close(fig)
    original = Image.open(BytesIO(full)).convert("RGB")
    palette = Image.open(BytesIO(compact))
    assert palette.mode == "P" and palette.size == original.size
    difference = np.abs(np.asarray(palette.convert("RGB"), float) - np.asarray(original, float))
    assert difference.mean() < 1.0, difference.mean()  # of 255: the eye sees no change
    assert len(compact) < 0.7 * len(full)


def test_plot_seeds_draws_the_mean_and_the_range_of_the_seeds():
    import matplotlib.pyplot as plt

    from regkit.plotting import plot_seeds

    runs = np.array([[0.0, 1.0, 2.0], [2.0, 3.0, 6.0]])
    fig, ax = plt.subplots()
    line = plot_seeds(ax, [0, 1, 2], runs, label="two seeds")
    np.testing.assert_allclose(line.get_ydata(), [1.0, 2.0, 4.0])
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == 0.0 and band[:, 1].max() == 6.0
    with pytest.raises(ValueError, match="values"):
        plot_seeds(ax, [0, 1], runs)
    plt.close(fig)
