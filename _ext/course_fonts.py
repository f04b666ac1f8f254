"""The course's own fonts, for the site, the decks and the PDF handouts.

Text is drawn by the course's fonts, never by whatever a machine has installed, so every reader
(and every test machine) sees the same glyphs and the same layout:

- **Pretendard** (text and headings): Hangul and Latin designed together, the face Korean web
  readers know. Its variable font covers every weight in one file per glyph chunk.
- **Nanum Gothic Coding** (code): monospace, with Hangul for the Korean comments and strings of
  the code cells; the same Nanum family as the figures' NanumGothic (koreanize-matplotlib).
- **DejaVu Sans** and **DejaVu Mono** behind them, for the few characters the two lack (∇, −,
  ⌊ ⌋, sub- and superscripts such as ₀ ᵀ ⁱ, a few accented letters); matplotlib draws the
  figures' symbols with DejaVu too.

All come from the npm registry (``package.json``), already split into chunks by
``unicode-range`` (dynamic subsets). Each chunk is cut down here, with fontTools, to the
characters the course can show (its sources: ``SOURCES``): a page downloads only the chunks of
its own characters, and each chunk holds only glyphs the course uses; chunks without any are
left out. The result is cached: a rebuild with the same characters and fonts cuts nothing.
(tests/test_fonts.py fails if a character of a page or deck is missing from them.)
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

# (stylesheet in node_modules, as shipped by the font's package)
STYLESHEETS = (
    "pretendard/dist/web/variable/pretendardvariable-dynamic-subset.css",
    "@fontsource/nanum-gothic-coding/400.css",
    "@fontsource/nanum-gothic-coding/700.css",
    "@fontsource/dejavu-sans/400.css",
    "@fontsource/dejavu-mono/400.css",
)
LICENSES = {"pretendard/dist/LICENSE.txt": "LICENSE-Pretendard.txt",
            "@fontsource/nanum-gothic-coding/LICENSE": "LICENSE-NanumGothicCoding.txt",
            "@fontsource/dejavu-sans/LICENSE": "LICENSE-DejaVu.txt"}
STYLESHEET_NAME = "fonts.css"
# Every font stack of the course puts DejaVu behind Pretendard (text) or Nanum Gothic Coding
# (code), so DejaVu only ever draws what those lack: its chunks keep just those characters (a page
# that shows a − or a ∇ downloads less of DejaVu), and the combining marks with the letters and
# digits they may sit on: a browser draws a letter and its mark (the L̃ of L̃ = L + λ‖w‖²/2) with
# one font, and takes DejaVu when the font before it cannot.
FALLBACK_FOR = {
    "@fontsource/dejavu-sans/400.css": ("pretendard/dist/web/variable/pretendardvariable-dynamic-subset.css",),
    "@fontsource/dejavu-mono/400.css": ("@fontsource/nanum-gothic-coding/400.css",
                                        "@fontsource/nanum-gothic-coding/700.css"),
}
# Always kept, whatever the sources say: what a reader may type into the search box, and the
# punctuation, Greek and symbols that the theme or a library's output may print.
ALWAYS = {chr(c) for block in [(0x20, 0x7F), (0xA0, 0x180), (0x370, 0x400), (0x2010, 0x2060),
                               (0x2070, 0x20A0), (0x2190, 0x2300)]
          for c in range(*block)}
# What the course shows comes from these: its prose, code and the strings its outputs print,
# speaker notes, the labels its extension writes (and the PDF's cover), regkit's messages (the
# exercises' hints, the explorers' words), its interface's words (the message catalogs, its
# templates and scripts) and Sphinx's own Korean catalog, for the interface words the course
# leaves to it. Both sites show the same set, so their fonts are cut once.
SOURCES = ("chapters/*/*.ipynb", "chapters/*/*.md", "*.yml", "references.bib", "_ext/*.py",
           "regkit/**/*.py", "regkit/*.js", "locale/*/LC_MESSAGES/*.po", "_templates/**/*.html",
           "_static/*.js", "slides/*.js")

FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
SOURCE = re.compile(r"src:[^;]*;")
RANGE = re.compile(r"\s*unicode-range:[^;]*;")
WOFF2 = re.compile(r"url\(([^)]+\.woff2)\)")


def course_characters(root: Path, *more: Path) -> set[str]:
    """Every character the course can show: ALWAYS, its sources (SOURCES), and ``more`` files
    (the search interface that Pagefind writes into the site)."""
    import sphinx
    characters = set(ALWAYS)
    sphinx_catalog = Path(sphinx.__file__).parent / "locale" / "ko" / "LC_MESSAGES" / "sphinx.po"
    for path in ([p for pattern in SOURCES for p in sorted(root.glob(pattern))]
                 + [sphinx_catalog] + list(more)):
        characters.update(path.read_text(encoding="utf-8"))
    return characters


def _unicode_range(codes: list[int]) -> str:
    spans, start = [], None
    for code, following in zip(codes, codes[1:] + [None]):
        start = code if start is None else start
        if following != code + 1:
            spans.append(f"U+{start:x}" if start == code else f"U+{start:x}-{code:x}")
            start = None
    return ", ".join(spans)


def _subset_face(face: str, stylesheet: Path, target: Path, characters: set[str]) -> str | None:
    """The @font-face rule for this chunk cut down to ``characters``, its font written into
    ``target``; None when the chunk has none of them."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    source = (stylesheet.parent / WOFF2.search(face).group(1).strip("'\"")).resolve()
    font = TTFont(source)
    codes = sorted(set(font.getBestCmap()) & {ord(c) for c in characters})
    if not codes:
        return None
    # hinting instructions are most of a TrueType font's bytes and browsers barely use them
    options = subset.Options(flavor="woff2", hinting=False, notdef_outline=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codes)
    subsetter.subset(font)
    font.flavor = "woff2"
    font.save(target / source.name)
    fmt = "woff2-variations" if "fvar" in font else "woff2"
    rule = SOURCE.sub(f"src: url({source.name}) format('{fmt}');", face)
    rule = RANGE.sub("", rule).rstrip("}").rstrip()
    return f"{rule}\n  unicode-range: {_unicode_range(codes)};\n}}"


def _covered(stylesheet: Path) -> set[str]:
    """The characters that the fonts of a stylesheet (all its chunks) have."""
    from fontTools.ttLib import TTFont
    codes = set()
    for face in FONT_FACE.findall(stylesheet.read_text(encoding="utf-8")):
        font = TTFont((stylesheet.parent / WOFF2.search(face).group(1).strip("'\"")).resolve())
        codes.update(font.getBestCmap())
    return {chr(code) for code in codes}


def _fingerprint(node_modules: Path, characters: set[str]) -> str:
    digest = hashlib.sha256("".join(sorted(characters)).encode("utf-8"))
    for name in STYLESHEETS:
        digest.update((node_modules / name).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def install_fonts(node_modules: Path, target: Path, characters: set[str], cache: Path) -> Path:
    """The course's fonts, cut down to ``characters``, in ``target``; return its stylesheet.

    The cut fonts are kept in ``cache`` under a fingerprint of the characters and the fonts, so
    that a rebuild, or the other edition of the book, does not cut them again.
    """
    for name in STYLESHEETS:
        if not (node_modules / name).is_file():
            raise FileNotFoundError(f"{node_modules / name} is missing: run `npm ci` first "
                                    "(the README's build command does)")
    made = cache / _fingerprint(node_modules, characters)
    cache.mkdir(parents=True, exist_ok=True)
    # the two sites are built at once and show the same characters: one cuts, the other waits
    from filelock import FileLock
    with FileLock(str(cache / ".lock")):
        if not (made / STYLESHEET_NAME).is_file():
            _cut_fonts(node_modules, made, characters)
    if target.exists() and {p.name for p in target.iterdir()} != {p.name for p in made.iterdir()}:
        shutil.rmtree(target)
    shutil.copytree(made, target, dirs_exist_ok=True, copy_function=_copy_if_changed)
    return target / STYLESHEET_NAME


def _copy_if_changed(source, destination) -> None:
    # a rebuild with nothing changed copies nothing (same name, same size: the same cut)
    if not (Path(destination).is_file()
            and Path(destination).stat().st_size == Path(source).stat().st_size):
        shutil.copy2(source, destination)


def _cut_fonts(node_modules: Path, made: Path, characters: set[str]) -> None:
    partial = made.with_name(made.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    import unicodedata
    drawn = {name: characters for name in STYLESHEETS}
    bases_and_marks = {c for c in characters if (c.isascii() and c.isalnum()) or unicodedata.combining(c)}
    for fallback, fronts in FALLBACK_FOR.items():
        lacking = characters.difference(*(_covered(node_modules / front) for front in fronts))
        drawn[fallback] = lacking | bases_and_marks
    jobs = [(face, node_modules / name, partial, drawn[name]) for name in STYLESHEETS
            for face in FONT_FACE.findall((node_modules / name).read_text(encoding="utf-8"))]
    # a few hundred chunks: one process per core (a clean build of the book waits for them)
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        rules = list(pool.map(_subset_face, *zip(*jobs), chunksize=8))
    for name, copy in LICENSES.items():  # the OFL travels with the fonts
        shutil.copy2(node_modules / name, partial / copy)
    header = ("/* The course's fonts (_ext/course_fonts.py), cut down to the characters the "
              "course shows: Pretendard (SIL OFL 1.1), Nanum Gothic Coding (SIL OFL 1.1), "
              "DejaVu (Bitstream Vera licence). */\n")
    faces = [rule for rule in rules if rule is not None]
    (partial / STYLESHEET_NAME).write_text(header + "\n".join(faces) + "\n", encoding="utf-8")
    shutil.rmtree(made, ignore_errors=True)
    partial.rename(made)
