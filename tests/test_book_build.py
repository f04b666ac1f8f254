"""The sites: strict build, offline assets, one site per language, mirrors, glossary and
references."""

import re
import shutil
from html import unescape

import pytest
import yaml

from conftest import build_book
from course import BUILD_HTML, LANGUAGES, ROOT, glossary, notebooks, page_weight

SHARED_PAGES = ("index", "glossary", "references", "search", "404")

EXTERNAL_ASSET = re.compile(
    r'<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc="(?:https?:)?//'
    r'|<link\b[^>]*\bhref="(?:https?:)?//', re.I)


def html(relative):
    return (BUILD_HTML / relative).read_text(encoding="utf-8")


def chapter_pages():
    return [(lang, path.stem) for lang in LANGUAGES for path in notebooks(lang)]


def test_book_builds_with_no_warnings(built_book):
    code, log = built_book
    # Sphinx's own warnings and errors ("WARNING: ..."); the kernels' log lines
    # ("[IPKernelApp] WARNING | ...") are not the book's
    problems = [line for line in log.splitlines()
                if re.search(r"\b(WARNING|ERROR|CRITICAL):", line)]
    assert code == 0 and not problems, "\n".join(problems) or log[-3000:]


def test_each_language_is_a_site_of_its_own(built_book):
    for lang in LANGUAGES:
        site = BUILD_HTML / lang
        expected = {p.stem for p in notebooks(lang)} | set(SHARED_PAGES)
        assert expected <= {p.stem for p in site.glob("*.html")}, lang
        assert (site / "pagefind" / "pagefind-ui.js").is_file(), lang
        assert (site / "_fonts" / "fonts.css").is_file() and (site / "_mathjax").is_dir(), lang
        assert not (site / "chapters").exists(), lang
    assert (BUILD_HTML / "index.html").is_file()
    assert not (BUILD_HTML / "jupyter_execute").exists()  # myst-nb's scratch, not the site


def test_no_page_loads_anything_from_outside_the_site(built_book):
    pages = sorted(BUILD_HTML.rglob("*.html"))
    built = {(page.parent.name, page.stem) for page in pages}
    assert set(chapter_pages()) <= built, sorted(set(chapter_pages()) - built)
    offenders = [str(p.relative_to(BUILD_HTML)) for p in pages
                 if EXTERNAL_ASSET.search(p.read_text(encoding="utf-8"))]
    assert not offenders, offenders


PAGE_WEIGHT_LIMIT = 1_000_000  # bytes: a chapter's HTML and images, for readers on a phone


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_chapter_weighs_over_a_megabyte(built_book, lang):
    """benchmarks/bench_book.py prints the weight of every page as a table."""
    weights = {path.stem: page_weight(BUILD_HTML / lang / f"{path.stem}.html")
               for path in notebooks(lang)}
    assert all(images > 0 for _, _, images in weights.values() if images), weights
    heavy = {stem: html + image for stem, (html, image, _) in weights.items()
             if html + image > PAGE_WEIGHT_LIMIT}
    assert not heavy, f"pages over 1 MB (bytes): {heavy}"


def test_math_comes_from_the_site(built_book):
    for lang in LANGUAGES:
        assert (BUILD_HTML / lang / "_mathjax" / "tex-chtml.js").is_file()
        assert (BUILD_HTML / lang / "_mathjax" / "output/chtml/fonts/woff-v2").is_dir()
    page = html("en/00_introduction.html")
    assert re.search(r'<script[^>]* src="(_static/\.\./)?_mathjax/tex-chtml\.js', page)
    assert "\\theta_{t+1}" in page  # the display equation reached the page, for MathJax


def all_pages():
    return [(lang, stem) for lang in LANGUAGES
            for stem in [p.stem for p in notebooks(lang)] + list(SHARED_PAGES)]


@pytest.mark.parametrize("lang, stem", all_pages())
def test_page_declares_its_language(built_book, lang, stem):
    assert re.search(rf'<html[^>]*\blang="{lang}"', html(f"{lang}/{stem}.html"))


@pytest.mark.parametrize("lang, stem", all_pages())
def test_page_links_to_the_same_page_in_the_other_language(built_book, lang, stem):
    other = "en" if lang == "ko" else "ko"
    page = html(f"{lang}/{stem}.html")
    assert f'href="../{other}/{stem}.html"\n   hreflang="{other}"' in page
    assert f'<link rel="alternate" hreflang="{other}" href="../{other}/{stem}.html" />' in page
    assert (BUILD_HTML / other / f"{stem}.html").is_file()


@pytest.mark.parametrize("lang, stem", chapter_pages())
def test_chapter_page_offers_its_notebook(built_book, lang, stem):
    page = html(f"{lang}/{stem}.html")
    assert f"_sources/{stem}.ipynb" in page
    assert (BUILD_HTML / lang / "_sources" / f"{stem}.ipynb").is_file()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_site_has_its_own_title(built_book, lang):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    title = config["sphinx"]["config"]["course_titles"][lang]
    other = config["sphinx"]["config"]["course_titles"]["en" if lang == "ko" else "ko"]
    page = html(f"{lang}/01_gradient_clipping.html")
    assert f"<title>" in page and re.search(rf"<title>[^<]*{re.escape(title.replace('&', '&amp;'))}", page)
    assert other.replace("&", "&amp;") not in page


def test_root_offers_both_languages_and_follows_the_browser(built_book):
    page = html("index.html")
    assert 'href="ko/index.html"' in page and 'href="en/index.html"' in page
    assert "navigator.languages" in page and "location.replace" in page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_glossary_page_lists_every_term_with_its_definition_in_the_site_language(built_book, lang):
    # the page's text, with Sphinx's typographic quotes as the glossary writes them
    page = unescape(re.sub(r"<[^>]+>", "", html(f"{lang}/glossary.html"))).replace("’", "'")
    for entry in glossary():
        assert entry["ko"] in page and entry["en"] in page, entry["en"]
        assert entry[f"{lang}_def"].split("$")[0][:20] in page, entry["en"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_references_page_lists_every_entry_of_the_bib(built_book, lang):
    page = html(f"{lang}/references.html")
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    titles = [re.sub(r"[{}]", "", t) for t in re.findall(r"\btitle\s*=\s*\{(.+)\},?\n", bib)]
    assert len(titles) >= 9
    text = " ".join(re.sub(r"<[^>]+>", "", page).split())
    for title in titles:
        assert title.split(":")[0].lower() in text.lower(), title


def test_korean_exercises_are_labelled_in_korean(built_book):
    ko, en = html("ko/01_gradient_clipping.html"), html("en/01_gradient_clipping.html")
    ko_text, en_text = re.sub(r"<[^>]+>", " ", ko), re.sub(r"<[^>]+>", " ", en)
    assert "연습문제 1" in ko_text and "풀이:" in ko_text
    assert not re.search(r"\b(Exercise|Solution to)\b", ko_text)
    assert "Exercise 1" in en_text and "연습문제" not in en_text


def test_search_index_holds_formulas_as_text_not_tex(built_book):
    page = html("en/01_gradient_clipping.html")
    assert '<span class="course-index-only" hidden>' in page
    twin = re.search(r'<span class="course-index-only" hidden>([^<]*)</span>', page).group(1)
    assert twin and "\\" not in twin


def test_no_repository_link_or_launch_button_until_the_url_is_set(built_book):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    if config["repository"]["url"]:
        pytest.skip("the repository URL is set")
    page = html("en/00_introduction.html")
    assert "github.com" not in page and "mybinder.org" not in page and "colab" not in page


def test_repository_url_turns_on_the_link_and_the_launch_buttons():
    import sys
    sys.path.insert(0, str(ROOT / "_ext"))
    from course_ext import enable_repository_features

    class Config:
        def __init__(self, url):
            self.language = "ko"
            self.html_theme_options = {"repository_url": url, "use_repository_button": False,
                                       "launch_buttons": {"binderhub_url": "https://mybinder.org"}}
    off, on = Config(""), Config("https://example.org/course")
    enable_repository_features(None, off)
    enable_repository_features(None, on)
    assert "launch_buttons" not in off.html_theme_options
    assert not off.html_theme_options["use_repository_button"]
    assert on.html_theme_options["use_repository_button"] and "launch_buttons" in on.html_theme_options
    # the Korean site is built from chapters/ko: its launch buttons open the notebooks there
    assert on.html_theme_options["path_to_docs"] == "chapters/ko"


def test_stderr_in_a_cell_output_fails_the_build(tmp_path):
    """A warning a reader would see under a figure (e.g. a missing glyph) must stop the build."""
    for name in ("_config.yml", "references.bib", "glossary.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("_ext", "_static", "_templates", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("*.mo"))
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: page\n")
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    nb = new_notebook(cells=[new_markdown_cell("# A page"),
                             new_code_cell("import sys; print('careful', file=sys.stderr)")],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    (tmp_path / "chapters" / "en").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "chapters" / "en" / "page.ipynb")
    code, log = build_book("--only", "en", "--output", str(tmp_path / "_build" / "html"),
                           "--doctrees", str(tmp_path / "_build" / ".doctrees"),
                           script=tmp_path / "_ext" / "build_book.py", cwd=tmp_path)
    problems = [line for line in log.splitlines() if re.search(r"\b(WARNING|ERROR):", line)]
    assert code != 0 and problems, log[-2000:]
    assert all("stderr" in line.lower() for line in problems), problems  # that, and only that


def test_student_edition_leaves_the_solutions_out(built_book, tmp_path):
    """`make student`: the same book with every exercise kept and every solution left out."""
    code, log = build_book("--edition", "student", "--output", str(tmp_path / "html"))
    assert code == 0, log[-3000:]
    for lang in LANGUAGES:
        for path in notebooks(lang):
            student = tmp_path / "html" / lang / f"{path.stem}.html"
            instructor = BUILD_HTML / lang / f"{path.stem}.html"
            s, i = student.read_text(encoding="utf-8"), instructor.read_text(encoding="utf-8")
            exercises = i.count('class="exercise admonition')
            solutions = len(re.findall(r'class="solution[ "]', i))
            assert s.count('class="exercise admonition') == exercises
            if exercises:
                assert solutions > 0, f"the instructor edition shows no solution: {instructor}"
            assert not re.findall(r'class="solution[ "]', s), f"a solution in {student}"
            # the student answers each exercise in its own cell, which the instructor edition
            # leaves out (it shows the solution); the explorers show their static figures
            answers = s.count("tag_exercise-answer")
            assert answers >= exercises * 0.8 and "tag_exercise-answer" not in i, student
            assert '<meta name="course-edition" content="student"' in s
            assert '<meta name="course-edition" content="instructor"' in i


def test_no_notebook_executes_twice_in_a_test_run(request, built_book):
    """nbval's run of each notebook fills the execution cache (tests/conftest.py); the build
    must find every one there rather than run it again."""
    ran = {item.parent.path for item in request.session.items
           if type(item).__name__ == "IPyNbCell"}
    if not ran:
        pytest.skip("no notebook ran under nbval in this run")
    _, log = built_book
    executed = [line for line in log.splitlines()
                if "Executing notebook" in line or re.search(r"executing \d+ notebooks", line)]
    assert not executed, "\n".join(executed)


def test_a_cached_run_made_with_other_regkit_code_runs_again(tmp_path, monkeypatch):
    """jupyter-cache matches a run by the notebook's code cells alone; a run made before regkit
    changed must not pass for current (the page would show the old regkit's figures)."""
    import sys
    sys.path.insert(0, str(ROOT / "_ext"))
    import build_book as build
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from nbformat.v4 import new_code_cell, new_notebook
    shutil.copytree(ROOT / "regkit", tmp_path / "regkit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(build, "ROOT", tmp_path)
    before = build.regkit_fingerprint()
    assert before == build.regkit_fingerprint()  # contents only: the same in every clone
    with open(tmp_path / "regkit" / "schedules.py", "a", encoding="utf-8") as source:
        source.write("\n# a change\n")
    now = build.regkit_fingerprint()
    assert now != before

    notebook = new_notebook(cells=[new_code_cell("import regkit")])
    cache = get_cache(str(tmp_path / "cache"))
    assert build.needs_execution(cache, notebook, now) == "missing"
    for made_with, expected in ((before, "regkit changed"), (now, None)):
        cache.cache_notebook_bundle(CacheBundleIn(notebook, str(tmp_path / "page.ipynb"),
                                                  data={"regkit": made_with}),
                                    check_validity=False, overwrite=True)
        assert build.needs_execution(cache, notebook, now) == expected


def search_records(lang):
    """What the site's Pagefind index holds for each page (its fragments: gzip, a signature,
    then JSON)."""
    import gzip
    import json
    records = []
    for fragment in sorted((BUILD_HTML / lang / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        records.append(json.loads(data[data.index(b"{"):]))
    return records


@pytest.mark.parametrize("lang", LANGUAGES)
def test_search_index_holds_no_tex_and_no_code_output(built_book, lang):
    from bs4 import BeautifulSoup
    records = search_records(lang)
    assert {r["url"].rsplit("/", 1)[-1] for r in records} >= {
        f"{p.stem}.html" for p in notebooks(lang)}
    content = {r["url"].rsplit("/", 1)[-1]: " ".join(r["content"].split()) for r in records}
    tex = {page: m.group(0) for page, text in content.items()
           if (m := re.search(r"\\[a-zA-Z]+\{|\\\(|\\\[|\$\$", text))}
    assert not tex, tex
    formulas_as_text = 0
    for path in notebooks(lang):
        soup = BeautifulSoup(html(f"{lang}/{path.stem}.html"), "html.parser")
        outputs = [" ".join(o.get_text(" ").split()) for o in soup.select(".cell_output")]
        for output in soup.select(".cell_output"):
            output.decompose()
        prose = " ".join(soup.get_text(" ").split())
        printed = [line for o in outputs for line in re.split(r"(?<=[.:]) ", o)
                   if len(line) >= 30 and line not in prose]
        indexed = [line for line in printed if line in content[f"{path.stem}.html"]]
        assert not indexed, f"{path.stem}: code output in the search index: {indexed[:3]}"
        formulas_as_text += "λ" in content[f"{path.stem}.html"]
    assert formulas_as_text >= 3  # the formulas are there, as text
