"""`make pdf`: the whole book as one PDF per language, printed by headless Chromium.

    python _ext/build_pdf.py              # _build/pdf/course-ko.pdf and course-en.pdf
    python _ext/build_pdf.py --lang ko    # one language

It prints the built site (``make book`` first), so the PDF shows what the reader sees: the same
fonts (embedded), figures, MathJax's typeset math, and the site's print stylesheet
(``_static/course.css``, ``@media print``: no navigation, code wrapped instead of cut at the
margin, solutions open). Each page of ``_toc.yml`` except the landing page is printed on its
own; then a cover and a table of contents with page numbers are put in front, every page gets
its number, and the PDF's outline (bookmarks) lists the chapters. Merging uses pypdf.
"""

from __future__ import annotations

import argparse
import html
import io
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
OUT = ROOT / "_build" / "pdf"
sys.path.insert(0, str(ROOT / "slides"))
from build import launch_chromium, serve  # noqa: E402  (slides/build.py: the one way to start Chromium)

PAPER = {"format": "A4", "margin": {"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}}
WORDS = {"ko": {"contents": "차례", "page": "쪽"}, "en": {"contents": "Contents", "page": "page"}}
READY = """async () => {
  if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; }
  document.querySelectorAll('details').forEach(d => d.open = true);
  await document.fonts.ready;
  return true;
}"""


def pages_in_order() -> list[str]:
    """The pages of ``_toc.yml`` in reading order, the landing page left out (the cover replaces it)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [entry["file"] for entry in toc["chapters"]]


def site_words(lang: str) -> tuple[str, str]:
    """The site's title and author in ``lang`` (``course_titles`` and ``course_authors``)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    return config["course_titles"][lang], config["course_authors"][lang]


def print_page(browser, url: str) -> tuple[bytes, str]:
    """One page as PDF bytes, and its title (the page's first heading)."""
    page = browser.new_page()
    page.goto(url, wait_until="load")
    page.emulate_media(media="print")
    page.evaluate(READY)
    title = page.evaluate("document.querySelector('main h1, article h1').textContent")
    data = page.pdf(print_background=True, **PAPER)
    page.close()
    return data, title.replace("#", "").strip()


FRONT = """<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
<link rel="stylesheet" href="{fonts}"><style>
  body {{ font-family: "Pretendard Variable", "DejaVu Sans", sans-serif; margin: 0; }}
  .cover {{ height: 250mm; display: flex; flex-direction: column; justify-content: center;
           break-after: page; }}
  .cover h1 {{ font-size: 30pt; margin: 0 0 8mm; }} .cover p {{ font-size: 14pt; }}
  h2 {{ font-size: 20pt; }} ol {{ list-style: none; padding: 0; font-size: 12pt; }}
  li {{ display: flex; padding: 2mm 0; border-bottom: 0.2mm dotted #999; }}
  li span:first-child {{ flex: 1; }}
</style></head><body>
<section class="cover"><h1>{title}</h1><p>{author}</p></section>
<h2>{contents}</h2><ol>{entries}</ol></body></html>"""

NUMBERS = """<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="{fonts}">
<style> body {{ margin: 0; font-family: "Pretendard Variable", sans-serif; font-size: 9pt; color: #555; }}
  div {{ height: 297mm; position: relative; break-after: page; overflow: hidden; }}
  span {{ position: absolute; bottom: 8mm; width: 100%; text-align: center; }}
</style></head><body>{pages}</body></html>"""


def print_html(browser, base: str, name: str, text: str, paper: dict = PAPER) -> bytes:
    """Print a page of the PDF's own (cover, contents, page numbers), written next to the site."""
    path = OUT / ".work" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    page = browser.new_page()
    page.goto(base + str(path.relative_to(ROOT / "_build")), wait_until="load")
    page.evaluate("document.fonts.ready")
    data = page.pdf(print_background=True, **paper)
    page.close()
    return data


def build_pdf(browser, base: str, lang: str) -> Path:
    from pypdf import PdfReader, PdfWriter
    fonts = f"../../html/{lang}/_fonts/fonts.css"
    chapters = []
    for name in pages_in_order():
        data, title = print_page(browser, f"{base}html/{lang}/{name}.html")
        chapters.append((title, PdfReader(io.BytesIO(data))))

    def front(first_pages: list[int]) -> bytes:
        title, author = site_words(lang)
        entries = "".join(f"<li><span>{html.escape(t)}</span><span>{n}</span></li>"
                          for (t, _), n in zip(chapters, first_pages))
        return print_html(browser, base, f"front-{lang}.html", FRONT.format(
            lang=lang, fonts=fonts, title=html.escape(title), author=html.escape(author),
            contents=WORDS[lang]["contents"], entries=entries))

    # the contents' length decides where the chapters start: print it once to count its pages
    front_pages = len(PdfReader(io.BytesIO(front([0] * len(chapters)))).pages)
    starts, page = [], front_pages + 1
    for _, reader in chapters:
        starts.append(page)
        page += len(reader.pages)
    front_reader = PdfReader(io.BytesIO(front(starts)))
    assert len(front_reader.pages) == front_pages, "the contents changed length with its numbers"

    total = page - 1
    numbers = PdfReader(io.BytesIO(print_html(browser, base, f"numbers-{lang}.html", NUMBERS.format(
        fonts=fonts, pages="".join(f"<div><span>{n}</span></div>" for n in range(1, total + 1))),
        paper={"format": "A4", "margin": {"top": "0", "bottom": "0", "left": "0", "right": "0"}})))
    writer = PdfWriter()
    writer.append(front_reader)
    for (title, reader), start in zip(chapters, starts):
        writer.append(reader)
        writer.add_outline_item(title=title, page_number=start - 1)
    for index in range(front_pages, total):  # the cover and the contents carry no number
        writer.pages[index].merge_page(numbers.pages[index])
    writer.add_metadata({"/Title": site_words(lang)[0], "/Author": site_words(lang)[1]})
    writer.page_mode = "/UseOutlines"
    target = OUT / f"course-{lang}.pdf"
    with target.open("wb") as file:
        writer.write(file)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("ko", "en"), action="append",
                        help="only this language (default: both)")
    args = parser.parse_args()
    if not (SITE / "en" / "index.html").exists():
        sys.exit("the book is not built: run `make book` first")
    OUT.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if not args.lang:  # both languages side by side, a browser each (the machines have 2 cores)
        runs = [subprocess.Popen([sys.executable, __file__, "--lang", lang]) for lang in ("ko", "en")]
        failed = [run.wait() for run in runs]
        print(f"  PDFs printed in {time.perf_counter() - start:.0f} s")
        return max(failed)
    from playwright.sync_api import sync_playwright
    with serve(ROOT / "_build") as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for lang in args.lang:
            target = build_pdf(browser, base, lang)
            print(f"  {target.relative_to(ROOT)}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
