"""Korean and English are one course: same notebooks, same code, same structure."""

import pytest

from course import (CHAPTERS, LANGUAGES, code_tokens, markdown_structure, notebooks, read)

NAMES = sorted({path.name for lang in LANGUAGES for path in notebooks(lang)})


def test_there_are_chapters():
    assert NAMES, "no chapter notebooks found under chapters/ko and chapters/en"


@pytest.mark.parametrize("name", NAMES)
def test_every_chapter_has_its_mirror(name):
    missing = [lang for lang in LANGUAGES if not (CHAPTERS / lang / name).exists()]
    assert not missing, f"{name} has no {'/'.join(missing)} version"


def pairs():
    return [pytest.param(CHAPTERS / "ko" / n, CHAPTERS / "en" / n, id=n) for n in NAMES
            if all((CHAPTERS / lang / n).exists() for lang in LANGUAGES)]


@pytest.mark.parametrize("ko, en", pairs())
def test_same_sequence_of_cells(ko, en):
    kinds_ko = [c.cell_type for c in read(ko).cells]
    kinds_en = [c.cell_type for c in read(en).cells]
    assert kinds_ko == kinds_en


@pytest.mark.parametrize("ko, en", pairs())
def test_code_is_identical_once_strings_and_comments_are_masked(ko, en):
    code_ko = [c.source for c in read(ko).cells if c.cell_type == "code"]
    code_en = [c.source for c in read(en).cells if c.cell_type == "code"]
    assert len(code_ko) == len(code_en)
    for index, (a, b) in enumerate(zip(code_ko, code_en)):
        assert code_tokens(a) == code_tokens(b), f"code cell {index} differs:\n{a}\n---\n{b}"


@pytest.mark.parametrize("ko, en", pairs())
def test_same_headings_directives_equations_and_images(ko, en):
    md_ko = [c.source for c in read(ko).cells if c.cell_type == "markdown"]
    md_en = [c.source for c in read(en).cells if c.cell_type == "markdown"]
    for index, (a, b) in enumerate(zip(md_ko, md_en)):
        assert markdown_structure(a) == markdown_structure(b), f"markdown cell {index}"


@pytest.mark.parametrize("ko, en", pairs())
def test_same_tags_and_slide_metadata(ko, en):
    def layout(path):
        return [(c.metadata.get("tags", []), c.metadata.get("slideshow"))
                for c in read(path).cells]
    assert layout(ko) == layout(en)
