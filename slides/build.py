"""Build the instructors' decks: one reveal.js deck and one PDF handout per chapter and language.

    .venv/bin/python slides/build.py            # every chapter  (make slides)
    .venv/bin/python slides/build.py --no-pdf   # decks only

The notebooks are the slide source (their slideshow metadata decides slides, fragments,
skipped check cells and speaker notes). Outputs come from the book build's executed notebooks
(its execution cache, ``_build/.jupyter_cache``) when the book has run this version of the
notebook; otherwise the notebook is executed here. Every asset (reveal.js, MathJax) is copied from ``node_modules`` into
``_build/slides/_assets``: the decks load nothing from outside themselves.

Output: ``_build/slides/{ko,en}/NN_slug.slides.html`` and ``.pdf``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import functools
import http.server
import json
import os
import re
import shutil
import sys
import threading
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SLIDES_DIR = Path(__file__).resolve().parent
OUT = ROOT / "_build" / "slides"
EXECUTION_CACHE = ROOT / "_build" / ".jupyter_cache"  # the book build's (see _config.yml)
BUILT_BOOK = ROOT / "_build" / "html"
ASSETS = OUT / "_assets"
MATHJAX_PARTS = ("tex-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2",
                 "a11y", "ui", "sre", "adaptors")
READY = "document.documentElement.dataset.slidesReady === 'true'"


# --- assets -------------------------------------------------------------------------------

def copy_assets() -> None:
    modules = ROOT / "node_modules"
    if not (modules / "reveal.js" / "dist" / "reveal.js").is_file():
        sys.exit("reveal.js is missing: run `npm ci` first (`make slides` does).")
    reveal = ASSETS / "reveal.js"
    for part in ("dist", "plugin/notes"):
        shutil.copytree(modules / "reveal.js" / part, reveal / part, dirs_exist_ok=True)
    for part in MATHJAX_PARTS:
        source = modules / "mathjax" / "es5" / part
        target = ASSETS / "mathjax" / part
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for name in ("course-slides.css", "course-slides.js"):
        shutil.copy2(SLIDES_DIR / name, ASSETS / name)
    # the book's fonts, already cut down to what the course shows (notes and code included)
    fonts = BUILT_BOOK / "ko" / "_fonts"  # both sites have the same cut
    if not (fonts / "fonts.css").is_file():
        sys.exit(f"{fonts} is missing: the decks use the book's fonts (make book)")
    shutil.rmtree(ASSETS / "fonts", ignore_errors=True)
    shutil.copytree(fonts, ASSETS / "fonts")


# --- the notebook, with outputs -----------------------------------------------------------

def executed(path: Path) -> nbformat.NotebookNode:
    """The notebook with the outputs of the book build's run (its execution cache), or of a
    fresh run when the book has not executed this version of the notebook."""
    from jupyter_cache import get_cache
    source = nbformat.read(path, as_version=4)
    if EXECUTION_CACHE.is_dir():
        try:
            _, merged = get_cache(str(EXECUTION_CACHE)).merge_match_into_notebook(source)
            return merged
        except KeyError:
            pass  # not in the cache: this version of the notebook was not built yet
    from nbclient import NotebookClient
    print(f"  executing {path.relative_to(ROOT)} (the book build has not run this version)")
    NotebookClient(source, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
    return source


# --- markdown cells as the book rendered them ---------------------------------------------

# The book's page marks where each notebook cell starts (_ext/course_ext.py, CELL_MARKER); the
# HTML between one cell's marker and the next is that cell, as MyST and Sphinx rendered it:
# references resolved, citations, glossary terms, exercises numbered and labelled per language.
CELL_MARKER = re.compile(r"^\s*course-cell (\d+)\s*$")


def _document_order(root) -> tuple[dict[int, int], dict[int, int]]:
    """Each node's position in document order, and the position of its last descendant."""
    start, end = {}, {}
    for position, node in enumerate(root.descendants):
        start[id(node)] = position
    for node in root.descendants:
        last = node
        while getattr(last, "contents", None):
            last = last.contents[-1]
        end[id(node)] = start[id(last)]
    return start, end


def _between(node, low: int, high: int, start, end):
    """A copy of what of ``node`` lies strictly between positions ``low`` and ``high``: the
    DOM Range ``cloneContents`` of that span (partly covered elements cloned as shells)."""
    from bs4 import NavigableString, Tag
    first, last = start[id(node)], end[id(node)]
    if last <= low or first >= high:
        return None
    if low < first and last < high:
        return copy.copy(node)
    if isinstance(node, NavigableString):
        return None
    # a shell recurs in several cells: its id belongs to none of them
    shell = Tag(name=node.name, attrs={k: v for k, v in node.attrs.items() if k != "id"})
    for child in list(node.children):
        part = _between(child, low, high, start, end)
        if part is not None:
            shell.append(part)
    return shell


def _for_the_deck(fragment, stem: str) -> None:
    """Page-only parts out; links that a deck can follow kept, the others become text."""
    for element in fragment.select("a.headerlink, .course-index-only"):
        element.decompose()
    for section in fragment.find_all("section"):
        section.name = "div"  # a <section> is a slide to reveal.js
    for link in fragment.find_all("a"):
        href = link.get("href", "")
        chapter = re.match(r"(?:\.\./\w+/)?(\d\d_\w+)\.html(?:#.*)?$", href)
        if chapter and chapter.group(1) != stem:
            link["href"] = f"{chapter.group(1)}.slides.html"
        elif not href.startswith(("http:", "https:")):
            link.unwrap()  # an anchor on the page, the glossary, a citation: text on a slide


def rendered_markdown_cells(page: Path) -> dict[int, str]:
    """{cell index: its HTML} for every markdown cell of the book's page ``page``."""
    from bs4 import BeautifulSoup, Comment
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article") or soup.body
    start, end = _document_order(article)
    markers = [(int(m.group(1)), start[id(node)]) for node in article.find_all(
        string=lambda text: isinstance(text, Comment)) if (m := CELL_MARKER.match(node))]
    if not markers:
        raise SystemExit(f"{page} has no cell markers: rebuild the book (make book)")
    markers.append((None, len(start)))
    cells = {}
    for (index, low), (_, high) in zip(markers, markers[1:]):
        parts = [part for child in list(article.children)
                 if (part := _between(child, low, high, start, end)) is not None]
        holder = soup.new_tag("div")
        for part in parts:
            holder.append(part)
        _for_the_deck(holder, page.stem)
        cells[index] = holder.decode_contents().strip()
    return cells


@functools.lru_cache(maxsize=1)
def _notes_parser():
    from html import escape
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    def math(content, options):
        tex = escape(content)
        return f"\\[{tex}\\]" if options.get("display_mode") else f"\\({tex}\\)"
    return MarkdownIt("commonmark").enable("table").use(dollarmath_plugin, renderer=math)


def speaker_notes_html(source: str) -> str:
    """An instructor's note (never on the book's pages) as HTML, by markdown-it, the parser
    MyST is built on; notes are plain Markdown with math, no MyST roles or directives."""
    return _notes_parser().render(source)


def slide_notebook(path: Path) -> nbformat.NotebookNode:
    nb = copy.deepcopy(executed(path))
    page = BUILT_BOOK / path.parent.name / f"{path.stem}.html"  # the site of its language
    if not page.is_file():
        raise SystemExit(f"{page} is missing: the decks are made from the book (make book)")
    rendered = rendered_markdown_cells(page)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        slide_type = cell.metadata.get("slideshow", {}).get("slide_type")
        if index in rendered:
            cell.metadata["course_html"] = rendered[index]
        elif slide_type == "notes":
            cell.metadata["course_html"] = speaker_notes_html(cell.source)
        elif slide_type != "skip":
            raise SystemExit(f"{page}: cell {index} is not on the page, so it cannot be a slide")
    return nb


# --- decks and handouts -------------------------------------------------------------------

def build_deck(path: Path) -> Path:
    from nbconvert import SlidesExporter
    lang = path.parent.name
    exporter = SlidesExporter(
        extra_template_basedirs=[str(SLIDES_DIR / "template")], template_name="course",
        reveal_url_prefix="../_assets/reveal.js", reveal_theme="white",
        exclude_input_prompt=True, exclude_output_prompt=True, language_code=lang)
    body, _ = exporter.from_notebook_node(
        slide_notebook(path),
        resources={"course_assets": "../_assets", "metadata": {"name": path.stem}})
    target = OUT / lang / f"{path.stem}.slides.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
    return target


@contextlib.contextmanager
def serve(directory):
    """Serve a folder on 127.0.0.1 (a free port) for the browser; yields the base URL."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            # the browser left the page (a redirect, a click) before a file was sent: not an error
            if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                super().handle_error(request, client_address)
    server = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
ONLY_LAST_RESORT = ('<?xml version="1.0"?>\n<fontconfig><dir>{fonts}</dir>'
                    '<cachedir>{cache}</cachedir></fontconfig>\n')


def launch_chromium(playwright, *, system_fonts: bool = False):
    """Debian's Chromium under Playwright (never Playwright's own browser download).

    By default it sees none of the machine's fonts: its fontconfig offers one font alone, the
    Last Resort font that ships with matplotlib, which draws any character as a box. What it
    lays out is drawn by the course's web fonts (or shows up as boxes), so the zooms of the decks
    and the layout tests come out the same on every machine. (With no font at all, Chromium
    loads no web font for Hangul and cannot print.) ``system_fonts=True`` is a reader's
    machine, for the font tests.
    """
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Chromium is needed (apt-get install chromium)")
    env = dict(os.environ)
    if not system_fonts:
        import tempfile
        import matplotlib
        folder = Path(tempfile.mkdtemp(prefix="course-no-system-fonts-"))
        (folder / "fonts").mkdir()
        shutil.copy2(Path(matplotlib.get_data_path()) / "fonts/ttf/LastResortHE-Regular.ttf",
                     folder / "fonts")
        (folder / "fonts.conf").write_text(
            ONLY_LAST_RESORT.format(fonts=folder / "fonts", cache=folder / "cache"))
        env["FONTCONFIG_FILE"] = str(folder / "fonts.conf")
    return playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, env=env)


def print_handouts(decks: list[Path]) -> None:
    """A PDF per deck, printed by headless Chromium from reveal.js's print layout."""
    from playwright.sync_api import sync_playwright

    with serve(OUT) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for deck in decks:
            url = base + str(deck.relative_to(OUT))
            # the zooms that make each slide fit, measured in the presenting view ...
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url)
            page.wait_for_function(READY, timeout=60_000)
            zooms = page.evaluate("window.courseMeasuredZooms()")
            page.close()
            # ... handed to the print layout, which reveal.js makes when it starts
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.add_init_script(f"window.courseSlideZooms = {json.dumps(zooms)};")
            page.goto(url + "?print-pdf")
            page.wait_for_function(READY + " && document.querySelectorAll('.pdf-page').length > 0",
                                   timeout=60_000)
            page.wait_for_timeout(300)  # the print layout settles after its last page
            page.pdf(path=str(deck.with_name(deck.name.replace(".slides.html", ".pdf"))),
                     width="1280px", height="720px", print_background=True)
            page.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the instructors' reveal.js decks.")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="chapter notebooks (default: every chapter in both languages)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF handouts")
    args = parser.parse_args()
    notebooks = [p.resolve() for p in args.notebooks] or sorted(ROOT.glob("chapters/*/*.ipynb"))
    copy_assets()
    decks = []
    for path in notebooks:
        decks.append(build_deck(path))
        print(f"  {decks[-1].relative_to(ROOT)}")
    if not args.no_pdf:
        print_handouts(decks)
        print(f"  {len(decks)} PDF handouts")


if __name__ == "__main__":
    main()
