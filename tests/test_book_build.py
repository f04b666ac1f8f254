"""The site: strict build, offline assets, page languages, mirrors, glossary and references."""

import os
import re
import shutil

import pytest
import yaml

from conftest import jupyter_book
from course import BUILD_HTML, LANGUAGES, ROOT, glossary, notebooks, page_weight

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
    weights = {path.stem: page_weight(BUILD_HTML / "chapters" / lang / f"{path.stem}.html")
               for path in notebooks(lang)}
    assert all(images > 0 for _, _, images in weights.values() if images), weights
    heavy = {stem: html + image for stem, (html, image, _) in weights.items()
             if html + image > PAGE_WEIGHT_LIMIT}
    assert not heavy, f"pages over 1 MB (bytes): {heavy}"


def test_math_comes_from_the_site(built_book):
    assert (BUILD_HTML / "_mathjax" / "tex-chtml.js").is_file()
    assert (BUILD_HTML / "_mathjax" / "output/chtml/fonts/woff-v2").is_dir()
    page = html("chapters/en/00_introduction.html")
    assert re.search(r'<script[^>]* src="\.\./\.\./(_static/\.\./)?_mathjax/tex-chtml\.js', page)
    assert "\\theta_{t+1}" in page  # the display equation reached the page, for MathJax


@pytest.mark.parametrize("lang, stem", chapter_pages())
def test_chapter_page_declares_its_language(built_book, lang, stem):
    assert re.search(rf'<html[^>]*\blang="{lang}"', html(f"chapters/{lang}/{stem}.html"))


@pytest.mark.parametrize("lang, stem", chapter_pages())
def test_chapter_page_links_to_its_mirror(built_book, lang, stem):
    other = "en" if lang == "ko" else "ko"
    page = html(f"chapters/{lang}/{stem}.html")
    assert f'class="lang-switch"><a href="../{other}/{stem}.html" hreflang="{other}"' in page
    assert (BUILD_HTML / "chapters" / other / f"{stem}.html").is_file()


@pytest.mark.parametrize("lang, stem", chapter_pages())
def test_chapter_page_offers_its_notebook(built_book, lang, stem):
    page = html(f"chapters/{lang}/{stem}.html")
    assert f"_sources/chapters/{lang}/{stem}.ipynb" in page
    assert (BUILD_HTML / "_sources" / "chapters" / lang / f"{stem}.ipynb").is_file()


def test_landing_page_offers_both_languages(built_book):
    page = html("index.html")
    assert 'href="chapters/ko/00_introduction.html"' in page
    assert 'href="chapters/en/00_introduction.html"' in page
    assert 'lang="en"' in page  # the English half is marked for screen readers


def test_glossary_page_lists_every_term(built_book):
    page = html("glossary.html")
    for entry in glossary():
        assert entry["ko"] in page and entry["en"] in page, entry["en"]


def test_references_page_lists_every_entry_of_the_bib(built_book):
    page = html("references.html")
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    titles = [re.sub(r"[{}]", "", t) for t in re.findall(r"\btitle\s*=\s*\{(.+)\},?\n", bib)]
    assert len(titles) >= 9
    text = " ".join(re.sub(r"<[^>]+>", "", page).split())
    for title in titles:
        assert title.split(":")[0].lower() in text.lower(), title


def test_korean_exercises_are_labelled_in_korean(built_book):
    ko, en = html("chapters/ko/00_introduction.html"), html("chapters/en/00_introduction.html")
    assert "연습문제" in ko and "Exercise" not in re.sub(r"<[^>]+>", " ", ko).split("연습문제")[0][-200:]
    assert "Exercise" in en


def test_no_repository_link_or_launch_button_until_the_url_is_set(built_book):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    if config["repository"]["url"]:
        pytest.skip("the repository URL is set")
    page = html("chapters/en/00_introduction.html")
    assert "github.com" not in page and "mybinder.org" not in page and "colab" not in page


def test_repository_url_turns_on_the_link_and_the_launch_buttons():
    import sys
    sys.path.insert(0, str(ROOT / "_ext"))
    from course_ext import enable_repository_features

    class Config:
        def __init__(self, url):
            self.html_theme_options = {"repository_url": url, "use_repository_button": False,
                                       "launch_buttons": {"binderhub_url": "https://mybinder.org"}}
    off, on = Config(""), Config("https://example.org/course")
    enable_repository_features(None, off)
    enable_repository_features(None, on)
    assert "launch_buttons" not in off.html_theme_options
    assert not off.html_theme_options["use_repository_button"]
    assert on.html_theme_options["use_repository_button"] and "launch_buttons" in on.html_theme_options


def test_stderr_in_a_cell_output_fails_the_build(tmp_path):
    """A warning a reader would see under a figure (e.g. a missing glyph) must stop the build."""
    for name in ("_config.yml", "references.bib", "glossary.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "_ext", tmp_path / "_ext")
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: page\n")
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    nb = new_notebook(cells=[new_markdown_cell("# A page"),
                             new_code_cell("import sys; print('careful', file=sys.stderr)")],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    nbformat.write(nb, tmp_path / "page.ipynb")
    code, log = jupyter_book("build", str(tmp_path), "--builder", "html", "-W", "-n",
                             "--keep-going", cwd=tmp_path)
    assert code != 0 and "stderr" in log.lower(), log[-2000:]


def test_student_edition_leaves_the_solutions_out(built_book, tmp_path):
    """`make student`: the same book with every exercise kept and every solution left out."""
    env_before = os.environ.get("COURSE_EDITION")
    os.environ["COURSE_EDITION"] = "student"
    try:
        code, log = jupyter_book("build", ".", "--builder", "html", "-W", "-n", "--keep-going",
                                 "--path-output", str(tmp_path))
    finally:
        if env_before is None:
            del os.environ["COURSE_EDITION"]
        else:
            os.environ["COURSE_EDITION"] = env_before
    assert code == 0, log[-3000:]
    for lang in LANGUAGES:
        for path in notebooks(lang):
            student = (tmp_path / "_build" / "html" / "chapters" / lang / f"{path.stem}.html")
            instructor = BUILD_HTML / "chapters" / lang / f"{path.stem}.html"
            s, i = student.read_text(encoding="utf-8"), instructor.read_text(encoding="utf-8")
            exercises = i.count('class="exercise admonition')
            solutions = len(re.findall(r'class="solution[ "]', i))
            assert s.count('class="exercise admonition') == exercises
            if exercises:
                assert solutions > 0, f"the instructor edition shows no solution: {instructor}"
            assert not re.findall(r'class="solution[ "]', s), f"a solution in {student}"


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
