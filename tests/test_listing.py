"""regkit.show_source: the listing a chapter shows is the real source, indented as written."""

import ast
import inspect

import pytest

import regkit
from regkit import clipping, optim, schedules


def test_a_method_starts_at_column_zero_and_parses():
    text = str(regkit.show_source(optim.Adam.step))
    assert text.startswith("@torch.no_grad()\ndef step(") or text.startswith("def step(")
    ast.parse(text)  # dedented right: it is valid Python on its own


@pytest.mark.parametrize("function", [schedules.torch_lrs, clipping.clip_grad_norm_,
                                      schedules.step_decay])
def test_without_docstring_every_body_line_keeps_its_indentation(function):
    text = str(regkit.show_source(function, docstring=False))
    doc = inspect.getdoc(function)
    assert doc.splitlines()[0] not in text
    tree = ast.parse(text)
    assert ast.get_docstring(tree.body[0]) is None
    lines = text.splitlines()
    body_start = tree.body[0].body[0].lineno - 1  # the first statement after the signature
    first_body = lines[body_start]
    assert len(first_body) - len(first_body.lstrip()) == 4, first_body


def test_with_docstring_it_is_the_whole_source():
    assert str(regkit.show_source(schedules.step_decay)) == inspect.getsource(
        schedules.step_decay).rstrip("\n")


def test_an_excerpt_starts_at_the_text_and_is_dedented():
    text = str(regkit.show_source(optim.Adam.step, start="g = w.grad", lines=5))
    lines = text.splitlines()
    assert lines[0] == "g = w.grad" and len(lines) == 5
    assert any(line.startswith("    ") for line in lines[1:])  # nesting inside is kept


def test_it_displays_as_python_code_in_a_notebook():
    markdown = regkit.show_source(schedules.step_decay)._repr_markdown_()
    assert markdown.startswith("```python\ndef step_decay(") and markdown.endswith("\n```")


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="does not occur"):
        regkit.show_source(schedules.step_decay, start="no such text")
    with pytest.raises(ValueError, match="lines"):
        regkit.show_source(schedules.step_decay, lines=0)
    with pytest.raises(TypeError, match="start"):
        regkit.show_source(schedules.step_decay, start=3)
