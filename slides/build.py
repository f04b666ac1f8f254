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
ASSETS = OUT / "_assets"
MATHJAX_PARTS = ("tex-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2",
                 "a11y", "ui", "sre", "adaptors")
READY = "document.documentElement.dataset.slidesReady === 'true'"
LABELS = {"ko": {"exercise": "연습문제", "note": "참고"},
          "en": {"exercise": "Exercise", "note": "Note"}}


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


# --- MyST, which reveal.js does not read, as plain Markdown --------------------------------

DIRECTIVE = re.compile(r"^(```+|:::+)\{([\w:-]+)\}[^\n]*\n(.*?)^\1[ \t]*$", re.S | re.M)
OPTION = re.compile(r"^:[\w-]+:.*\n?", re.M)
ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")


def cite_text(keys: str, style: str, bib) -> str:
    names = []
    for key in keys.split(","):
        entry = bib.entries.get(key.strip())
        if entry is None:
            names.append(key.strip())
            continue
        authors = entry.persons.get("author", [])
        last = " ".join(authors[0].last_names) if authors else key
        who = last + (" et al." if len(authors) > 2 else
                      f" & {' '.join(authors[1].last_names)}" if len(authors) == 2 else "")
        year = entry.fields.get("year", "")
        names.append(f"{who} ({year})" if style == "t" else f"{who}, {year}")
    return "; ".join(names) if style == "t" else "(" + "; ".join(names) + ")"


def plain_markdown(text: str, lang: str, bib) -> str:
    def directive(match):
        name, body = match.group(2), OPTION.sub("", match.group(3)).strip()
        if name in ("solution-start", "solution-end", "footbibliography", "bibliography"):
            return ""
        if name == "exercise":
            return f'<div class="course-exercise">\n\n**{LABELS[lang]["exercise"]}.** {body}\n\n</div>'
        if name == "math":
            return f"$$\n{body}\n$$"
        if name in ("note", "tip", "important", "warning", "caution", "admonition", "hint"):
            return f"> **{LABELS[lang]['note']}.** " + body.replace("\n", "\n> ")
        return body

    def role(match):
        name, content = match.groups()
        if name.startswith("footcite") or name.startswith("cite"):
            return cite_text(content, "t" if name.endswith(":t") else "p", bib)
        return re.sub(r"\s*<[^>]*>$", "", content)  # {term}`text <target>` -> text

    text = DIRECTIVE.sub(directive, text)
    text = ROLE.sub(role, text)
    # links between chapters point at the other decks
    return re.sub(r"\]\((\d\d_[a-z0-9_]+)\)", r"](\1.slides.html)", text)


def slide_notebook(path: Path, bib) -> nbformat.NotebookNode:
    nb = copy.deepcopy(executed(path))
    lang = path.parent.name
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = plain_markdown(cell.source, lang, bib)
    return nb


# --- decks and handouts -------------------------------------------------------------------

def build_deck(path: Path, bib) -> Path:
    from nbconvert import SlidesExporter
    lang = path.parent.name
    exporter = SlidesExporter(
        extra_template_basedirs=[str(SLIDES_DIR / "template")], template_name="course",
        reveal_url_prefix="../_assets/reveal.js", reveal_theme="white",
        exclude_input_prompt=True, exclude_output_prompt=True, language_code=lang)
    body, _ = exporter.from_notebook_node(
        slide_notebook(path, bib),
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
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def print_handouts(decks: list[Path]) -> None:
    """A PDF per deck, printed by headless Chromium from reveal.js's print layout."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Chromium is needed for the PDF handouts (apt-get install chromium fonts-nanum), "
                 "or build the decks alone with --no-pdf.")
    with serve(OUT) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
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
    from pybtex.database import parse_file
    bib = parse_file(str(ROOT / "references.bib"))
    notebooks = [p.resolve() for p in args.notebooks] or sorted(ROOT.glob("chapters/*/*.ipynb"))
    copy_assets()
    decks = []
    for path in notebooks:
        decks.append(build_deck(path, bib))
        print(f"  {decks[-1].relative_to(ROOT)}")
    if not args.no_pdf:
        print_handouts(decks)
        print(f"  {len(decks)} PDF handouts")


if __name__ == "__main__":
    main()
