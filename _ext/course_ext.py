"""The course's own Sphinx extension: what a bilingual, offline book needs beyond Jupyter Book.

- The course's own fonts (``_ext/course_fonts.py``), from ``node_modules``, cut down to the
  characters the book shows, into the built site as ``_fonts/``: no glyph is drawn by a font
  the reader's machine happens to have.
- Math without a CDN: MathJax 3 comes from the npm registry (``npm ci`` puts it in
  ``node_modules/``) and is copied into the built site as ``_mathjax/``.
- Each page declares its language: ``chapters/ko/*`` is ``lang="ko"``, ``chapters/en/*`` is
  ``lang="en"``; the bilingual pages (landing, glossary, references) are ``lang="ko"`` with
  their English halves marked ``lang="en"`` in the source.
- Every chapter page links to its mirror in the other language (and declares it with
  ``<link rel="alternate" hreflang>``).
- The repository link and the launch buttons turn on only once ``repository.url`` is set in
  ``_config.yml``; until then no invented URL appears anywhere.
- Korean chapter pages label their exercises in Korean (sphinx-exercise follows the single
  book-wide ``language``, which is English).
- Notebooks that the execution cache lacks are executed before the build reads them, as many at
  a time as there are cores (myst-nb runs them one after another).
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective
import yaml

LANGUAGES = ("ko", "en")
SWITCH_TEXT = {"ko": "Read this chapter in English", "en": "이 장을 한국어로 읽기"}

# Only what tex-chtml.js loads at run time; the rest of the npm package (SVG output, other
# combined builds) would only add weight to the site.
MATHJAX_PARTS = ("tex-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2",
                 "a11y", "ui", "sre", "adaptors")


def chapter_language(docname: str) -> str | None:
    """'ko' or 'en' for a chapter page (``chapters/<lang>/...``), None for shared pages."""
    parts = docname.split("/")
    if len(parts) == 3 and parts[0] == "chapters" and parts[1] in LANGUAGES:
        return parts[1]
    return None


def mirror_of(docname: str) -> str | None:
    lang = chapter_language(docname)
    if lang is None:
        return None
    other = "en" if lang == "ko" else "ko"
    return f"chapters/{other}/{docname.split('/')[-1]}"


# --- notebooks executed in parallel, into myst-nb's execution cache ------------------------

def _execute_notebook(path: str, timeout: int, threads: int) -> tuple[str | None, float, str | None]:
    """Run one notebook top to bottom in its own folder (in a worker process)."""
    # Kernels running side by side share the cores: one that starts a thread per core makes
    # them all wait on each other (torch's tiny models here run 10-40x slower).
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution
    notebook = nbformat.read(path, as_version=4)
    result = single_nb_execution(notebook, cwd=str(Path(path).parent), timeout=timeout,
                                 allow_errors=False, meta_override=True)
    if result.err is not None:
        return None, result.time, result.exc_string
    return nbformat.writes(notebook), result.time, None


def execute_in_parallel(app: Sphinx) -> None:
    """Fill the execution cache with every notebook it lacks, several at a time.

    myst-nb's cache mode executes a notebook when the build reads it, one after another; on two
    cores that is half of a clean build. What runs here is exactly what myst-nb would run (the
    notebook in its own folder); myst-nb then finds the outputs in the cache. A notebook that
    fails here is left to myst-nb, which runs it again and reports the error as usual.
    """
    config = app.config
    if config.nb_execution_mode != "cache" or (os.cpu_count() or 1) < 2:
        return
    import nbformat
    from concurrent.futures import ProcessPoolExecutor
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from sphinx.util import logging
    from sphinx.util.matching import Matcher

    cache = get_cache(config.nb_execution_cache_path or ".jupyter_cache")
    skip_execution = Matcher(list(config.nb_execution_excludepatterns))
    missing = []
    # the book's documents, found as Sphinx will find them
    docnames = app.project.discover(config.exclude_patterns, config.include_patterns)
    for docname in sorted(docnames):
        path = Path(app.project.doc2path(docname, absolute=True))
        relative = path.relative_to(app.srcdir).as_posix()
        if path.suffix != ".ipynb" or skip_execution(relative):
            continue
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            missing.append(path)
    if len(missing) < 2:
        return
    cores = os.cpu_count() or 1
    workers = min(len(missing), cores)
    logger = logging.getLogger(__name__)
    logger.info(f"executing {len(missing)} notebooks, {workers} at a time")
    with ProcessPoolExecutor(max_workers=workers) as pool:
        runs = [(path, pool.submit(_execute_notebook, str(path), config.nb_execution_timeout,
                                   max(1, cores // workers)))
                for path in missing]
        for path, run in runs:
            text, seconds, error = run.result()
            if error is None:
                cache.cache_notebook_bundle(
                    CacheBundleIn(nbformat.reads(text, as_version=4), str(path),
                                  data={"execution_seconds": seconds}),
                    check_validity=False, overwrite=True)


# --- where each notebook cell starts, for the decks ---------------------------------------

# The decks (slides/build.py) show each markdown cell as the book rendered it. myst-nb does not
# wrap a markdown cell in an element (its headings open sections that outlive the cell), so
# each cell's start is marked with an invisible comment, as myst-nb's own source suggests.
CELL_MARKER = "course-cell {index}"


def _marking_cell_starts(render):
    def render_marked(self, token) -> None:
        marker = CELL_MARKER.format(index=token.meta["index"])
        self.current_node.append(nodes.raw("", f"<!-- {marker} -->", format="html"))
        render(self, token)
    return render_marked


def mark_cell_starts() -> None:
    from myst_nb.core.render import MditRenderMixin
    for name in ("render_nb_cell_markdown", "render_nb_cell_code"):
        render = getattr(MditRenderMixin, name)
        if not getattr(render, "course_marked", False):
            marked = _marking_cell_starts(render)
            marked.course_marked = True
            setattr(MditRenderMixin, name, marked)


# --- math without a CDN -------------------------------------------------------------------

def copy_mathjax(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    source = Path(app.srcdir) / "node_modules" / "mathjax" / "es5"
    if not (source / "tex-chtml.js").is_file():
        raise ExtensionError(
            "MathJax is missing: run `npm ci` in the book's folder first (the README's build "
            "command does). The site renders math offline from this copy, never from a CDN.")
    target = Path(app.outdir) / "_mathjax"
    for part in MATHJAX_PARTS:
        src, dst = source / part, target / part
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True,
                            copy_function=_copy_if_changed)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            _copy_if_changed(src, dst)


def install_course_fonts(app: Sphinx, exception) -> None:
    """The fonts, cut down to what the course can show (its sources, and the search interface
    Pagefind has just written), into the site."""
    if exception is not None or app.builder.format != "html":
        return
    from course_fonts import course_characters, install_fonts
    root, out = Path(app.srcdir), Path(app.outdir)
    characters = course_characters(root, *sorted(out.glob("pagefind-*/pagefind-ui.js")))
    try:
        install_fonts(root / "node_modules", out / FONTS_DIR, characters,
                      cache=root / "_build" / ".font-cache")
    except FileNotFoundError as missing:
        raise ExtensionError(str(missing)) from None


def _copy_if_changed(src, dst) -> None:
    # a rebuild with nothing changed must stay fast: skip files that are already there
    if Path(dst).exists() and filecmp.cmp(src, dst, shallow=True):
        return
    shutil.copy2(src, dst)


FONTS_DIR = "_fonts"


# --- search that understands Korean ------------------------------------------------------

# Pages searched in each language: the chapters of that language and the shared pages.
SEARCH_GLOBS = {"ko": "{index,glossary,references}.html,chapters/ko/*.html",
                "en": "{index,glossary,references}.html,chapters/en/*.html"}


def build_search_index(app: Sphinx, exception) -> None:
    """One Pagefind bundle per language (``pagefind-ko/``, ``pagefind-en/``) in the site.

    Sphinx's own search has no Korean; Pagefind matches word prefixes (학습 finds 학습률은),
    and the search page strips particles from the query (학습률을 → 학습률).
    """
    if exception is not None or app.builder.format != "html":
        return
    for lang, pages in SEARCH_GLOBS.items():
        command = [sys.executable, "-m", "pagefind", "--site", str(app.outdir),
                   "--output-subdir", f"pagefind-{lang}", "--force-language", lang,
                   "--glob", "{" + pages + "}", "--root-selector", "main", "--silent"]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0 or result.stderr.strip():
            raise ExtensionError(f"Pagefind failed for {lang}: {result.stderr or result.stdout}")


# --- no live-code (thebe) ---------------------------------------------------------------

# Jupyter Book always loads sphinx-thebe, whose live code needs Binder and a script from a
# CDN (unpkg). This course runs its notebooks locally instead, so the site carries none of it
# (its config script was also included twice per page, a console error).
def _is_thebe_asset(asset) -> bool:
    name = str(getattr(asset, "filename", "") or "")
    body = str(getattr(asset, "attributes", {}).get("body", "") or "")
    return "thebe" in name or "THEBE_JS_URL" in body


def remove_thebe_assets(app: Sphinx, pagename: str, templatename: str, context: dict,
                        doctree) -> None:
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_thebe_asset(asset)]


def remove_thebe_config(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(nodes.raw)):
        if "x-thebe-config" in node.astext() or "kernelName = " in node.astext():
            node.parent.remove(node)


# --- repository link and launch buttons ---------------------------------------------------

def choose_edition(app: Sphinx, config) -> None:
    """COURSE_EDITION=student builds the student edition: exercise solutions left out."""
    edition = os.environ.get("COURSE_EDITION", "instructor")
    if edition not in ("instructor", "student"):
        raise ExtensionError(f"COURSE_EDITION must be 'instructor' or 'student', got {edition!r}")
    config.course_edition = edition


class RemoveSolutions(SphinxTransform):
    """The student edition leaves every solution out, gated ones (with code cells) included.

    sphinx-exercise's own ``hide_solutions`` drops the ``solution-start`` directive but leaves
    its ``solution-end``, which breaks the build; this runs after the gated parts are merged.
    """
    default_priority = 11  # after sphinx-exercise's MergeGatedSolutions (10)

    def apply(self, **kwargs) -> None:
        if self.config.course_edition != "student":
            return
        from sphinx_exercise.nodes import solution_node
        for node in list(self.document.findall(solution_node)):
            node.parent.remove(node)


def enable_repository_features(app: Sphinx, config) -> None:
    options = config.html_theme_options
    if options.get("repository_url"):
        options["use_repository_button"] = True
    else:
        # launch buttons need the repository; without it they would point nowhere
        options.pop("launch_buttons", None)


# --- per-page language and the language switch --------------------------------------------

def add_language_switch(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    mirror = mirror_of(docname)
    if mirror is None or app.builder.format != "html":
        return
    if mirror not in app.env.found_docs:
        return  # the parity test reports a missing mirror; the build need not
    other = chapter_language(mirror)
    href = app.builder.get_relative_uri(docname, mirror)
    html = (f'<p class="lang-switch"><a href="{href}" hreflang="{other}" lang="{other}">'
            f'{SWITCH_TEXT[chapter_language(docname)]}</a></p>')
    switch = nodes.raw("", html, format="html")
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        doctree.insert(0, switch)
    else:
        title_index = section.first_child_matching_class(nodes.title)
        section.insert(0 if title_index is None else title_index + 1, switch)


# Bilingual pages mark each half with a class `lang-ko` / `lang-en`; the page gets a real
# `lang` attribute on those elements so that screen readers switch voice.
MARKED_LANGUAGE = re.compile(r'class="([^"]*\b)?lang-(ko|en)\b[^"]*"')

KOREAN_EXERCISE_LABELS = [
    (re.compile(r'(<span class="caption-number">|<p class="admonition-title">)Solution to'),
     r"\1풀이:"),
    (re.compile(r'>(\s*)Exercise (\d+)'), r">\1연습문제 \2"),
]

# sphinx-exercise numbers exercises across the whole book (the Korean part, then the English
# one); a reader expects each chapter to start at 1. Numbers are shown in captions and in
# references to an exercise ("Exercise 7"), always as the whole text of an element.
EXERCISE_NUMBER = re.compile(r">(\s*)(Exercise|연습문제) (\d+)(\s*)<")


def number_exercises_per_page(body: str) -> str:
    numbers: dict[str, int] = {}

    def renumber(match):
        new = numbers.setdefault(match.group(3), len(numbers) + 1)
        return f">{match.group(1)}{match.group(2)} {new}{match.group(4)}<"
    return EXERCISE_NUMBER.sub(renumber, body)


def set_page_language(app: Sphinx, pagename: str, templatename: str, context: dict,
                      doctree) -> None:
    lang = chapter_language(pagename) or "ko"
    context["language"] = lang
    # follow the reader's light/dark setting (left empty, the theme logs a console error)
    context["default_mode"] = "auto"
    mirror = mirror_of(pagename)
    if mirror is not None and mirror in app.env.found_docs:
        href = app.builder.get_relative_uri(pagename, mirror)
        other = chapter_language(mirror)
        context["metatags"] = context.get("metatags", "") + (
            f'\n<link rel="alternate" hreflang="{other}" href="{href}" />')
    if "body" in context:
        body = MARKED_LANGUAGE.sub(r'\g<0> lang="\2"', context["body"])
        # docutils marks a bibliography role="list" whose entries are not list items, which
        # assistive technology reports as a broken list
        body = body.replace('<div role="list" class="citation-list">', '<div class="citation-list">')
        if lang == "ko":
            for pattern, replacement in KOREAN_EXERCISE_LABELS:
                body = pattern.sub(replacement, body)
        context["body"] = number_exercises_per_page(body)


# --- the glossary page, rendered from glossary.yml --------------------------------------

class CourseGlossary(SphinxDirective):
    """``{course-glossary}``: the glossary table, one row per concept, from ``glossary.yml``."""

    headers = ("한국어", "English", "정의", "Definition")
    fields = ("ko", "en", "ko_def", "en_def")
    languages = ("ko", "en", "ko", "en")

    def run(self) -> list[nodes.Node]:
        path = Path(self.env.srcdir) / "glossary.yml"
        self.env.note_dependency(str(path))
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        table = nodes.table(classes=["course-glossary"])
        group = nodes.tgroup(cols=len(self.headers))
        table += group
        for width in (14, 14, 36, 36):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        head += self._row(self.headers, self.languages)
        body = nodes.tbody()
        for entry in entries:
            body += self._row([entry[f] for f in self.fields], self.languages,
                              ids=[nodes.make_id("term-" + entry["en"])])
        group += head
        group += body
        return [table]

    @staticmethod
    def _row(texts, languages, ids=()) -> nodes.row:
        row = nodes.row(ids=list(ids))
        for text, lang in zip(texts, languages):
            entry = nodes.entry()
            paragraph = nodes.paragraph()
            # an inline node with the language so screen readers pronounce each cell right
            paragraph += nodes.inline(text, text, classes=[f"lang-{lang}"])
            entry += paragraph
            row += entry
        return row


def refresh_own_static_files(app: Sphinx, exception) -> None:
    """Sphinx copies the static files only when it rewrites some page, so a change to the course's
    own CSS or JavaScript alone would never reach the site: copy them (those that changed)."""
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util.fileutil import copy_asset
    for entry in app.config.html_static_path:
        source = Path(app.confdir) / entry
        if source.is_dir():
            copy_asset(str(source), str(Path(app.outdir) / "_static"))


def setup(app: Sphinx) -> dict:
    mark_cell_starts()
    app.add_directive("course-glossary", CourseGlossary)
    app.connect("config-inited", enable_repository_features)
    app.add_config_value("course_edition", "instructor", "env")
    app.connect("config-inited", choose_edition)
    app.add_transform(RemoveSolutions)
    app.connect("builder-inited", copy_mathjax)
    # Sphinx resolves a stylesheet's path under _static/; the fonts sit beside it, like MathJax
    app.add_css_file(f"../{FONTS_DIR}/fonts.css", priority=100)
    app.connect("builder-inited", execute_in_parallel)
    app.connect("doctree-resolved", add_language_switch)
    app.connect("html-page-context", set_page_language)
    app.connect("html-page-context", remove_thebe_assets, priority=900)
    app.connect("doctree-resolved", remove_thebe_config, priority=900)
    app.connect("build-finished", refresh_own_static_files)
    app.connect("build-finished", build_search_index)
    app.connect("build-finished", install_course_fonts, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
