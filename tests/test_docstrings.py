"""The worked examples in the docstrings of regkit's contract modules run and print what they say."""

import doctest
import importlib

import pytest

CONTRACT = ["regkit.clipping", "regkit.schedules", "regkit.regularization", "regkit.optim",
            "regkit.listing", "regkit.exercises"]


@pytest.mark.parametrize("name", CONTRACT)
def test_docstring_examples(name, one_torch_thread):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no worked example"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"
