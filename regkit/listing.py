"""Showing regkit's own code in a chapter: one helper, so every listing is indented right.

``show_source(f)`` is what a chapter puts in a cell to print a regkit function: the real source
(``inspect.getsource``), dedented, optionally without its docstring or cut to the lines that
matter. In a notebook it displays as highlighted Python (Markdown with a ``python`` fence, which
the book and the decks both render); printed, it is the plain text.

Example
-------
>>> from regkit import schedules
>>> listing = show_source(schedules.step_decay, docstring=False)
>>> print(str(listing).splitlines()[0])
def step_decay(step, base_lr, step_size, gamma=0.1):
>>> str(show_source(schedules.step_decay, start="return", lines=1)).startswith("return")
True
"""

from __future__ import annotations

import ast
import inspect
import textwrap

__all__ = ["show_source", "Listing"]


class Listing:
    """Source text that shows as a Python code block in a notebook and as itself when printed."""

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        fence = "````" if "```" in self.text else "```"
        return f"{fence}python\n{self.text}\n{fence}"


def _without_docstring(source: str) -> str:
    """``source`` (one dedented ``def`` or ``class``) with its docstring's lines removed."""
    definition = ast.parse(source).body[0]
    first = definition.body[0]
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return source
    lines = source.splitlines()
    del lines[first.lineno - 1:first.end_lineno]
    return "\n".join(lines)


def show_source(obj, *, docstring: bool = True, start: str | None = None,
                lines: int | None = None) -> Listing:
    """The source of a function, class or method, ready to show in a chapter.

    Parameters
    ----------
    obj : the function, class or method (``inspect.getsource`` must find its file).
    docstring : keep the docstring (default) or leave its lines out.
    start : begin at the first line that contains this text (the rest is left out).
    lines : show at most this many lines (from ``start``, or from the top).

    The listing is dedented, so a method's source starts at column 0 and an excerpt from a
    function's body starts at its own indentation.
    """
    if start is not None and not isinstance(start, str):
        raise TypeError(f"start must be a str or None, got {type(start).__name__}")
    if lines is not None and (isinstance(lines, bool) or not isinstance(lines, int) or lines < 1):
        raise ValueError(f"lines must be a positive int or None, got {lines!r}")
    source = textwrap.dedent(inspect.getsource(obj))
    if not docstring:
        source = _without_docstring(source)
    body = source.rstrip("\n").splitlines()
    if start is not None:
        found = [i for i, line in enumerate(body) if start in line]
        if not found:
            raise ValueError(f"{start!r} does not occur in the source of {obj.__qualname__}")
        body = body[found[0]:]
    if lines is not None:
        body = body[:lines]
    return Listing(textwrap.dedent("\n".join(body)))
