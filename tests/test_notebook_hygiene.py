"""Notebooks are stored without outputs (small, clean diffs) and carry what the book and the
slides need: slideshow metadata on every cell, check cells hidden, alt text on figures."""

import pytest

from course import all_notebooks, read

SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
NOTEBOOKS = pytest.mark.parametrize("path", all_notebooks(),
                                    ids=lambda p: f"{p.parent.name}/{p.name}")


@NOTEBOOKS
def test_stored_without_outputs(path):
    for index, cell in enumerate(read(path).cells):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"cell {index} has stored outputs: clear them before committing "
                "(Jupyter: Edit > Clear Outputs of All Cells)")


@NOTEBOOKS
def test_every_cell_has_slideshow_metadata(path):
    for index, cell in enumerate(read(path).cells):
        slide_type = cell.metadata.get("slideshow", {}).get("slide_type")
        assert slide_type in SLIDE_TYPES, f"cell {index}: slide_type {slide_type!r}"


@NOTEBOOKS
def test_check_cells_are_hidden_from_book_and_slides(path):
    for index, cell in enumerate(read(path).cells):
        tags = cell.metadata.get("tags", [])
        if "check" in tags:
            assert "remove-cell" in tags, f"check cell {index} would show in the book"
            assert cell.metadata["slideshow"]["slide_type"] == "skip", f"check cell {index}"
            assert "assert" in cell.source, f"check cell {index} checks nothing"


@NOTEBOOKS
def test_notes_cells_are_speaker_notes_only(path):
    for index, cell in enumerate(read(path).cells):
        if cell.metadata["slideshow"]["slide_type"] == "notes":
            assert "remove-cell" in cell.metadata.get("tags", []), (
                f"notes cell {index} would show in the book")


@NOTEBOOKS
def test_imports_regkit_and_checks_something(path):
    cells = read(path).cells
    assert any("import regkit" in c.source or "from regkit" in c.source
               for c in cells if c.cell_type == "code")
    assert any("check" in c.metadata.get("tags", []) for c in cells), "no check cell"


@NOTEBOOKS
def test_figures_have_alt_text(path):
    for index, cell in enumerate(read(path).cells):
        if cell.cell_type == "code" and "plt.show()" in cell.source:
            alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) >= 20, f"figure in cell {index} has no alt text"
