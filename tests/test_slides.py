"""The instructors' decks: built from the notebooks by one command, offline, every slide fits a
1280x720 frame, check cells skipped, notes as speaker notes, math and Hangul rendered, PDFs."""

import re
from urllib.parse import urlparse

import pytest

from build import READY  # slides/build.py (on the path through conftest)
from conftest import require_chromium
from course import ROOT, all_notebooks, read, visible_source_markup

require_chromium("the slide tests")


SLIDES = ROOT / "_build" / "slides"
DECKS = [(p.parent.name, p.stem) for p in all_notebooks()]


def test_no_deck_needed_a_second_execution(built_decks):
    assert "executing" not in built_decks, (
        "the decks re-executed notebooks the book build had just executed:\n" + built_decks)


SLIDE_FACTS_JS = """async () => {
  const facts = [];
  const scale = Reveal.getScale();
  for (const slide of Reveal.getSlides()) {
    const {h, v} = Reveal.getIndices(slide);
    Reveal.slide(h, v, Number.MAX_SAFE_INTEGER);  // every fragment shown: the fullest state
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const rect = slide.getBoundingClientRect();
    const scrolling = Array.from(slide.querySelectorAll('*')).filter(e => {
      const style = getComputedStyle(e);
      return (/(auto|scroll)/.test(style.overflowY) && e.scrollHeight > e.clientHeight + 1)
          || (/(auto|scroll)/.test(style.overflowX) && e.scrollWidth > e.clientWidth + 1);
    }).map(e => e.tagName + '.' + e.className);
    facts.push({h, v, height: rect.height / scale, width: rect.width / scale, scrolling,
                zoom: parseFloat(slide.style.zoom || '1'),
                title: (slide.querySelector('h1,h2,h3') || {}).textContent || ''});
  }
  return facts;
}"""


@pytest.mark.parametrize("lang, stem", DECKS)
def test_deck(browser, deck_server, lang, stem):
    path = f"{lang}/{stem}.slides.html"
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(deck_server + path)
        page.wait_for_function(READY, timeout=60_000)
        facts = page.evaluate(SLIDE_FACTS_JS)
        text = page.evaluate("""() => { const c = document.querySelector('.slides').cloneNode(true);
            c.querySelectorAll('pre, code, mjx-container, aside.notes, script, style').forEach(e => e.remove());
            return c.innerText; }""")
        notes = page.evaluate("document.querySelectorAll('aside.notes').length")
        visible_notes = page.evaluate("""Array.from(document.querySelectorAll('aside.notes'))
            .filter(n => n.offsetParent !== null).length""")
        code_cells = page.evaluate("document.querySelectorAll('.jp-CodeCell').length")
        explorers = page.evaluate("""[document.querySelectorAll('.course-explorer').length,
            document.querySelectorAll('.course-explorer.is-live').length]""")
        hangul = page.evaluate("""async () => { const ctx = document.createElement('canvas').getContext('2d');
            ctx.font = getComputedStyle(document.querySelector('.reveal h1, .reveal h2')).font;
            await document.fonts.load(ctx.font, '학습률');  // a canvas loads no web font itself
            return [ctx.measureText('학습률').width, ctx.measureText('\\u{10FFFD}\\u{10FFFD}\\u{10FFFD}').width]; }""")
    finally:
        page.close()

    foreign = {urlparse(u).hostname for u in requests if urlparse(u).scheme in ("http", "https")
               and urlparse(u).hostname != "127.0.0.1"}
    assert not foreign, f"the deck loaded from {foreign}"
    assert not errors, errors

    too_big = [(f["h"], f["v"], f["title"][:40], round(f["height"]), round(f["width"]))
               for f in facts if f["height"] > 721 or f["width"] > 1281]
    assert not too_big, f"slides larger than 1280x720 (h, v, title, height, width): {too_big}"
    # the deck zooms a crowded slide out to fit; below 70 % it is no longer readable in a room
    crowded = [(f["h"], f["v"], f["title"][:40], f["zoom"]) for f in facts if f["zoom"] < 0.7]
    assert not crowded, f"slides too crowded to read (split them with a subslide): {crowded}"
    scrollbars = [(f["h"], f["v"], f["scrolling"]) for f in facts if f["scrolling"]]
    assert not scrollbars, f"slides with scrollbars: {scrollbars}"

    for raw in ("$$", "\\(", "\\["):
        assert raw not in text, f"raw TeX {raw!r} on a slide"
    shown = visible_source_markup(text)
    assert not shown, f"MyST source shown as text on the slides: {shown[:5]}"

    cells = read(ROOT / "chapters" / lang / f"{stem}.ipynb").cells
    slide_type = [c.metadata["slideshow"]["slide_type"] for c in cells]
    shown_code = sum(1 for c, t in zip(cells, slide_type) if c.cell_type == "code" and t != "skip")
    assert code_cells == shown_code, "check cells (and other skipped cells) must not be slides"
    explorer_cells = sum(1 for c, t in zip(cells, slide_type)
                         if c.cell_type == "code" and t != "skip" and "explorers." in c.source)
    assert explorers == [explorer_cells, explorer_cells], "an explorer missing or not alive on a slide"
    assert notes == slide_type.count("notes") and visible_notes == 0, (
        "notes cells must be speaker notes, never slide content")
    if lang == "ko":
        assert abs(hangul[0] - hangul[1]) > 0.5, "Hangul is drawn as boxes on the slides"


@pytest.mark.parametrize("lang, stem", DECKS)
def test_pdf_handout(built_decks, lang, stem):
    pdf = SLIDES / lang / f"{stem}.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    cells = read(ROOT / "chapters" / lang / f"{stem}.ipynb").cells
    slides = sum(1 for c in cells if c.metadata["slideshow"]["slide_type"] in ("slide", "subslide"))
    assert pages >= slides, f"{pages} pages for {slides} slides"
