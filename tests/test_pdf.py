"""`make pdf`: the whole book per language, read back with poppler-utils as a reader's viewer would
(pages, fonts, extracted text). Every code line each page shows must be in the PDF's text: a
line cut at the margin would be missing."""

import html
import re
import shutil
import subprocess

import pytest

from course import BUILD_HTML, LANGUAGES, ROOT

PDF = ROOT / "_build" / "pdf"
HANGUL = re.compile("[가-힣]")
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils is needed (apt-get install poppler-utils)")


def poppler(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def printed_pages() -> list[str]:
    import yaml
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [entry["file"] for entry in toc["chapters"]]


def page_title(lang: str, name: str) -> str:
    """The page's own first heading (the theme's print-only contents has a heading of its own)."""
    text = (BUILD_HTML / lang / f"{name}.html").read_text(encoding="utf-8")
    heading = next(h for h in re.findall(r"<h1[^>]*>(.*?)</h1>", text, re.S) if "headerlink" in h)
    heading = re.sub(r'<a class="headerlink".*?</a>', "", heading, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", heading)).strip()


def shown_code_lines(lang: str, name: str) -> list[str]:
    """Every line of every code block the built page shows (inputs, listings, commands)."""
    text = (BUILD_HTML / lang / f"{name}.html").read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r'<div class="highlight[^"]*"><pre>(.*?)</pre>', text, re.S):
        lines += [line for line in html.unescape(re.sub(r"<[^>]+>", "", block)).splitlines()
                  if line.strip()]
    return lines


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def pdf_text(built_pdfs):
    # -raw: in the order the page draws it, so a comment far to the right of its code stays on
    # the code's line
    return {lang: poppler("pdftotext", "-enc", "UTF-8", "-raw", str(PDF / f"course-{lang}.pdf"), "-")
            for lang in LANGUAGES}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_cover_contents_and_every_chapter(lang, pdf_text, built_pdfs):
    info = poppler("pdfinfo", str(PDF / f"course-{lang}.pdf"))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    names = printed_pages()
    assert pages > 10 * len(names)
    text = pdf_text[lang]
    cover, contents = text.split("\f")[:2]
    import yaml
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    assert flat(config["course_titles"][lang]) in flat(cover)
    numbers = []
    for name in names:
        title = page_title(lang, name)
        assert flat(title) in flat(text), f"{name}: its title {title!r} is not in the PDF"
        entry = re.search(re.escape(flat(title)) + r"(\d+)", flat(contents))
        assert entry, f"{name} is not in the contents"
        numbers.append(int(entry.group(1)))
        # the page the contents names starts with that title
        page_text = text.split("\f")[numbers[-1] - 1]
        assert flat(title) in flat(page_text)[:300], (name, numbers[-1])
    assert numbers == sorted(numbers) and numbers[-1] <= pages
    if lang == "ko":
        assert HANGUL.search(cover) and HANGUL.search(contents)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_outline_lists_every_chapter(lang, built_pdfs):
    from pypdf import PdfReader
    outline = [item.title for item in PdfReader(PDF / f"course-{lang}.pdf").outline]
    assert outline == [page_title(lang, name) for name in printed_pages()]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_font_is_embedded_and_text_extracts(lang, built_pdfs):
    rows = poppler("pdffonts", str(PDF / f"course-{lang}.pdf")).splitlines()[2:]
    assert rows
    for row in rows:
        emb, sub, uni = row.split()[-5:-2]
        assert emb == "yes", f"a font is not embedded: {row}"
        assert uni == "yes", f"a font without ToUnicode (its text would not extract): {row}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_code_line_is_cut_at_the_margin(lang, pdf_text):
    text = flat(pdf_text[lang])
    for name in printed_pages():
        missing = [line for line in shown_code_lines(lang, name) if flat(line) not in text]
        assert not missing, f"{name}: {len(missing)} code lines not in the PDF, e.g. {missing[:3]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_are_numbered_after_the_contents(lang, pdf_text):
    pages = pdf_text[lang].split("\f")
    numbered = [index + 1 for index, page in enumerate(pages[:-1])
                if re.search(rf"(^|\n){index + 1}\s*$", page.strip())]
    assert 1 not in numbered and len(numbered) >= 0.9 * (len(pages) - 3)
