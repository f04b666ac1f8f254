"""The reading experience, in a real browser (Debian's Chromium driven by Playwright) against the
built site served on 127.0.0.1: offline, no console errors, math and Hangul rendered, language
switch, Korean search, accessibility, phone and desktop widths.

Each chapter's full-page screenshots at both widths are saved in _build/screenshots (JPEG: a
third of PNG's time), to look at the pages as a reader would."""

import json
from urllib.parse import quote, urlparse

import pytest

from conftest import MATH_DONE_JS, require_chromium
from course import (BUILD_HTML, FONT_BYTES_JS, KEEP_EVERY_RESOURCE_JS, LANGUAGES, ROOT,
                    notebooks, page_weight, visible_source_markup)

require_chromium("the browser tests")


SCREENSHOTS = ROOT / "_build" / "screenshots"
WIDTHS = {"phone": 390, "desktop": 1280}
CHAPTERS = [(lang, path.stem) for lang in LANGUAGES for path in notebooks(lang)]
SHARED_PAGES = ["index.html", "glossary.html", "references.html"]
PAGES = [f"chapters/{lang}/{stem}.html" for lang, stem in CHAPTERS] + SHARED_PAGES


pytestmark = pytest.mark.usefixtures("built_book")


class Visit:
    """One page in a fresh context, with every request and console error recorded."""

    def __init__(self, browser, url, width=1280):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.context.add_init_script(KEEP_EVERY_RESOURCE_JS)
        self.page = self.context.new_page()
        self.requests, self.errors = [], []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("response", lambda response: response.status >= 400 and self.errors.append(
            f"HTTP {response.status} {response.url}"))
        self.page.goto(url, wait_until="load")
        self.wait_for_math()

    def wait_for_math(self):
        self.page.wait_for_function(MATH_DONE_JS, timeout=20_000)

    def foreign_hosts(self):
        return sorted({urlparse(u).hostname for u in self.requests
                       if urlparse(u).scheme in ("http", "https", "ws", "wss")
                       and urlparse(u).hostname != "127.0.0.1"})

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site):
    opened = []

    def open_page(path, width=1280):
        v = Visit(browser, site + path, width)
        opened.append(v)
        return v
    yield open_page
    for v in opened:
        v.close()


# --- every page: one visit per page and width, then each property is its own test ---------

RAW_TEX_JS = """() => {
  const main = document.querySelector('main') || document.body;
  const clone = main.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, .highlight').forEach(e => e.remove());
  return clone.innerText;
}"""

IMAGES_JS = """() => Array.from(document.querySelectorAll('main img')).map(img => (
    {src: img.getAttribute('src'), ok: img.complete && img.naturalWidth > 0,
     alt: img.getAttribute('alt') || ''}))"""

HANGUL_JS = """async () => {
  // A glyph the font lacks is drawn as the same empty box as a certainly-missing code point.
  // (A canvas asks for no web font itself: the font's chunk for these syllables is loaded first.)
  const ctx = document.createElement('canvas').getContext('2d');
  const el = document.querySelector('main h1') || document.body;
  ctx.font = getComputedStyle(el).font;
  await document.fonts.load(ctx.font, '학습률');
  const tofu = ctx.measureText('\\u{10FFFD}\\u{10FFFD}\\u{10FFFD}').width;
  const hangul = ctx.measureText('학습률').width;
  return {hangul, tofu, hasHangul: /[\\uac00-\\ud7a3]/.test(document.body.innerText)};
}"""

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


OVERFLOW_JS = ("document.documentElement.scrollWidth"
               " - document.documentElement.clientWidth")


def screenshot(visit, path, width_name):
    if path.startswith("chapters/"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = path.removeprefix("chapters/").removesuffix(".html").replace("/", "_")
        visit.page.screenshot(path=str(SCREENSHOTS / f"{name}_{width_name}.jpg"), full_page=True,
                              type="jpeg", quality=70)


def inspect_page(browser, site, path):
    """Everything the page tests look at, from one visit: first at phone width, then at desktop
    width; then, on a chapter, its language switch is followed there and back."""
    v = Visit(browser, site + path, WIDTHS["phone"])
    try:
        v.page.wait_for_timeout(300)  # late scripts (search form, theme) report their errors too
        report = {"overflow": {"phone": v.page.evaluate(OVERFLOW_JS)}}
        screenshot(v, path, "phone")
        v.page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
        v.page.wait_for_timeout(100)  # the theme's layout follows the resize
        report["overflow"]["desktop"] = v.page.evaluate(OVERFLOW_JS)
        screenshot(v, path, "desktop")
        report.update({
            "font_bytes": v.page.evaluate(FONT_BYTES_JS),
            "foreign_hosts": v.foreign_hosts(),
            "raw_text": v.page.evaluate(RAW_TEX_JS),
            "formulas": v.page.evaluate("document.querySelectorAll('.math').length"),
            "rendered": v.page.evaluate("document.querySelectorAll('mjx-container').length"),
            "images": v.page.evaluate(IMAGES_JS),
            "hangul": v.page.evaluate(HANGUL_JS),
        })
        # recorded before axe runs: axe re-fetches stylesheets itself and resolves their
        # @import rules against the page (a 404 of its own making, not the reader's)
        report["errors"] = list(v.errors)
        v.page.add_script_tag(path=str(AXE))
        result = v.page.evaluate("async () => await axe.run(document, "
                                 "{resultTypes: ['violations']})")
        report["axe"] = [(x["id"], x["impact"], len(x["nodes"]), x["nodes"][0]["target"])
                         for x in result["violations"] if x["impact"] in ("serious", "critical")]
        if path.startswith("chapters/"):
            report["switch"] = []
            for _ in range(2):  # to the mirror, and back
                v.page.click("p.lang-switch a")
                v.page.wait_for_load_state("load")
                report["switch"].append((v.page.url, v.page.evaluate(
                    "document.documentElement.lang")))
        return report
    finally:
        v.close()


@pytest.fixture(scope="module")
def page_report(browser, site):
    cache = {}

    def report(path):
        if path not in cache:
            cache[path] = inspect_page(browser, site, path)
        return cache[path]
    return report


@pytest.mark.parametrize("path", PAGES)
def test_page_is_offline_and_error_free(page_report, path):
    report = page_report(path)
    assert report["foreign_hosts"] == [], f"requests left 127.0.0.1: {report['foreign_hosts']}"
    assert report["errors"] == [], report["errors"]


@pytest.mark.parametrize("path", PAGES)
def test_math_is_rendered(page_report, path):
    report = page_report(path)
    for raw in ("\\(", "\\)", "\\[", "\\]", "$$"):
        assert raw not in report["raw_text"], f"raw TeX {raw!r} is visible on {path}"
    assert report["rendered"] >= report["formulas"], (
        f"{report['formulas']} formulas, {report['rendered']} rendered")


PAGE_WEIGHT_LIMIT = 1_000_000  # bytes, for readers on a phone


@pytest.mark.parametrize("lang, stem", CHAPTERS)
def test_a_chapter_with_its_fonts_weighs_under_a_megabyte(page_report, lang, stem):
    """HTML, images and the font chunks the page downloads (benchmarks/bench_book.py prints
    them as a table)."""
    html, images, _ = page_weight(BUILD_HTML / "chapters" / lang / f"{stem}.html")
    fonts = page_report(f"chapters/{lang}/{stem}.html")["font_bytes"]
    assert fonts > 0, "the page downloaded none of the course's fonts"
    assert html + images + fonts <= PAGE_WEIGHT_LIMIT, (
        f"{(html + images + fonts) / 1e3:.0f} kB: HTML {html / 1e3:.0f}, images "
        f"{images / 1e3:.0f}, fonts {fonts / 1e3:.0f}")


@pytest.mark.parametrize("path", PAGES)
def test_no_source_markup_is_visible(page_report, path):
    shown = visible_source_markup(page_report(path)["raw_text"])
    assert not shown, f"MyST source shown as text on {path}: {shown[:5]}"


@pytest.mark.parametrize("path", PAGES)
def test_images_load_and_have_alt_text(page_report, path):
    images = page_report(path)["images"]
    broken = [i["src"] for i in images if not i["ok"]]
    missing_alt = [i["src"] for i in images if len(i["alt"].strip()) < 10]
    assert not broken, f"images that did not load: {broken}"
    assert not missing_alt, f"figures without alt text: {missing_alt}"


@pytest.mark.parametrize("path", [p for p in PAGES if "/en/" not in p])
def test_hangul_is_rendered(page_report, path):
    result = page_report(path)["hangul"]
    assert result["hasHangul"]
    assert abs(result["hangul"] - result["tofu"]) > 0.5, (
        "Hangul is drawn as boxes: install a Korean font (fonts-nanum)")


@pytest.mark.parametrize("width_name", WIDTHS)
@pytest.mark.parametrize("lang, stem", CHAPTERS)
def test_no_horizontal_scroll(page_report, lang, stem, width_name):
    overflow = page_report(f"chapters/{lang}/{stem}.html")["overflow"][width_name]
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {WIDTHS[width_name]}px"


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(page_report, path):
    serious = page_report(path)["axe"]
    assert not serious, json.dumps(serious, ensure_ascii=False)


@pytest.mark.parametrize("lang, stem", CHAPTERS)
def test_language_switch_leads_to_the_mirror_and_back(page_report, lang, stem):
    other = "en" if lang == "ko" else "ko"
    (there, there_lang), (back, back_lang) = page_report(f"chapters/{lang}/{stem}.html")["switch"]
    assert there.endswith(f"chapters/{other}/{stem}.html") and there_lang == other
    assert back.endswith(f"chapters/{lang}/{stem}.html") and back_lang == lang


# --- search ---------------------------------------------------------------------------------

def search(visit, lang, query):
    v = visit(f"search.html?lang={lang}&q={quote(query)}")
    v.page.wait_for_selector(".pagefind-ui__result-link", timeout=15_000)
    links = v.page.eval_on_selector_all(
        ".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")
    assert v.foreign_hosts() == [] and v.errors == [], (v.foreign_hosts(), v.errors)
    return links


KOREAN_QUERIES = {  # what a Korean reader types → the chapter it must find
    "학습률": "02_learning_rate_schedules",
    "학습률을": "02_learning_rate_schedules",
    "학습": None,  # everywhere: any Korean chapter, none in English
    "가중치 감쇠": "05_weight_decay",
    "클리핑": "01_gradient_clipping",
    "코사인": "03_cosine_annealing",
}
ENGLISH_QUERIES = {"warmup": ("02_learning_rate_schedules", "03_cosine_annealing"),
                   "weight decay": ("05_weight_decay",)}
EXISTING = {stem for _, stem in CHAPTERS}


@pytest.mark.parametrize("query", [q for q, stem in KOREAN_QUERIES.items()
                                   if stem is None or stem in EXISTING])
def test_korean_search_finds_the_chapter(visit, query):
    links = search(visit, "ko", query)
    top = links[:3]
    expected = KOREAN_QUERIES[query]
    if expected is None:
        assert any("/chapters/ko/" in link for link in top), top
    else:
        assert any(link.endswith(f"chapters/ko/{expected}.html") for link in top), top
    assert not any("/chapters/en/" in link for link in links), links


@pytest.mark.parametrize("query", [q for q, stems in ENGLISH_QUERIES.items()
                                   if set(stems) & EXISTING])
def test_english_search_finds_the_chapter(visit, query):
    links = search(visit, "en", query)
    wanted = [f"chapters/en/{stem}.html" for stem in ENGLISH_QUERIES[query]]
    assert any(link.endswith(w) for link in links[:3] for w in wanted), links[:3]
    assert not any("/chapters/ko/" in link for link in links), links


def test_korean_particles_are_stripped_from_queries(visit):
    v = visit("search.html?lang=ko")
    normalize = "q => window.courseNormalizeQuery(q)"
    assert v.page.evaluate(normalize, "학습률을") == "학습률"
    assert v.page.evaluate(normalize, "가중치를 줄이는 클리핑은") == "가중치 줄이 클리핑"
    assert v.page.evaluate(normalize, "warmup") == "warmup"


def test_search_form_remembers_the_readers_language(visit):
    for lang in LANGUAGES:
        v = visit(f"chapters/{lang}/00_introduction.html")
        value = v.page.evaluate(
            "document.querySelector('form.bd-search input[name=lang]').value")
        assert value == lang


def test_search_page_is_accessible(visit):
    v = visit("search.html?lang=ko&q=%ED%95%99%EC%8A%B5")
    v.page.wait_for_selector(".pagefind-ui__result-link", timeout=15_000)
    v.page.add_script_tag(path=str(AXE))
    result = v.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [(x["id"], x["impact"], x["nodes"][0]["target"]) for x in result["violations"]
               if x["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(serious, ensure_ascii=False)
