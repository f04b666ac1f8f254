"""The explorers (regkit/explorers.py, regkit/explorers.js) on a page of their own, opened from
file:// in Chromium with no network: what the page computes equals regkit at thousands of random
points, the code it shows builds the same schedule in the real libraries, every control changes
the picture, and printing or a browser without JavaScript shows the static figure instead.
(On the built site, in both languages and served: tests/test_explorers_on_site.py.)"""

import json
import math
import re

import numpy as np
import pytest

from regkit import explorers, schedules

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # matplotlib: Hangul in DejaVu


@pytest.fixture(scope="module")
def views():
    return {"clipping": explorers.clipping(lang="en"), "cliff": explorers.cliff(lang="en"),
            "schedules": explorers.schedules(lang="en"),
            "schedules-ko": explorers.schedules(family="cyclic", lang="ko")}


@pytest.fixture(scope="module")
def page_file(views, tmp_path_factory):
    path = tmp_path_factory.mktemp("explorers") / "explorers.html"
    explorers.Explorer.script_shown = False  # a new page: the first explorer brings the script
    body = "".join(f"<section id='{name}'>{view._repr_html_()}</section>" for name, view in views.items())
    path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{body}</body></html>",
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def page(browser, page_file):
    page = browser.new_page(viewport={"width": 900, "height": 900})
    errors, requests = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri())
    page.wait_for_function("document.querySelectorAll('.course-explorer.is-live').length === 4")
    yield page
    assert not errors, errors
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    page.close()


# --- what the page computes is what regkit computes ---------------------------------------

def random_parameters(family, rng):
    T = int(rng.integers(20, 3000))
    base = float(rng.uniform(0.001, 1.0))
    warmup = int(rng.integers(0, T // 2))
    floor = float(rng.choice([0.0, rng.uniform(0, 0.5)]))
    return {
        "step_decay": lambda: {"base_lr": base, "step_size": int(rng.integers(1, T)), "gamma": float(rng.uniform(0.05, 1))},
        "multistep_decay": lambda: {"base_lr": base, "gamma": float(rng.uniform(0.05, 1)),
                                    "milestones": sorted(rng.choice(np.arange(1, T), size=int(rng.integers(1, 4)),
                                                                    replace=False).tolist())},
        "exponential_decay": lambda: {"base_lr": base, "gamma": float(rng.uniform(0.99, 1))},
        "cosine_annealing": lambda: {"base_lr": base, "total_steps": T, "min_lr": floor * base},
        "warmup_cosine": lambda: {"base_lr": base, "warmup_steps": warmup, "total_steps": T, "min_lr": floor * base},
        "cyclic": lambda: {"base_lr": base * 0.1, "max_lr": base, "step_size_up": int(rng.integers(1, 500)),
                           "step_size_down": int(rng.integers(1, 500)),
                           "mode": str(rng.choice(["triangular", "triangular2", "exp_range"])),
                           "gamma": float(rng.uniform(0.99, 1))},
        "cosine_with_restarts": lambda: {"base_lr": base, "cycle_steps": int(rng.integers(1, 500)),
                                         "cycle_mult": int(rng.integers(1, 4)), "min_lr": floor * base},
        "inverse_sqrt_warmup": lambda: {"d_model": int(rng.integers(1, 2048)), "warmup_steps": warmup,
                                        "scale": float(rng.uniform(0, 3))},
        "warmup_stable_decay": lambda: {"base_lr": base, "warmup_steps": warmup, "total_steps": T,
                                        "decay_steps": int(rng.integers(1, T - warmup + 1)), "min_lr": floor * base,
                                        "decay": str(rng.choice(["linear", "cosine", "1-sqrt"]))},
        "warmup_linear": lambda: {"base_lr": base, "warmup_steps": warmup, "total_steps": T, "min_lr": floor * base},
    }[family]()


FAMILIES = list(explorers._families("en"))


@pytest.mark.parametrize("family", FAMILIES)
def test_the_page_computes_each_schedule_as_regkit_does(page, family):
    rng = np.random.default_rng(abs(hash(family)) % 2**32)
    cases = []
    for _ in range(1000):
        options = random_parameters(family, rng)
        t = int(rng.integers(0, 2 * options.get("total_steps", 3000)))
        cases.append((t, options))
    got = page.evaluate("([f, cases]) => cases.map(([t, o]) => courseExplorers.schedules[f](t, o))",
                        [family, cases])
    function = getattr(schedules, family)
    for (t, options), value in zip(cases, got):
        expected = function(t, **options)
        assert abs(value - expected) <= 1e-9 * abs(expected), (family, t, options, value, expected)


def test_the_page_clips_as_regkit_does(page):
    from regkit.clipping import clip_by_norm
    rng = np.random.default_rng(0)
    cases = [(rng.normal(size=2).tolist(), float(rng.uniform(0.1, 3))) for _ in range(1000)]
    got = page.evaluate("cases => cases.map(([g, e]) => [courseExplorers.clip.byNorm(g, e),"
                        " courseExplorers.clip.byValue(g, e), courseExplorers.clip.angle(g, [1, 0])])", cases)
    for (g, eta), (by_norm, by_value, angle) in zip(cases, got):
        assert np.allclose(by_norm, clip_by_norm(np.array(g), eta), rtol=1e-12, atol=0)
        assert np.array_equal(by_value, np.clip(g, -eta, eta))
        assert math.isclose(angle, math.degrees(math.atan2(abs(g[1]), g[0])), rel_tol=1e-9, abs_tol=1e-9)


def test_the_cliff_data_are_regkits_paths(views):
    from regkit import data
    view = views["cliff"]
    for index in (0, len(view.data["etas"]) // 2, -1):
        eta = view.data["etas"][index]
        path, _ = data.pascanu_descent(*data.PASCANU_START, lr=1.0, steps=60, max_norm=eta)
        assert np.allclose(view.data["paths"][index], path, atol=1e-3)  # rounded to 3 decimals


# --- the code the page shows builds the same schedule in the real library ----------------

def shown_code(page, family, options):
    return page.evaluate("([f, o]) => courseExplorers.code[f](o)", [family, options])


CODE_CASES = [
    ("step_decay", {"base_lr": 0.1, "step_size": 30, "gamma": 0.5}),
    ("multistep_decay", {"base_lr": 0.2, "gamma": 0.3, "milestones": [50, 75]}),
    ("exponential_decay", {"base_lr": 0.1, "gamma": 0.98}),
    ("cosine_annealing", {"base_lr": 0.1, "total_steps": 100, "min_lr": 0.01}),
    ("warmup_cosine", {"base_lr": 0.1, "warmup_steps": 10, "total_steps": 100, "min_lr": 0.0}),
    ("warmup_cosine", {"base_lr": 0.1, "warmup_steps": 10, "total_steps": 100, "min_lr": 0.02}),
    ("cyclic", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 20, "mode": "triangular2", "gamma": 1.0}),
    ("cyclic", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 20, "mode": "exp_range", "gamma": 0.99}),
    ("cosine_with_restarts", {"base_lr": 0.1, "cycle_steps": 20, "cycle_mult": 2, "min_lr": 0.01}),
    ("inverse_sqrt_warmup", {"d_model": 64, "warmup_steps": 20}),
    ("warmup_stable_decay", {"base_lr": 0.1, "warmup_steps": 10, "decay_steps": 30, "total_steps": 100,
                             "decay": "1-sqrt", "min_lr": 0.0}),
    ("warmup_linear", {"base_lr": 0.1, "warmup_steps": 10, "total_steps": 100, "min_lr": 0.0}),
]
STEPS = 100


def expected_rates(family, options):
    return getattr(schedules, family)(np.arange(STEPS), **options)


@pytest.mark.parametrize("family, options", CODE_CASES, ids=lambda v: v if isinstance(v, str) else "")
def test_the_pytorch_and_hugging_face_code_shown(page, family, options):
    import torch
    code = shown_code(page, family, options)
    for library in ("PyTorch", "Hugging Face"):
        if code[library] is None:
            continue
        namespace = {"torch": torch}
        if library == "Hugging Face":
            import transformers
            namespace["transformers"] = transformers
        base = 1.0 if family == "inverse_sqrt_warmup" else options.get("base_lr", 1.0)
        rates = schedules.torch_lrs(lambda optimizer: eval(code[library], {**namespace, "optimizer": optimizer}),
                                    steps=STEPS, base_lr=base)
        # torch's LinearLR cannot start at exactly 0: the code says so, 1e-8 of the peak
        assert np.allclose(rates, expected_rates(family, options), rtol=1e-6, atol=1e-8 * base), library


@pytest.mark.parametrize("family, options", CODE_CASES, ids=lambda v: v if isinstance(v, str) else "")
def test_the_keras_code_shown(page, family, options):
    code = shown_code(page, family, options)["Keras"]
    if code is None:
        pytest.skip("no Keras built-in for this family (the page says so)")
    import os
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    schedule = eval(code.split("\n", 1)[1] if code.startswith("#") else code, {"keras": keras})
    rates = np.array([float(schedule(t)) for t in range(STEPS)])
    assert np.allclose(rates, expected_rates(family, options), rtol=2e-5, atol=1e-7)  # float32


def test_optax_code_is_shown_for_the_families_the_chapters_give_it(page):
    # optax (JAX) is not installed here; its transcriptions in regkit.third_party are tested
    # against it where it is. The page shows it for the families optax has built in.
    shown = {family for family, options in CODE_CASES if shown_code(page, family, options)["optax"]}
    assert {"step_decay", "exponential_decay", "cosine_annealing", "warmup_cosine", "warmup_linear"} <= shown


# --- the page responds, prints and works without JavaScript ------------------------------

def picture(page, name):
    return page.locator(f"#{name} .course-explorer svg").first.screenshot()


def test_every_control_changes_the_picture(page):
    for name in ("clipping", "cliff", "schedules"):
        for control in page.locator(f"#{name} input[type=range]:visible").all():
            before = picture(page, name)
            low, high = float(control.get_attribute("min")), float(control.get_attribute("max"))
            value = float(control.input_value())
            control.fill(str(low if value > (low + high) / 2 else high))
            assert picture(page, name) != before, (name, control.get_attribute("id"))
    before = picture(page, "schedules")
    page.locator("#schedules select").first.select_option("cosine_with_restarts")
    assert picture(page, "schedules") != before
    assert "CosineAnnealingWarmRestarts" in page.locator("#schedules .code:visible").inner_text()


def test_a_schedule_family_shows_its_own_controls_and_keeps_their_values(page):
    family = page.locator("#schedules select").first
    family.select_option("warmup_cosine")
    warmup = page.locator("#schedules input[id$='-warmup_cosine-warmup_steps']")
    warmup.fill("300")
    texts = lambda: [page.locator(f"#schedules {part}").inner_text() for part in (".readout", ".code:visible")]
    before, shown = picture(page, "schedules"), texts()
    sliders = page.locator("#schedules input[type=range]:visible")
    assert sliders.count() == 4 and all("-warmup_cosine-" in s.get_attribute("id") for s in sliders.all())
    family.select_option("step_decay")
    assert "StepLR" in page.locator("#schedules .code:visible").inner_text() and not warmup.is_visible()
    family.select_option("warmup_cosine")  # back: as the reader left it
    assert warmup.input_value() == "300" and picture(page, "schedules") == before and texts() == shown
    family.select_option("warmup_linear")  # its panel comes after hidden ones in the page
    family.focus()
    page.keyboard.press("Tab")  # from the menu to the shown family's first control
    assert "-warmup_linear-" in page.evaluate("document.activeElement.id")


def test_a_runs_figure_comes_back_after_a_combination_not_trained(browser, tmp_path):
    view = explorers.runs({"a": [{"label": "loss", "x": [0, 1, 2], "y": [1.0, 0.7, 0.5]}]},
                          [("c", "c", [("a", "a"), ("b", "b")], "a", False)], title="t", x_label="x",
                          y_label="y", lang="en")
    explorers.Explorer.script_shown = False
    path = tmp_path / "runs.html"
    path.write_text(f"<!DOCTYPE html><meta charset='utf-8'>{view._repr_html_()}", encoding="utf-8")
    page = browser.new_page()
    page.goto(path.as_uri())
    menu = page.locator(".course-explorer select")
    for choice, curves in (("b", 0), ("a", 1)):
        menu.select_option(choice)
        assert page.locator(".course-explorer svg polyline").count() == curves
    page.close()


def test_dragging_the_gradient_moves_it(page):
    svg = page.locator("#clipping svg")
    svg.scroll_into_view_if_needed()
    box = svg.bounding_box()
    readout = page.locator("#clipping .readout")
    before = readout.inner_text()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.7, steps=4)
    page.mouse.up()
    assert readout.inner_text() != before
    handle = page.locator("#clipping .handle")
    handle.focus()
    before = readout.inner_text()
    page.keyboard.press("ArrowRight")
    assert readout.inner_text() != before
    # the head keeps the focus, so that the arrow keys go on moving it
    assert page.evaluate("document.activeElement.classList.contains('handle')")
    before = readout.inner_text()
    page.keyboard.press("ArrowUp")
    assert readout.inner_text() != before


def test_controls_are_labelled_in_the_pages_language(page):
    labels = page.locator("#schedules-ko label").all_inner_texts()
    assert labels and any("스케줄" in text for text in labels)
    for control in page.locator(".course-explorer input, .course-explorer select").all():
        assert page.locator(f"label[for='{control.get_attribute('id')}']").count() == 1


def test_printing_shows_the_static_figure(browser, page_file):
    page = browser.new_page()
    page.goto(page_file.as_uri())
    page.wait_for_function("document.querySelectorAll('.course-explorer.is-live').length === 4")
    page.emulate_media(media="print")
    for root in page.locator(".course-explorer").all():
        assert root.locator(".static img").is_visible() and not root.locator(".live").is_visible()
    page.close()


def test_without_javascript_the_static_figure_shows(browser, page_file):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(page_file.as_uri())
    for root in page.locator(".course-explorer").all():
        image = root.locator(".static img")
        assert image.is_visible() and image.evaluate("img => img.naturalWidth") > 100
        assert len(image.get_attribute("alt")) > 10
    context.close()


def test_the_student_edition_shows_the_static_figure(browser, page_file):
    student = page_file.with_name("student.html")
    student.write_text(page_file.read_text(encoding="utf-8").replace(
        "<meta charset='utf-8'>", "<meta charset='utf-8'><meta name='course-edition' content='student'>"),
        encoding="utf-8")
    page = browser.new_page()
    page.goto(student.as_uri())
    assert page.locator(".course-explorer").count() == 4
    assert page.locator(".course-explorer.is-live").count() == 0
    for root in page.locator(".course-explorer").all():
        assert root.locator(".static img").is_visible()
    page.close()


def test_the_script_comes_once_per_kernel(views):
    explorers.Explorer.script_shown = False
    first, second = views["clipping"]._repr_html_(), views["cliff"]._repr_html_()
    assert "E.schedules = {" in first and "E.schedules = {" not in second
    assert "window.courseExplorers.mountAll()" in second


def test_the_data_is_inlined_and_small(views):
    for name, view in views.items():
        explorers.Explorer.script_shown = False
        html = view._repr_html_()
        assert not re.search(r"(src|href)=[\"']?https?:", html) and 'src="data:image/png' in html
        assert len(html.encode()) < 120_000, name
        json.loads(html.split('<script type="application/json">')[1].split("</script>")[0])


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_building_an_explorer_prints_nothing_on_stderr(lang):
    """The strict build fails on stderr in a cell's output: a warning while drawing the static
    figure (with the chapters' figure style) would break it."""
    import warnings
    import matplotlib
    from regkit import plotting
    with matplotlib.rc_context():
        plotting.use_course_style(lang)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            explorers.cliff(lang=lang)
            explorers.clipping(lang=lang)
            explorers.schedules(family="cyclic", lang=lang)
            explorers.runs({"a": [{"label": "x", "x": [0, 1], "y": [1.0, 0.5]}]},
                           [("c", "c", [("a", "a")], "a", False)], title="t", x_label="x",
                           y_label="y", lang=lang)
