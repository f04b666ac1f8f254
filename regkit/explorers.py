"""Interactive figures (explorers) that work offline: on the site, in the decks and in JupyterLab.

An explorer is a notebook cell's output: HTML with its data inlined, drawn as SVG by
``explorers.js`` (shipped with regkit, inlined too: nothing is fetched), and a static figure
(a PNG, also inlined) that printing, the student edition and a browser without JavaScript show
in its place. The data comes from regkit when the notebook runs, so the book, the tests and
the figure agree::

    >>> from regkit import explorers
    >>> view = explorers.clipping(g=(6.0, 8.0), eta=5.0, lang="en")
    >>> 'class="course-explorer"' in view._repr_html_()
    True

Where the page computes something itself (a schedule at a slider's value, a clipped vector),
``explorers.js`` mirrors regkit's formulas, and ``tests/test_explorers.py`` compares the two.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
from importlib import resources

import numpy as np

from . import data as _data

LIBRARY = "explorers.js"

CSS = """
.course-explorer { margin: 1rem 0; }
.course-explorer .live { display: none; }
.course-explorer.is-live .live { display: block; }
.course-explorer.is-live .static { display: none; }
.course-explorer .static img { max-width: 100%; height: auto; }
.course-explorer svg { width: 100%; height: auto; max-width: 720px; display: block;
  touch-action: none; font-size: 13px;
  font-family: var(--pst-font-family-base, "Pretendard Variable", "DejaVu Sans", sans-serif); }
.course-explorer svg text { fill: var(--pst-color-text-base, var(--jp-ui-font-color1, #222)); }
.course-explorer .grid { stroke: var(--pst-color-border, #ccc); stroke-width: 0.6; }
.course-explorer .box { fill: none; stroke: var(--pst-color-text-muted, #666); }
.course-explorer .label { font-weight: 600; }
.course-explorer .line, .course-explorer .path { fill: none; stroke-width: 2.4; }
.course-explorer .s0 { stroke: #0072B2; } .course-explorer .s1 { stroke: #D55E00; }
.course-explorer .s2 { stroke: #009E73; }
.course-explorer .path { stroke: #fff; }
.course-explorer .arrow { stroke-width: 3; stroke-linecap: round; }
.course-explorer .ball { fill: none; stroke: #D55E00; stroke-dasharray: 5 4; }
.course-explorer .square { fill: none; stroke: #009E73; stroke-dasharray: 2 3; }
.course-explorer .handle { fill: #0072B2; fill-opacity: 0.35; stroke: #0072B2; cursor: grab; }
.course-explorer .handle:focus { outline: none; stroke-width: 3; }
.course-explorer .start { fill: #fff; } .course-explorer .end { fill: #D55E00; stroke: #fff; }
.course-explorer .controls { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; margin: 0.5rem 0; }
/* a label, its control and its value on one line (not .row: the site theme, Bootstrap, makes a
   .row's children full-width columns, one under the other) */
.course-explorer .setting { display: flex; align-items: center; gap: 0.5rem; }
/* a schedule family's panel while another is shown: out of the flow, not drawn, its layout kept */
.course-explorer .panels { position: relative; }
.course-explorer .away { content-visibility: hidden; position: absolute; inset-inline: 0; }
.course-explorer .away.unseen { content-visibility: visible; visibility: hidden; }
@supports not (content-visibility: hidden) { .course-explorer .away { display: none; } }
.course-explorer input[type=range] { width: 11rem; min-height: 2rem; }
.course-explorer select { min-height: 2rem; }
.course-explorer select, .course-explorer input, .course-explorer output { font: inherit; }
.course-explorer output { min-width: 4rem; font-variant-numeric: tabular-nums; }
.course-explorer .code { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr));
  gap: 0.5rem; }
.course-explorer .code figure { margin: 0; }
.course-explorer .code pre { margin: 0; padding: 0.5rem; font-size: 0.8rem; white-space: pre-wrap;
  font-family: var(--pst-font-family-monospace, "Nanum Gothic Coding", "DejaVu Mono", monospace); }
.course-explorer .note, .course-explorer .readout { font-size: 0.9rem; }
.course-explorer .thin { stroke-width: 0.8; stroke-opacity: 0.45; }
.course-explorer table { font-size: 0.85rem; font-variant-numeric: tabular-nums; }
.course-explorer tr.selected { background: var(--pst-color-surface, #eef); font-weight: 600; }
@media print {
  .course-explorer .live { display: none !important; }
  .course-explorer .static { display: block !important; }
}
"""

WORDS = {
    "en": {
        "x": "g₁", "y": "g₂", "figure": "The gradient g and its two clipped versions",
        "drag": "the gradient's head: drag it, or move it with the arrow keys",
        "gradient": "g", "byNorm": "norm clipping", "byValue": "value clipping",
        "angle": "angle to g", "eta": "threshold η (norm)", "c": "threshold c (value)",
        "cliff_figure": "The clipped path on the one-unit RNN's loss", "w": "w", "b": "b",
        "final": "final loss", "longest": "longest step",
        "family": "schedule", "step": "step t", "lr": "learning rate α_t",
        "schedule_figure": "The learning rate at every step", "code": "the same schedule in code",
        "none": "— none built in: write it as a function of the step",
        "note": ("Every library's schedule is called once per optimizer update: with gradient "
                 "accumulation, count updates, not micro-steps (Keras 3's iterations count "
                 "micro-steps)."),
    },
    "ko": {
        "x": "g₁", "y": "g₂", "figure": "그래디언트 g와 두 가지로 클리핑한 결과",
        "drag": "그래디언트의 끝점: 끌거나 화살표 키로 옮기세요",
        "gradient": "g", "byNorm": "노름 클리핑", "byValue": "값 클리핑",
        "angle": "g와의 각", "eta": "임계값 η (노름)", "c": "임계값 c (값)",
        "cliff_figure": "유닛 하나인 순환 신경망의 손실 위에서 클리핑한 경로", "w": "w", "b": "b",
        "final": "마지막 손실", "longest": "가장 긴 스텝",
        "family": "스케줄", "step": "스텝 t", "lr": "학습률 α_t",
        "schedule_figure": "스텝마다의 학습률", "code": "같은 스케줄을 코드로",
        "none": "— 기본 제공 스케줄이 없습니다. 스텝의 함수로 직접 쓰세요",
        "note": ("어느 라이브러리든 스케줄은 옵티마이저 업데이트마다 한 번 부릅니다. 그래디언트 누적을 "
                 "쓸 때는 마이크로 스텝이 아니라 업데이트를 세야 합니다(Keras 3의 iterations는 "
                 "마이크로 스텝을 셉니다)."),
    },
}


def _words(lang: str) -> dict:
    if lang not in WORDS:
        raise ValueError(f"lang must be one of {tuple(WORDS)}, got {lang!r}")
    return WORDS[lang]


def _compact(script: str) -> str:
    """The script without its comment lines and indentation: a page inlines it once per
    explorer, and every chapter page stays within 1 MB. (No line of it depends on either.)"""
    lines, in_comment = [], False
    for line in script.splitlines():
        line = line.strip()
        if in_comment or line.startswith("/*"):
            in_comment = "*/" not in line
            continue
        if line and not line.startswith("//"):
            lines.append(line)
    return "\n".join(lines)


def _png(figure, dpi: int = 64) -> str:
    """A matplotlib figure as an inlined 256-colour PNG (a data URL), then closed."""
    import matplotlib.pyplot as plt
    from PIL import Image
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    plt.close(figure)
    buffer.seek(0)
    small = io.BytesIO()
    Image.open(buffer).convert("RGB").quantize(256).save(small, format="png", optimize=True)
    return "data:image/png;base64," + base64.b64encode(small.getvalue()).decode("ascii")


class Explorer:
    """A cell output: the interactive figure, and the static figure shown in its place.

    The script is inlined in the first explorer a kernel shows; the later ones (the same page,
    the same notebook in JupyterLab) only ask it to mount them: every chapter page stays within
    1 MB.
    """
    script_shown = False

    def __init__(self, kind: str, data: dict, static_png: str, alt: str):
        self.kind, self.data, self.static_png, self.alt = kind, data, static_png, alt

    def _repr_html_(self) -> str:
        payload = json.dumps({"kind": self.kind, **self.data}, ensure_ascii=False,
                             separators=(",", ":")).replace("</", "<\\/")
        uid = "course-explorer-" + hashlib.sha256(payload.encode()).hexdigest()[:10]
        if Explorer.script_shown:
            library = "window.courseExplorers && window.courseExplorers.mountAll();"
        else:
            library = _compact(resources.files("regkit").joinpath(LIBRARY).read_text(encoding="utf-8"))
            Explorer.script_shown = True
        return (f'<div class="course-explorer" id="{uid}" data-kind="{self.kind}">'
                f"<style>{CSS}</style>"
                f'<figure class="static"><img src="{self.static_png}" alt="{html.escape(self.alt)}"></figure>'
                f'<div class="live"></div>'
                f'<script type="application/json">{payload}</script>'
                f"<script>{library}</script></div>")


# --- chapter 1 ---------------------------------------------------------------------------

def clipping(g=(6.0, 8.0), eta=5.0, lang="en") -> Explorer:
    """Norm against value clipping: drag g, move η and c; both clipped vectors, lengths, angles."""
    import matplotlib.pyplot as plt
    from .clipping import clip_by_norm
    words = _words(lang)
    g = np.asarray(g, dtype=float)
    by_norm, by_value = clip_by_norm(g, eta), np.clip(g, -eta, eta)
    figure, ax = plt.subplots(figsize=(6.4, 3.6))
    for vector, label, color in ((g, words["gradient"], "#0072B2"), (by_norm, words["byNorm"], "#D55E00"),
                                 (by_value, words["byValue"], "#009E73")):
        ax.annotate("", xy=vector, xytext=(0, 0), arrowprops=dict(arrowstyle="->", lw=2.4, color=color))
        ax.plot([], [], color=color, label=label)
    ax.add_patch(plt.Circle((0, 0), eta, fill=False, ls="--", color="#D55E00"))
    reach = 1.25 * max(np.abs(g).max(), eta)
    ax.set(xlim=(-reach, reach), ylim=(-reach * 0.5625, reach * 0.5625), aspect="equal",
           xlabel=words["x"], ylabel=words["y"])
    ax.legend(loc="lower left")
    range_ = float(round(2 * reach) / 2)
    return Explorer("clipping", {"g": g.tolist(), "eta": float(eta), "range": range_, "words": words},
                    _png(figure), words["figure"])


def clipped_paths(etas, steps=60, lr=1.0, start=_data.PASCANU_START) -> np.ndarray:
    """``data.pascanu_descent(*start, lr, steps, max_norm=η)`` for every η at once: one
    batched gradient per step instead of one run per η. Shape (len(etas), steps + 1, 2)."""
    import torch
    etas = torch.as_tensor(np.asarray(etas, dtype=np.float64))
    theta = torch.tensor(start, dtype=torch.float64).repeat(len(etas), 1)
    path = [theta.clone()]
    for _ in range(steps):
        point = theta.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(_data.pascanu_loss(point[:, 0], point[:, 1]).sum(), point)
        norm = g.norm(dim=1, keepdim=True)
        g = torch.where(norm > etas[:, None], etas[:, None] * g / norm, g)  # the lecture's rule
        theta = theta - lr * g
        path.append(theta.clone())
    return torch.stack(path, dim=1).numpy()


def cliff(etas=None, steps=60, lr=1.0, lang="en") -> Explorer:
    """The cliff: an η slider over the clipped paths on Pascanu's surface (regkit.data)."""
    import matplotlib.pyplot as plt
    words = {**_words(lang)}
    words.update(figure=words["cliff_figure"], x=words["w"], y=words["b"])
    etas = np.round(np.geomspace(0.25, 8.0, 11), 3) if etas is None else np.asarray(etas, float)
    W, B, L = _data.pascanu_surface(n=121)
    all_paths = clipped_paths(etas, steps=steps, lr=lr)
    paths = [np.round(path, 3).tolist() for path in all_paths]
    final = [float(_data.pascanu_loss(*path[-1])) for path in all_paths]
    longest = [float(np.linalg.norm(np.diff(path, axis=0), axis=1).max()) for path in all_paths]
    start = int(np.argmin(np.abs(etas - 1.0)))
    surface_figure = plt.figure(figsize=(2.4, 2.4), layout="none")  # an image edge to edge
    axis = surface_figure.add_axes([0, 0, 1, 1])
    axis.imshow(L, origin="lower", aspect="auto", cmap="viridis")
    axis.set_axis_off()
    surface = _png(surface_figure, dpi=60)
    figure, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.imshow(L, origin="lower", aspect="auto", cmap="viridis",
              extent=(*_data.PASCANU_W_RANGE, *_data.PASCANU_B_RANGE))
    path = np.array(paths[start])
    ax.plot(path[:, 0], path[:, 1], color="white", lw=2)
    ax.set(xlabel=words["w"], ylabel=words["b"], title=f"η = {etas[start]:g}")
    return Explorer("cliff", {"etas": etas.tolist(), "paths": paths, "final_loss": final,
                              "longest_step": longest, "start_index": start, "surface": surface,
                              "w_range": list(_data.PASCANU_W_RANGE), "b_range": list(_data.PASCANU_B_RANGE),
                              "words": words}, _png(figure), f"{words['figure']}, η = {etas[start]:g}")


# --- chapters 2 and 3 --------------------------------------------------------------------

def _slider(name, label, low, high, step, value):
    return {"name": name, "label": label, "min": low, "max": high, "step": step, "value": value}


def _families(lang: str) -> dict:
    """Each family the schedule explorer offers: the regkit function it mirrors, its controls."""
    ko = lang == "ko"
    T = _slider("total_steps", "T (총 스텝)" if ko else "T (total steps)", 100, 5000, 100, 1000)
    peak = _slider("base_lr", "α_max", 0.01, 1.0, 0.01, 0.1)
    gamma = _slider("gamma", "γ", 0.05, 0.95, 0.05, 0.5)
    warmup = _slider("warmup_steps", "T_w (워밍업)" if ko else "T_w (warmup)", 0, 500, 10, 100)
    floor = _slider("floor", "α_min / α_max", 0.0, 0.5, 0.05, 0.1)
    names = {
        "step_decay": ("계단식 감쇠" if ko else "step decay", [peak, _slider("step_size", "step_size", 50, 1000, 50, 300), gamma, T]),
        "multistep_decay": ("다단계 감쇠 (T의 50 %, 75 %)" if ko else "multistep decay (at 50 %, 75 % of T)", [peak, gamma, T]),
        "exponential_decay": ("지수 감쇠" if ko else "exponential decay", [peak, _slider("gamma", "γ", 0.99, 0.9999, 0.0001, 0.997), T]),
        "cosine_annealing": ("코사인 어닐링" if ko else "cosine annealing", [peak, floor, T]),
        "warmup_cosine": ("워밍업 + 코사인 (GPT-3)" if ko else "warmup + cosine (GPT-3)", [peak, warmup, floor, T]),
        "cyclic": ("주기적 학습률" if ko else "cyclic", [
            _slider("base_lr", "α_min", 0.0, 0.1, 0.005, 0.01), _slider("max_lr", "α_max", 0.05, 1.0, 0.01, 0.1),
            _slider("step_size_up", "step_size_up", 20, 500, 10, 100),
            {"name": "mode", "label": "모드 (mode)" if ko else "mode", "choices": ["triangular", "triangular2", "exp_range"], "value": "triangular"},
            _slider("gamma", "γ (exp_range)", 0.99, 1.0, 0.0005, 0.998), T]),
        "cosine_with_restarts": ("웜 리스타트 (SGDR)" if ko else "warm restarts (SGDR)", [
            peak, _slider("cycle_steps", "T_0", 20, 1000, 10, 200), _slider("cycle_mult", "T_mult", 1, 3, 1, 1),
            floor, T]),
        "inverse_sqrt_warmup": ("역제곱근 (트랜스포머)" if ko else "inverse square root (Transformer)", [
            _slider("d_model", "d_model", 64, 1024, 64, 512), _slider("warmup_steps", "T_w", 10, 4000, 10, 400),
            _slider("total_steps", T["label"], 100, 20000, 100, 4000)]),
        "warmup_stable_decay": ("워밍업-유지-감쇠 (WSD)" if ko else "warmup-stable-decay (WSD)", [
            peak, warmup, _slider("decay_fraction", "T_d / (T − T_w)", 0.05, 1.0, 0.05, 0.2),
            {"name": "decay", "label": "감쇠 모양 (decay)" if ko else "decay shape", "choices": ["linear", "cosine", "1-sqrt"], "value": "linear"}, T]),
        "warmup_linear": ("0까지 선형 감쇠" if ko else "linear decay to zero", [peak, warmup, T]),
    }
    families = {}
    for function, (title, params) in names.items():
        families[function] = {"function": function, "title": title, "params": params}
    families["multistep_decay"]["milestones"] = [0.5, 0.75]
    return families


def schedule_options(family: str, values: dict) -> dict:
    """The explorer's control values as the regkit function's arguments (what the page's
    ``courseExplorers.params`` does): milestones and the decay's length from fractions of T,
    α_min from α_min / α_max, and T dropped where it only sets the plotted range."""
    import inspect
    from . import schedules as _schedules
    options = dict(values)
    T = options["total_steps"]
    if family == "multistep_decay":
        options["milestones"] = [round(f * T) for f in _families("en")[family]["milestones"]]
    if "decay_fraction" in options:
        options["decay_steps"] = max(1, round(options.pop("decay_fraction") * (T - options["warmup_steps"])))
    if "floor" in options:
        options["min_lr"] = options.pop("floor") * options["base_lr"]
    accepted = inspect.signature(getattr(_schedules, family)).parameters
    return {name: value for name, value in options.items() if name in accepted}


def schedules(family="warmup_cosine", lang="en") -> Explorer:
    """A schedule family and its parameters: the curve, and the same schedule in PyTorch,
    Hugging Face, optax and Keras with those values. The page computes the curve with the
    formulas of regkit.schedules (tests/test_explorers.py checks them against regkit)."""
    import matplotlib.pyplot as plt
    from . import schedules as _schedules
    words = {**_words(lang)}
    words["figure"] = words["schedule_figure"]
    families = _families(lang)
    if family not in families:
        raise ValueError(f"family must be one of {tuple(families)}, got {family!r}")
    values = {p["name"]: p["value"] for p in families[family]["params"]}
    steps = np.arange(values["total_steps"] + 1)
    figure, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(steps, getattr(_schedules, family)(steps, **schedule_options(family, values)))
    ax.set(xlabel=words["step"], ylabel=words["lr"], title=families[family]["title"])
    return Explorer("schedules", {"family": family, "families": families, "words": words},
                    _png(figure), f"{words['figure']}: {families[family]['title']}")


# --- chapters 5 and 6: runs trained when the notebook ran ------------------------------

RUN_WORDS = {"en": {"missing": "This combination was not trained: choose another."},
             "ko": {"missing": "이 조합은 학습하지 않았습니다. 다른 조합을 고르세요."}}


def runs(curves, controls, table=None, *, title, x_label, y_label, y_range=None, lang="en",
         digits=2, readout_prefix=None) -> Explorer:
    """Choose among runs the notebook trained: their curves, and their row of a table.

    ``controls``: ``[(name, label, [(value, text), ...], default, as_slider)]``; a choice of
    every control is a key ``"value1|value2|..."``. ``curves``: ``{key: [{"label": ..., "x":
    [...], "y": [...], "style": 0..2, "thin": bool}, ...]}`` (a missing key: not trained).
    ``table`` (optional): ``{"columns": [...], "rows": [[name, numbers...], ...], "row_of":
    {key: row}}``. Below the figure each labelled curve's value is read out at its index
    ``"at"`` (default: its last point), after ``readout_prefix[key]`` when given.
    """
    import matplotlib.pyplot as plt
    words = {**_words(lang), **RUN_WORDS[lang]}
    controls = [{"name": name, "label": label, "choices": [list(c) for c in choices], "value": default,
                 "slider": bool(as_slider)}
                for name, label, choices, default, as_slider in controls]
    key = "|".join(str(c["value"]) for c in controls)
    if key not in curves:
        raise ValueError(f"the default choice {key!r} has no curves")
    def finite_points(curve):  # a diverged run's NaN and inf are left out, not drawn
        x, y = np.asarray(curve["x"], dtype=float), np.asarray(curve["y"], dtype=float)
        keep = np.isfinite(y)
        return {**curve, "x": x[keep].tolist(), "y": np.round(y[keep], 5).tolist()}
    curves = {k: [finite_points(c) for c in v] for k, v in curves.items()}
    figure, ax = plt.subplots(figsize=(6.4, 3.6))
    colors = ("#0072B2", "#D55E00", "#009E73")
    for curve in curves[key]:
        ax.plot(curve["x"], curve["y"], color=colors[curve.get("style", 0)],
                lw=0.8 if curve.get("thin") else 2, alpha=0.5 if curve.get("thin") else 1,
                label=curve.get("label"))
    if y_range:
        ax.set_ylim(*y_range)
    ax.set(xlabel=x_label, ylabel=y_label, title=title)
    ax.legend(loc="upper right")
    if table is not None:
        table = {**table, "digits": digits,
                 "rows": [[cell if isinstance(cell, str) else float(cell) for cell in row]
                          for row in table["rows"]]}
    return Explorer("runs", {"controls": controls, "curves": curves, "table": table, "title": title,
                             "x_label": x_label, "y_label": y_label, "y_range": y_range, "words": words,
                             "readout_prefix": readout_prefix}, _png(figure), title)
