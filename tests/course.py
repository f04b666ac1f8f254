"""What the book's tests share: where things are, and how to read a notebook's parts."""

from __future__ import annotations

import io
import re
import tokenize
from functools import lru_cache
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
LANGUAGES = ("ko", "en")
BUILD_HTML = ROOT / "_build" / "html"


# MyST source that a reader must never see as text (outside code): a target label `(name)=`, a
# role {ref}`...`, a directive fence ```{note} / :::{note}, a directive option :label: ...
SOURCE_MARKUP = re.compile(
    r"^\s*\([\w.:-]+\)=\s*$"
    r"|\{[\w:-]+\}`"
    r"|^\s*(?:```+|:::+)\s*\{[\w:-]+\}"
    r"|^\s*:(?:label|class|name|width|align|alt|figwidth|header-rows|widths):\s", re.M)


def visible_source_markup(text: str) -> list[str]:
    """The lines of ``text`` (what a reader sees) that show MyST source."""
    return [m.group(0).strip() for m in SOURCE_MARKUP.finditer(text)]


def notebooks(lang: str) -> list[Path]:
    return sorted((CHAPTERS / lang).glob("*.ipynb"))


def all_notebooks() -> list[Path]:
    return [path for lang in LANGUAGES for path in notebooks(lang)]


def page_weight(page: Path) -> tuple[int, int, int]:
    """A built page's weight: (bytes of HTML, bytes of the images it shows, number of images)."""
    text = page.read_text(encoding="utf-8")
    images = {src for src in re.findall(r'<img\b[^>]*\bsrc="([^"]+)"', text)
              if not src.startswith(("data:", "http:", "https:", "//"))}
    image_bytes = sum((page.parent / src.split("?")[0]).stat().st_size for src in images)
    return len(text.encode("utf-8")), image_bytes, len(images)


# The bytes of the course's fonts (_build/html/_fonts) a page made the browser download: only the
# unicode-range chunks of the characters it shows. Evaluated on a loaded page (Playwright) that
# ran KEEP_EVERY_RESOURCE_JS first (add_init_script): the browser keeps only 250 entries.
KEEP_EVERY_RESOURCE_JS = "performance.setResourceTimingBufferSize(100000);"
FONT_BYTES_JS = """async () => {
  void document.body.offsetHeight;
  await document.fonts.ready;
  return performance.getEntriesByType('resource')
    .filter(entry => entry.name.includes('/_fonts/') && entry.name.endsWith('.woff2'))
    .reduce((sum, entry) => sum + entry.encodedBodySize, 0);
}"""


@lru_cache(maxsize=None)
def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


@lru_cache(maxsize=None)
def glossary() -> list[dict]:
    return yaml.safe_load((ROOT / "glossary.yml").read_text(encoding="utf-8"))


# --- code: compared as Python tokens, strings and comments masked -------------------------

def python_source(cell_source: str) -> str:
    """The cell as plain Python (IPython syntax such as `regkit.f??` or `%timeit` translated)."""
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(cell_source)


def code_tokens(cell_source: str) -> list[str]:
    """The cell's tokens with every string literal replaced by STR and comments dropped.

    Two cells that differ only in their strings and comments (the language) give the same list.
    """
    out = []
    readline = io.StringIO(python_source(cell_source)).readline
    for tok in tokenize.generate_tokens(readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING):
            continue
        if tok.type == tokenize.STRING or tok.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            out.append("STR")
        elif tok.type in (getattr(tokenize, "FSTRING_START", -1), getattr(tokenize, "FSTRING_END", -1)):
            continue
        else:
            out.append(tok.string)
    return out


def string_literals(cell_source: str) -> list[str]:
    readline = io.StringIO(python_source(cell_source)).readline
    return [tok.string for tok in tokenize.generate_tokens(readline)
            if tok.type in (tokenize.STRING, tokenize.COMMENT)]


# --- markdown: the structure that must match across languages -----------------------------

FENCE = re.compile(r"^(```+|~~~+|:::+)\s*(\{([\w:-]+)\})?")
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
TEXT_IN_MATH = re.compile(r"\\(?:text|mathrm|textrm|operatorname)\{[^}]*\}")


def markdown_structure(source: str) -> dict:
    """Headings, directives, display equations and images of one markdown cell."""
    headings, directives = [], []
    in_code = False
    for line in source.splitlines():
        fence = FENCE.match(line.strip())
        if fence:
            if fence.group(3):
                directives.append(fence.group(3))
            elif line.strip().startswith("```"):
                in_code = not in_code if not fence.group(2) else in_code
            continue
        if not in_code and re.match(r"^#{1,6} ", line):
            headings.append(len(line.split(" ")[0]))
    equations = [" ".join(TEXT_IN_MATH.sub(r"\\text{}", m).split())
                 for m in DISPLAY_MATH.findall(source)]
    images = len(re.findall(r"!\[[^\]]*\]\(", source))
    return {"headings": headings, "directives": directives, "equations": equations,
            "images": images}


def prose(nb: nbformat.NotebookNode) -> str:
    """What a reader reads: markdown cells, and the strings and comments of code cells."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        elif cell.cell_type == "code":
            parts.extend(string_literals(cell.source))
    return "\n".join(parts)
