"""Korean and English are one course: same notebooks, same code, same structure."""

import io
import re
import tokenize

import pytest

from course import (CHAPTERS, LANGUAGES, code_tokens, markdown_structure, notebooks, python_source,
                    read)

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


# A comment is English prose when it has no Hangul and three or more words in a row (runs of
# Latin letters, first letter capital or not: "the", "Keras's"). Symbols, numbers, acronyms
# (SGD, LN), CamelCase names (AdamW, PyTorch) and identifiers (weight_decay, torch.optim.Adam,
# `code`) break a run, so "# × PEAK_LR", "# GPT-3 (175B)" and "# regkit == Keras clipnorm" are
# not prose. Tool directives (noqa, type:, pragma, fmt:) are left alone.
HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
PROSE_WORD = re.compile(r"[A-Z]?[a-z]+(?:['’-][A-Za-z]+)*")
TOOL_DIRECTIVE = re.compile(r"^\s*(?:noqa\b|type:|pragma:|fmt:|pylint:|isort:|ruff:)")
WORDS_IN_A_ROW = 3


def is_english_prose(comment: str) -> bool:
    text = comment.lstrip("#")
    if HANGUL.search(text) or TOOL_DIRECTIVE.match(text):
        return False
    run = 0
    for chunk in re.sub(r"`[^`]*`", " ", text).split():
        run = run + 1 if PROSE_WORD.fullmatch(chunk.strip(".,;:!?()[]{}\"'…")) else 0
        if run >= WORDS_IN_A_ROW:
            return True
    return False


def comments(cell_source: str) -> list[tokenize.TokenInfo]:
    """The cell's comments, found by the tokenizer: a '#' inside a string is not one."""
    readline = io.StringIO(python_source(cell_source)).readline
    return [tok for tok in tokenize.generate_tokens(readline) if tok.type == tokenize.COMMENT]


def test_english_prose_is_told_from_names_code_and_math():
    for prose in ["# a zero gradient moves nothing", "# the checker agrees",
                  "# AdamW: one column (give or take one) is the best of every working row",
                  "# Keras clipnorm, then Keras global_clipnorm"]:
        assert is_english_prose(prose), prose
    for not_prose in ["# noqa: E731", "# type: ignore", "# pragma: no cover", "# × PEAK_LR",
                      "# torch.optim.Adam의 weight_decay", "# GPT-3 (175B)",
                      "# regkit == Keras clipnorm", "# θ ← θ − α·g, g = a·θ",
                      "# 2.79 vs 1.11", "# 그래디언트가 0이면 아무것도 움직이지 않음"]:
        assert not is_english_prose(not_prose), not_prose


def korean_chapters():
    return [pytest.param(CHAPTERS / "ko" / n, id=n) for n in NAMES
            if (CHAPTERS / "ko" / n).exists()]


@pytest.mark.parametrize("ko", korean_chapters())
def test_korean_code_comments_are_not_english_prose(ko):
    english = [f"code cell {index}, line {tok.start[0]}: {tok.string}"
               for index, cell in enumerate(read(ko).cells) if cell.cell_type == "code"
               for tok in comments(cell.source) if is_english_prose(tok.string)]
    assert not english, "translate these comments into Korean:\n" + "\n".join(english)
