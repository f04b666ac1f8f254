"""Every glyph of the site and the decks is drawn by the course's own fonts (_ext/course_fonts.py),
never by a font the machine happens to have.

Chromium here sees the machine's fonts (on CI: DejaVu and Nanum, from Debian), as a reader's
browser would; DevTools' ``CSS.getPlatformFontsForNode`` says which font drew each text node's
glyphs (``isCustomFont``: a web font of the page). The layout tests run in a Chromium that sees
no system font at all (tests/conftest.py), so together they show that a machine with other
fonts, or none, gets the same pages and slides."""

import pytest

from build import READY  # slides/build.py
from conftest import MATH_DONE_JS, require_chromium
from course import LANGUAGES, notebooks

require_chromium("the font tests")

pytestmark = pytest.mark.usefixtures("built_book")

CHAPTERS = [(lang, path.stem) for lang in LANGUAGES for path in notebooks(lang)]
PAGES = ([f"{lang}/{stem}.html" for lang, stem in CHAPTERS]
         + [f"{lang}/{name}.html" for lang in LANGUAGES
            for name in ("index", "glossary", "references", "search", "404")]
         + ["index.html",  # the root, and search results (drawn by Pagefind's interface)
            "ko/search.html?q=%ED%81%B4%EB%A6%AC%ED%95%91", "en/search.html?q=warmup"])

# Each character is probed in every font setting it appears in: an element with text of its own
# is probed when it shows a character not yet probed with its computed font (family, weight,
# style). That covers every glyph of the page in a few hundred DevTools calls, not thousands.
# MathJax's assistive MathML is left out: it is clipped to nothing, for screen readers only (what
# a reader sees of a formula is drawn by MathJax's own fonts, from the site).
MARK_TEXT_JS = """() => {
  let count = 0;
  const seen = new Map();
  for (const element of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(element.tagName)) continue;
    if (element.closest('mjx-assistive-mml') || element.getClientRects().length === 0) continue;
    const text = Array.from(element.childNodes)
      .filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join('');
    if (text.trim() === '') continue;
    const style = getComputedStyle(element);
    const key = [style.fontFamily, style.fontWeight, style.fontStyle].join('|');
    if (!seen.has(key)) seen.set(key, new Set());
    const known = seen.get(key);
    const fresh = Array.from(text).filter(c => c.trim() !== '' && !known.has(c));
    if (fresh.length === 0) continue;
    fresh.forEach(c => known.add(c));
    element.setAttribute('data-font-probe', String(count++));
  }
  return count;
}"""

# A deck shows one slide at a time: for the probe every slide and fragment is laid out at once.
SHOW_EVERY_SLIDE_CSS = """
.reveal .slides section { display: block !important; }
.reveal .slides section, .reveal .fragment { visibility: visible !important; opacity: 1 !important; }
"""


def fonts_that_drew(page):
    """{(family, is a web font of the page): glyphs drawn} over every probed element, and the
    elements (tag, classes, text) that a system font drew glyphs of."""
    # lay out first: the chunks of the fonts that the text needs are requested then
    page.evaluate("""async () => { void document.body.offsetHeight; await document.fonts.ready;
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); }""")
    probed = page.evaluate(MARK_TEXT_JS)
    assert probed > 0, "nothing to probe on the page"
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node_ids = cdp.send("DOM.querySelectorAll",
                        {"nodeId": root, "selector": "[data-font-probe]"})["nodeIds"]
    drawn, by_system = {}, []
    for node_id in node_ids:
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
        for font in fonts:
            key = (font["familyName"], font["isCustomFont"])
            drawn[key] = drawn.get(key, 0) + font["glyphCount"]
            if not font["isCustomFont"]:
                html = cdp.send("DOM.getOuterHTML", {"nodeId": node_id})["outerHTML"]
                by_system.append((font["familyName"], html[:160]))
    cdp.detach()
    return drawn, by_system


@pytest.mark.parametrize("path", PAGES)
def test_no_system_font_draws_a_page(reader_browser, site, path):
    page = reader_browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(site + path, wait_until="load")
        page.wait_for_function(MATH_DONE_JS, timeout=20_000)
        if "?q=" in path:
            page.wait_for_selector(".pagefind-ui__result-excerpt", timeout=15_000)
        drawn, by_system = fonts_that_drew(page)
    finally:
        page.close()
    assert not by_system, f"glyphs drawn by system fonts on {path}: {by_system[:8]}"
    families = {family for family, custom in drawn}
    assert {"Pretendard Variable"} <= families, families


@pytest.mark.parametrize("lang, stem", CHAPTERS)
def test_no_system_font_draws_a_deck(reader_browser, deck_server, lang, stem):
    page = reader_browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{deck_server}{lang}/{stem}.slides.html")
        page.wait_for_function(READY, timeout=60_000)
        page.add_style_tag(content=SHOW_EVERY_SLIDE_CSS)
        drawn, by_system = fonts_that_drew(page)
    finally:
        page.close()
    assert not by_system, f"glyphs drawn by system fonts in the {lang}/{stem} deck: {by_system[:8]}"
    families = {family for family, custom in drawn}
    assert {"Pretendard Variable", "NanumGothicCoding"} <= families, families  # as the files name them
