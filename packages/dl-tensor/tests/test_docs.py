"""The chapter's docs and docstrings are executed, so their examples cannot rot."""

import doctest
import importlib
import pkgutil
from pathlib import Path

import numpy as np
import pytest

import dl_tensor

DOCS = Path(__file__).resolve().parents[1] / "docs"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
MODULES = sorted(m.name for m in pkgutil.walk_packages(dl_tensor.__path__, "dl_tensor."))


@pytest.fixture(autouse=True)
def _fixed_seed_and_print_options():
    dl_tensor.set_random_seed(0)
    with np.printoptions(precision=4, suppress=True):
        yield


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_docs_page_examples_run(page):
    result = doctest.testfile(str(page), module_relative=False, optionflags=FLAGS, verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) failed in {page.name}"


@pytest.mark.parametrize("name", ["dl_tensor", *MODULES])
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_every_docs_page_is_in_the_chapter_nav():
    nav = (DOCS.parent / "mkdocs.yml").read_text()
    for page in DOCS.glob("*.md"):
        assert page.name in nav, f"{page.name} is not listed in packages/dl-tensor/mkdocs.yml"
