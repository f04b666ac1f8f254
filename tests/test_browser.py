"""The reading experience, in a real browser (Debian's Chromium driven by Playwright) against the
built sites served on 127.0.0.1: offline, no console errors, math and Hangul rendered, an
interface in the page's language, the language switch (served and from file://), the root's
language choice, Korean search, accessibility, phone and desktop widths.

Each chapter's full-page screenshots at both widths are saved in _build/screenshots (JPEG: a
third of PNG's time), to look at the pages as a reader would."""

import json
import re
from urllib.parse import quote, urlparse

import pytest

from conftest import MATH_DONE_JS, require_chromium
from course import (BUILD_HTML, FONT_BYTES_JS, KEEP_EVERY_RESOURCE_JS, LANGUAGES, ROOT,
                    notebooks, page_weight, visible_source_markup)

require_chromium("the browser tests")


SCREENSHOTS = ROOT / "_build" / "screenshots"
WIDTHS = {"phone": 390, "desktop": 1280}
CHAPTERS = [(lang, path.stem) for lang in LANGUAGES for path in notebooks(lang)]
SHARED_PAGES = ["index", "glossary", "references", "search", "404"]
PAGES = [f"{lang}/{stem}.html" for lang in LANGUAGES
         for stem in [path.stem for path in notebooks(lang)] + SHARED_PAGES]


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
    if re.search(r"/\d\d_", path):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = path.removesuffix(".html").replace("/", "_")
        visit.page.screenshot(path=str(SCREENSHOTS / f"{name}_{width_name}.jpg"), full_page=True,
                              type="jpeg", quality=70)


# The interface of a page: every text outside the article that a reader can see, and every
# aria-label, title, placeholder and tooltip anywhere (hidden ones too: a dialog or a tooltip
# shows them later). Not the content: the article, and the titles of the pages and sections
# that the navigation, the page's table of contents and the previous/next links repeat. Not
# what is marked as another language (the switch names the other language in that language).
INTERFACE_JS = """() => {
  const pageLang = document.documentElement.lang;
  const content = 'article.bd-article, nav.bd-docs-nav a, .bd-sidebar-secondary nav a, '
    + '.prev-next-title, .navbar-brand, script, style, noscript, template, mjx-container';
  const inOtherLanguage = el => (el.closest('[lang]') || document.documentElement)
    .getAttribute('lang') !== pageLang;
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    const el = node.parentElement, text = node.textContent.trim();
    if (!text || !el || el.closest(content) || inOtherLanguage(el)) continue;
    if (!el.checkVisibility() && !el.closest('svg')) continue;
    texts.push(['text', text]);
  }
  const names = ['aria-label', 'title', 'placeholder', 'data-tooltip', 'data-bs-title',
                 'data-bs-original-title'];
  for (const el of document.body.querySelectorAll(names.map(n => '[' + n + ']').join(','))) {
    if (inOtherLanguage(el) || el.closest('mjx-container')) continue;
    for (const name of names) {
      const value = el.getAttribute(name);
      if (value) texts.push([name, value]);
    }
  }
  return texts;
}"""

NAVIGATION_JS = """() => Array.from(document.querySelectorAll('nav.bd-docs-nav a'))
  .map(a => ({href: a.href, text: a.textContent.trim()}))"""


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
        report["interface"] = v.page.evaluate(INTERFACE_JS)
        report["navigation"] = v.page.evaluate(NAVIGATION_JS)
        report["switch"] = []
        for _ in range(2):  # to the same page in the other language, and back
            v.page.click("a.course-language-switch")
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
    html, images, _ = page_weight(BUILD_HTML / lang / f"{stem}.html")
    fonts = page_report(f"{lang}/{stem}.html")["font_bytes"]
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


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("ko/")])
def test_hangul_is_rendered(page_report, path):
    result = page_report(path)["hangul"]
    assert result["hasHangul"]
    assert abs(result["hangul"] - result["tofu"]) > 0.5, (
        "Hangul is drawn as boxes: install a Korean font (fonts-nanum)")


@pytest.mark.parametrize("width_name", WIDTHS)
@pytest.mark.parametrize("lang, stem", CHAPTERS)
def test_no_horizontal_scroll(page_report, lang, stem, width_name):
    overflow = page_report(f"{lang}/{stem}.html")["overflow"][width_name]
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {WIDTHS[width_name]}px"


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(page_report, path):
    serious = page_report(path)["axe"]
    assert not serious, json.dumps(serious, ensure_ascii=False)


# --- each page in its language --------------------------------------------------------------

# Latin letters a Korean interface may show: key names, file types and the switch's own target
# is marked English (and skipped). Anything else in Latin letters is an untranslated word.
NOT_WORDS = {"Ctrl", "ipynb", "pdf", "PDF"}
HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("ko/")])
def test_korean_page_has_a_korean_interface(page_report, path):
    english = sorted({f"{word} (in {where} {text!r})" for where, text in page_report(path)["interface"]
                      for word in re.findall(r"[A-Za-z]{2,}", text) if word not in NOT_WORDS})
    assert not english, f"English words in the interface of {path}: {english}"


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("en/")])
def test_english_page_has_an_english_interface(page_report, path):
    korean = sorted({f"{where} {text!r}" for where, text in page_report(path)["interface"]
                     if HANGUL.search(text)})
    assert not korean, f"Korean words in the interface of {path}: {korean}"


@pytest.mark.parametrize("path", PAGES)
def test_navigation_lists_only_its_own_languages_pages(page_report, path):
    lang = path.split("/")[0]
    links = page_report(path)["navigation"]
    stems = [p.stem for p in notebooks(lang)] + ["index", "glossary", "references"]
    assert len(links) == len(stems), links
    assert all(f"/{lang}/" in urlparse(link["href"]).path for link in links), links
    for link in links:
        has_hangul = bool(HANGUL.search(link["text"]))
        assert has_hangul == (lang == "ko"), f"{link['text']!r} in the {lang} navigation"


@pytest.mark.parametrize("path", PAGES)
def test_language_switch_leads_to_the_same_page_and_back(page_report, path):
    lang, name = path.split("/")
    other = "en" if lang == "ko" else "ko"
    (there, there_lang), (back, back_lang) = page_report(path)["switch"]
    assert urlparse(there).path.endswith(f"/{other}/{name}") and there_lang == other
    assert urlparse(back).path.endswith(f"/{lang}/{name}") and back_lang == lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_switch_works_in_a_downloaded_copy(browser, built_book, lang):
    """From file:// (a copy of _build/html opened without a server), on every page."""
    context = browser.new_context()
    page = context.new_page()
    try:
        for path in [p for p in PAGES if p.startswith(f"{lang}/")]:
            page.goto((BUILD_HTML / path).as_uri(), wait_until="domcontentloaded")
            for expected in (path.replace(f"{lang}/", f"{'en' if lang == 'ko' else 'ko'}/"), path):
                page.click("a.course-language-switch")
                page.wait_for_load_state("domcontentloaded")
                assert page.url == (BUILD_HTML / expected).as_uri(), (path, page.url)
    finally:
        context.close()


@pytest.mark.parametrize("browser_language, expected", [("ko-KR", "ko"), ("ko", "ko"),
                                                        ("en-US", "en"), ("fr-FR", "en")])
def test_root_goes_to_the_readers_language(browser, site, browser_language, expected):
    context = browser.new_context(locale=browser_language)
    try:
        page = context.new_page()
        page.goto(site + "index.html")
        page.wait_for_url(f"**/{expected}/index.html")
        assert page.evaluate("document.documentElement.lang") == expected
        # the root is not in the history: Back leaves the site instead of coming back here
        page.go_back()
        assert not page.url.startswith(site), page.url
    finally:
        context.close()


def test_root_does_not_trap_the_reader(browser, site):
    """A Korean browser, an English choice: the switch is remembered, and `?choose` stays."""
    context = browser.new_context(locale="ko-KR")
    try:
        page = context.new_page()
        page.goto(site + "index.html?choose")
        assert page.url.endswith("index.html?choose")
        assert {a.get_attribute("hreflang") for a in page.query_selector_all("a[hreflang]")} \
            == {"ko", "en"}
        page.goto(site + "ko/01_gradient_clipping.html")
        page.click("a.course-language-switch")
        page.wait_for_url("**/en/01_gradient_clipping.html")
        page.goto(site + "index.html")
        page.wait_for_url("**/en/index.html")
    finally:
        context.close()


# --- search ---------------------------------------------------------------------------------

def search(visit, lang, query, excerpts=False):
    v = visit(f"{lang}/search.html?q={quote(query)}")
    v.page.wait_for_selector(".pagefind-ui__result-link", timeout=15_000)
    links = v.page.eval_on_selector_all(
        ".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")
    assert v.foreign_hosts() == [] and v.errors == [], (v.foreign_hosts(), v.errors)
    if excerpts:
        return links, v.page.eval_on_selector_all(
            ".pagefind-ui__result-excerpt", "els => els.map(e => e.textContent)")
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
        assert any("/ko/" in link for link in top), top
    else:
        assert any(link.endswith(f"/ko/{expected}.html") for link in top), top
    assert all("/ko/" in link for link in links), links


@pytest.mark.parametrize("query", [q for q, stems in ENGLISH_QUERIES.items()
                                   if set(stems) & EXISTING])
def test_english_search_finds_the_chapter(visit, query):
    links = search(visit, "en", query)
    wanted = [f"/en/{stem}.html" for stem in ENGLISH_QUERIES[query]]
    assert any(link.endswith(w) for link in links[:3] for w in wanted), links[:3]
    assert all("/en/" in link for link in links), links


@pytest.mark.parametrize("lang, query", [("ko", "학습률"), ("ko", "클리핑"), ("en", "norm"),
                                         ("en", "weight decay")])
def test_search_excerpts_show_no_tex_source(visit, lang, query):
    _, excerpts = search(visit, lang, query, excerpts=True)
    assert excerpts
    tex = [e for e in excerpts if re.search(r"\\[a-zA-Z]+|\\[()\[\]]|\$", e)]
    assert not tex, tex


def test_korean_particles_are_stripped_from_queries(visit):
    v = visit("ko/search.html")
    normalize = "q => window.courseNormalizeQuery(q)"
    assert v.page.evaluate(normalize, "학습률을") == "학습률"
    assert v.page.evaluate(normalize, "가중치를 줄이는 클리핑은") == "가중치 줄이 클리핑"
    assert v.page.evaluate(normalize, "warmup") == "warmup"


def test_search_page_is_accessible(visit):
    v = visit("ko/search.html?q=%ED%95%99%EC%8A%B5")
    v.page.wait_for_selector(".pagefind-ui__result-link", timeout=15_000)
    v.page.add_script_tag(path=str(AXE))
    result = v.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [(x["id"], x["impact"], x["nodes"][0]["target"]) for x in result["violations"]
               if x["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(serious, ensure_ascii=False)
