"""The explorers on the built site, in both languages: they come alive served and from file://,
respond to every control, speak the page's language, follow dark mode and fit a phone. (The explorers on a page of their own, and what
they compute against regkit, and the student edition's static figures: tests/test_explorers.py
and tests/test_book_build.py. Accessibility, page weight, errors and outside requests of every
page: tests/test_browser.py.)"""

import re

import pytest

from course import BUILD_HTML, LANGUAGES, notebooks, read

pytestmark = pytest.mark.usefixtures("built_book")
# every chapter whose notebook shows an explorer, so that a new one is driven too
PAGES = [(lang, path.stem) for lang in LANGUAGES for path in notebooks(lang)
         if any(cell.cell_type == "code" and "explorers." in cell.source for cell in read(path).cells)]
HANGUL = re.compile("[가-힣]")


def open_page(browser, url, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    errors, outside = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(("file:", "data:", "http://127.0.0.1")) else None)
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page, errors, outside


@pytest.mark.parametrize("served", [True, False], ids=["served", "file"])
@pytest.mark.parametrize("lang, stem", PAGES, ids=[f"{lang}/{stem}" for lang, stem in PAGES])
def test_every_explorer_responds_to_its_controls(browser, site, lang, stem, served):
    url = f"{site}{lang}/{stem}.html" if served else (BUILD_HTML / lang / f"{stem}.html").as_uri()
    context, page, errors, outside = open_page(browser, url, viewport={"width": 1100, "height": 900})
    explorers = page.locator(".course-explorer")
    assert explorers.count() >= 1
    assert page.locator(".course-explorer.is-live").count() == explorers.count()
    for explorer in explorers.all():
        controls = explorer.locator("input[type=range]:visible, select:visible").all()  # the shown family's
        assert controls
        for control in controls:
            svg = explorer.locator("svg").first
            svg.scroll_into_view_if_needed()
            before = svg.screenshot()
            if control.evaluate("c => c.tagName") == "SELECT":
                options = control.locator("option").all()
                current = control.input_value()
                other = next(o.get_attribute("value") for o in options if o.get_attribute("value") != current)
                control.select_option(other)
            else:
                low, high = float(control.get_attribute("min")), float(control.get_attribute("max"))
                control.fill(str(low if float(control.input_value()) > (low + high) / 2 else high))
            after = svg.screenshot()
            readout = explorer.locator(".readout").inner_text()
            assert after != before or "not trained" in readout or "학습하지 않았습니다" in readout, (
                stem, control.get_attribute("id"))
        # each control on the line of its label: the site's theme must not stack them
        for setting in explorer.locator(".setting:visible").all():
            label = setting.locator("label").bounding_box()
            control = setting.locator("input, select").first.bounding_box()
            middle = lambda box: box["y"] + box["height"] / 2
            assert abs(middle(label) - middle(control)) < control["height"] / 2, (
                stem, setting.inner_text())
        words = " ".join(explorer.locator("label").all_inner_texts() + [explorer.locator(".readout").inner_text()])
        assert bool(HANGUL.search(words)) == (lang == "ko"), words
    assert not errors, errors
    assert not outside, outside
    context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_explorers_follow_dark_mode_and_fit_a_phone(browser, site, lang):
    context, page, errors, _ = open_page(browser, f"{site}{lang}/01_gradient_clipping.html",
                                         viewport={"width": 390, "height": 844}, color_scheme="dark",
                                         has_touch=True, is_mobile=True)
    page.wait_for_function("document.documentElement.dataset.theme === 'dark'")
    for explorer in page.locator(".course-explorer.is-live").all():
        box = explorer.locator("svg").first.bounding_box()
        assert box["width"] <= 390 and box["x"] >= 0
        fill = explorer.locator("svg text").first.evaluate("t => getComputedStyle(t).fill")
        r, g, b = (int(v) for v in re.findall(r"\d+", fill)[:3])
        assert 0.299 * r + 0.587 * g + 0.114 * b > 150, f"dark text on a dark page: {fill}"
    svg = page.locator(".course-explorer[data-kind=clipping] svg")
    svg.scroll_into_view_if_needed()
    before = page.locator(".course-explorer[data-kind=clipping] .readout").inner_text()
    box = svg.bounding_box()
    svg.tap(position={"x": box["width"] * 0.3, "y": box["height"] * 0.7})
    assert page.locator(".course-explorer[data-kind=clipping] .readout").inner_text() != before
    assert not errors
    context.close()
