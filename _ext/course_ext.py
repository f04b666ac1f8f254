"""The course's own Sphinx extension: what a bilingual, offline book needs beyond Jupyter Book.

The course is two sites built from one configuration (``_ext/build_book.py``): ``chapters/ko``
with Sphinx's ``language = "ko"`` and ``chapters/en`` with ``"en"``. This extension gives each:

- its title and interface in its language: the course's message catalogs (``locale/``, gettext
  ``.po`` files compiled at build time) come before Sphinx's, the themes' and the extensions' own,
  which lack Korean (pydata-sphinx-theme) or have machine-translated strings (sphinx-book-theme,
  sphinx-exercise);
- a language switch on every page, to the same page of the other site (a relative link, so it also
  works in a downloaded copy), declared with ``<link rel="alternate" hreflang>``;
- a 404 page, and a Pagefind search index in its language whose excerpts show no TeX source and no
  code output;
- the course's own fonts (``_ext/course_fonts.py``), from ``node_modules``, cut down to the
  characters the site shows, as ``_fonts/``: no glyph is drawn by a font the reader's machine has;
- math without a CDN: MathJax 3 from the npm registry (``npm ci``), copied in as ``_mathjax/``;
- the repository link and the launch buttons only once ``repository.url`` is set in
  ``_config.yml``; until then no invented URL appears anywhere;
- the student edition (``COURSE_EDITION=student``): every exercise solution left out.
"""

from __future__ import annotations

import filecmp
import gettext
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

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("ko", "en")
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}
LOCALE_DIR = ROOT / "locale"

# Only what tex-chtml.js loads at run time; the rest of the npm package (SVG output, other
# combined builds) would only add weight to the site.
MATHJAX_PARTS = ("tex-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2",
                 "a11y", "ui", "sre", "adaptors")


def site_language(app: Sphinx) -> str:
    lang = app.config.language
    if lang not in LANGUAGES:
        raise ExtensionError(f"the course is built in {LANGUAGES}, not language={lang!r} "
                             "(build it with _ext/build_book.py)")
    return lang


def other_language(lang: str) -> str:
    return "en" if lang == "ko" else "ko"


def mirror_href(app: Sphinx, pagename: str) -> str | None:
    """The same page on the other language's site, relative to this page; None if it has none.

    Both sites are built from folders with the same file names (``chapters/ko``, ``chapters/en``)
    into sibling folders (``ko/``, ``en/``), so the mirror of ``ko/x.html`` is ``../en/x.html``.
    """
    other = other_language(site_language(app))
    source = Path(app.srcdir).parent / other
    if pagename in app.env.found_docs:
        suffix = Path(app.env.doc2path(pagename)).suffix
        if not (source / f"{pagename}{suffix}").is_file():
            return None
    depth = pagename.count("/") + 1
    return "../" * depth + f"{other}/{pagename}.html"


# --- message catalogs: the course's own first --------------------------------------------

# The catalogs that the theme and extensions register (``app.add_message_catalog``) and the
# course translates; Sphinx's own "sphinx" catalog (which pydata-sphinx-theme's templates also
# use) comes first through ``locale_dirs`` in _config.yml. "course" is the course's own words.
COURSE_CATALOGS = ("booktheme", "exercise")
COURSE = "course"


def compile_catalogs(language: str) -> None:
    """Compile the course's ``.po`` files that changed into ``.mo`` (Sphinx compiles those of
    the "sphinx" catalog itself, from ``locale_dirs``, when it starts)."""
    from sphinx.util.i18n import CatalogRepository
    for catalog in CatalogRepository(str(ROOT), ["locale"], language, "utf-8").catalogs:
        if catalog.is_outdated():
            catalog.write_mo(language)


def put_course_catalogs_first(app: Sphinx) -> None:
    """Make the course's translation of each catalog the one asked first; the package's own
    stays behind it for any message the course does not translate.

    Sphinx asks the first catalog registered under a name, then its fallbacks; the theme and the
    extensions register theirs before this extension's setup runs.
    """
    from sphinx import locale
    lang = app.config.language
    for catalog in COURSE_CATALOGS:
        if not (LOCALE_DIR / lang / "LC_MESSAGES" / f"{catalog}.mo").is_file():
            continue
        course = gettext.translation(catalog, localedir=str(LOCALE_DIR), languages=[lang])
        package = locale.translators.get(("general", catalog))
        if package is not None:
            course.add_fallback(package)
        locale.translators[("general", catalog)] = course


def course_text(message: str) -> str:
    """``message`` in the site's language, from the course's own catalog (``locale/*/course.po``)."""
    from sphinx.locale import get_translation
    return str(get_translation(COURSE)(message))


# Words that packages hard-code in their scripts, put in place by _static/course-language.js;
# and the search page's words (Pagefind's interface, by its translation keys).
SCRIPT_WORDS = ("Copy", "Copy to clipboard", "Copied!", "Failed to copy", "Toggle hidden content")
SEARCH_WORDS = {"placeholder": "Search (e.g. warmup, weight decay)", "clear_search": "Clear",
                "load_more": "Load more results", "search_label": "Search this book",
                "zero_results": "No results for [SEARCH_TERM]",
                "many_results": "[COUNT] results for [SEARCH_TERM]",
                "one_result": "1 result for [SEARCH_TERM]",
                "searching": "Searching for [SEARCH_TERM]..."}


def add_interface_words(app: Sphinx) -> None:
    """The scripts' words, in the site's language, as ``window.COURSE_WORDS``."""
    import json
    words = {"script": {w: course_text(w) for w in SCRIPT_WORDS},
             "search": {key: course_text(w) for key, w in SEARCH_WORDS.items()}}
    app.add_js_file(None, body=f"window.COURSE_WORDS = {json.dumps(words, ensure_ascii=False)};",
                    priority=100)


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
    source = ROOT / "node_modules" / "mathjax" / "es5"
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
    out = Path(app.outdir)
    characters = course_characters(ROOT, *sorted(out.glob("pagefind/pagefind-ui.js")))
    try:
        install_fonts(ROOT / "node_modules", out / FONTS_DIR, characters,
                      cache=ROOT / "_build" / ".font-cache")
    except FileNotFoundError as missing:
        raise ExtensionError(str(missing)) from None


def _copy_if_changed(src, dst) -> None:
    # a rebuild with nothing changed must stay fast: skip files that are already there
    if Path(dst).exists() and filecmp.cmp(src, dst, shallow=True):
        return
    shutil.copy2(src, dst)


FONTS_DIR = "_fonts"


# --- search that understands Korean ------------------------------------------------------

# The pages searched: the chapters, the glossary and the references (not the search page or 404).
SEARCHED_PAGES = "{index,glossary,references,[0-9][0-9]_*}.html"


def build_search_index(app: Sphinx, exception) -> None:
    """The site's Pagefind index (``pagefind/``), in the site's language.

    Sphinx's own search has no Korean; Pagefind matches word prefixes (학습 finds 학습률은),
    and the search page strips particles from the query (학습률을 → 학습률).
    """
    if exception is not None or app.builder.format != "html":
        return
    lang = site_language(app)
    command = [sys.executable, "-m", "pagefind", "--site", str(app.outdir),
               "--output-subdir", "pagefind", "--force-language", lang,
               "--glob", SEARCHED_PAGES, "--root-selector", "main",
               "--exclude-selectors", NOT_SEARCHED, "--silent"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0 or result.stderr.strip():
        raise ExtensionError(f"Pagefind failed for {lang}: {result.stderr or result.stdout}")


class IndexFormulasAsText(SphinxTransform):
    """Search excerpts show what a reader reads. The index leaves out the TeX source of formulas
    (MathJax types it in the browser; the page holds ``\\(\\lambda\\)``) and what code cells
    printed (``NOT_SEARCHED``); each formula is indexed instead as the plain text a reader would
    type (λ, η_t, ...), in a hidden twin that only the index reads.
    """
    default_priority = 900

    def apply(self, **kwargs) -> None:
        if self.app.builder.format != "html":
            return
        for node in list(self.document.findall(nodes.math)) + list(self.document.findall(nodes.math_block)):
            if any(isinstance(a, (nodes.title, nodes.raw)) for a in _ancestors(node)):
                continue  # a title's formula is copied into the navigation; keep it as it is
            tag = "div" if isinstance(node, nodes.math_block) else "span"
            twin = nodes.raw("", f'<{tag} class="course-index-only" hidden>'
                                 f'{_escape(plain_formula(node.astext()))}</{tag}>', format="html")
            node.parent.insert(node.parent.index(node) + 1, twin)


def _ancestors(node):
    while node.parent is not None:
        node = node.parent
        yield node


# what Pagefind leaves out of the index: formulas' TeX and the code cells' outputs
NOT_SEARCHED = "span.math, div.math, .cell_output, .course-no-search"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_formula(tex: str) -> str:
    """A formula as a reader would say it in plain text: ``\\eta_t \\lambda`` → ``η_t λ``."""
    from pylatexenc.latex2text import LatexNodes2Text
    return " ".join(LatexNodes2Text(math_mode="text").latex_to_text(tex).split())


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


class AnswerCellsInStudentEditionOnly(SphinxTransform):
    """An exercise's answer cell (tag ``exercise-answer``: ``answer = ...`` and
    ``exercises.check``) is for the student edition; the instructor edition shows the solution."""
    default_priority = 11

    def apply(self, **kwargs) -> None:
        if self.config.course_edition == "student":
            return
        for node in list(self.document.findall(nodes.container)):
            if "tag_exercise-answer" in node.get("classes", []):
                node.parent.remove(node)


def enable_repository_features(app: Sphinx, config) -> None:
    options = config.html_theme_options
    if options.get("repository_url"):
        options["use_repository_button"] = True
        # each site is built from chapters/<lang>: the launch buttons open the notebook there
        # (and its first cell installs regkit from the same branch: _ext/install_cell.py)
        options["path_to_docs"] = f"chapters/{config.language}"
    else:
        # launch buttons need the repository; without it they would point nowhere
        options.pop("launch_buttons", None)


# --- each site's title, and the language switch ------------------------------------------

# Each language's name, in English: the catalog gives it in the site's language ("영어").
LANGUAGE_IN_ENGLISH = {"ko": "Korean", "en": "English"}


def set_site_language(app: Sphinx, config) -> None:
    """The site's title and author in its language (``course_titles``, ``course_authors``)."""
    lang = config.language
    if lang in config.course_titles:
        config.html_title = config.project = config.course_titles[lang]
    if lang in config.course_authors:
        config.author = config.course_authors[lang]
    # the switch goes first among the buttons of every page's header (search page included)
    options = config.html_theme_options
    buttons = options.get("article_header_end") or ["article-header-buttons.html"]
    if isinstance(buttons, str):
        buttons = [buttons]
    options["article_header_end"] = ["language-switch.html"] + [
        b for b in buttons if b != "language-switch.html"]
    options["search_bar_text"] = course_text("Search this book...")
    # sphinx-togglebutton's and myst-nb's button words are settings, not catalog messages
    for name, value in config.course_interface_words.get(lang, {}).items():
        setattr(config, name, value)


def set_page_context(app: Sphinx, pagename: str, templatename: str, context: dict,
                     doctree) -> None:
    lang = site_language(app)
    other = other_language(lang)
    # follow the reader's light/dark setting (left empty, the theme logs a console error)
    context["default_mode"] = "auto"
    href = mirror_href(app, pagename)
    label = course_text("Read this page in %(language)s") % {
        "language": course_text(LANGUAGE_IN_ENGLISH[other])}
    context["course_switch"] = href and {
        "href": href, "lang": other, "name": LANGUAGE_NAMES[other], "label": label}
    if href:
        context["metatags"] = context.get("metatags", "") + (
            f'\n<link rel="alternate" hreflang="{other}" href="{href}" />')
    # the explorers (regkit/explorers.js) show their static figure in the student edition
    context["metatags"] = context.get("metatags", "") + (
        f'\n<meta name="course-edition" content="{app.config.course_edition}" />')
    if "body" in context:
        body = MARKED_LANGUAGE.sub(r'\g<0> lang="\2"', context["body"])
        # docutils marks a bibliography role="list" whose entries are not list items, which
        # assistive technology reports as a broken list
        body = body.replace('<div role="list" class="citation-list">', '<div class="citation-list">')
        context["body"] = number_exercises_per_page(body)


# A glossary cell in the other language is marked with a class ``lang-ko`` / ``lang-en``; it
# gets a real ``lang`` attribute so that screen readers switch voice.
MARKED_LANGUAGE = re.compile(r'class="([^"]*\b)?lang-(ko|en)\b[^"]*"')

# sphinx-exercise numbers exercises across the whole site; a reader expects each chapter to
# start at 1. Numbers are shown in captions and in references to an exercise ("Exercise 7"),
# always as the whole text of an element. The word is the catalog's ("Exercise" → 연습문제).
EXERCISE_NUMBER = re.compile(r">(\s*)(Exercise|연습문제) (\d+)(\s*)<")


def number_exercises_per_page(body: str) -> str:
    numbers: dict[str, int] = {}

    def renumber(match):
        new = numbers.setdefault(match.group(3), len(numbers) + 1)
        return f">{match.group(1)}{match.group(2)} {new}{match.group(4)}<"
    return EXERCISE_NUMBER.sub(renumber, body)


# --- the 404 page ------------------------------------------------------------------------

def add_not_found_page(app: Sphinx):
    """``404.html`` in the site's language, with the site's navigation."""
    title = course_text("Page not found")
    text = course_text("The address may have changed, or the page does not exist. Try the "
                       "<a href=\"%(home)s\">first page</a> or <a href=\"%(search)s\">search</a>.")
    body = f"<h1>{title}</h1>\n<p>{text % {'home': 'index.html', 'search': 'search.html'}}</p>"
    yield "404", {"title": title, "body": body}, "page.html"


# --- the glossary page, rendered from glossary.yml --------------------------------------

class CourseGlossary(SphinxDirective):
    """``{course-glossary}``: the glossary table, one row per concept, from ``glossary.yml``:
    the site's language first (term, the other language's term, definition)."""

    headers = ("Korean", "English", "Definition")  # in the site's language, from the catalog
    fields = {"ko": ("ko", "en", "ko_def"), "en": ("ko", "en", "en_def")}
    languages = {"ko": ("ko", "en", "ko"), "en": ("ko", "en", "en")}

    def run(self) -> list[nodes.Node]:
        lang = self.config.language
        path = ROOT / "glossary.yml"
        self.env.note_dependency(str(path))
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        table = nodes.table(classes=["course-glossary"])
        group = nodes.tgroup(cols=3)
        table += group
        for width in (18, 18, 64):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        head += self._row([course_text(h) for h in self.headers], (lang,) * 3, lang)
        body = nodes.tbody()
        for entry in entries:
            body += self._row([entry[f] for f in self.fields[lang]], self.languages[lang], lang,
                              ids=[nodes.make_id("term-" + entry["en"])])
        group += head
        group += body
        return [table]

    @staticmethod
    def _row(texts, languages, page_lang, ids=()) -> nodes.row:
        row = nodes.row(ids=list(ids))
        for text, lang in zip(texts, languages):
            entry = nodes.entry()
            paragraph = nodes.paragraph()
            if lang == page_lang:
                paragraph += nodes.Text(text)
            else:  # marked, so screen readers pronounce it in its language
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


def resolve_course_paths(app: Sphinx, config) -> None:
    """The execution cache is the one ``_ext/build_book.py`` fills, wherever Sphinx runs from."""
    cache = config.nb_execution_cache_path
    if cache and not Path(cache).is_absolute():
        config.nb_execution_cache_path = str(ROOT / cache)


def separate_notebook_outputs(app: Sphinx) -> None:
    """myst-nb writes the notebooks' images into ``jupyter_execute/`` beside the site's folder,
    which the two sites share (``_build/html``): the Korean and English chapters have the same
    names, so each site (and edition) gets a folder of its own, outside the published site."""
    if getattr(app.env, "mystnb_config", None) is None:
        return
    folder = ROOT / "_build" / ".jupyter_execute" / f"{app.config.course_edition}-{site_language(app)}"
    app.env.mystnb_config = app.env.mystnb_config.copy(output_folder=str(folder))


def setup(app: Sphinx) -> dict:
    mark_cell_starts()
    compile_catalogs(app.config.language)
    app.add_message_catalog(COURSE, str(LOCALE_DIR))
    app.add_config_value("course_titles", {}, "html")
    app.add_config_value("course_authors", {}, "html")
    app.add_config_value("course_interface_words", {}, "html")
    app.add_config_value("course_edition", "instructor", "env")
    app.add_directive("course-glossary", CourseGlossary)
    app.connect("config-inited", set_site_language)
    app.connect("config-inited", enable_repository_features)
    app.connect("config-inited", choose_edition)
    app.connect("config-inited", resolve_course_paths)
    app.connect("builder-inited", put_course_catalogs_first)
    app.connect("builder-inited", add_interface_words)
    app.connect("builder-inited", separate_notebook_outputs, priority=900)  # after myst-nb's
    app.add_transform(RemoveSolutions)
    app.add_transform(AnswerCellsInStudentEditionOnly)
    app.add_transform(IndexFormulasAsText)
    app.connect("builder-inited", copy_mathjax)
    # Sphinx resolves a stylesheet's path under _static/; the fonts sit beside it, like MathJax
    app.add_css_file(f"../{FONTS_DIR}/fonts.css", priority=100)
    app.connect("html-collect-pages", add_not_found_page)
    app.connect("html-page-context", set_page_context)
    app.connect("html-page-context", remove_thebe_assets, priority=900)
    app.connect("doctree-resolved", remove_thebe_config, priority=900)
    app.connect("build-finished", refresh_own_static_files)
    app.connect("build-finished", build_search_index)
    app.connect("build-finished", install_course_fonts, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
