"""The chapter's docs and docstrings are executed, so their examples cannot rot."""

from pathlib import Path

import numpy as np
import pytest

import dl_layers
from dl_tensor.testing import package_modules, run_docstring_examples, run_page_examples

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(autouse=True)
def _fixed_seed_and_print_options():
    dl_layers.set_random_seed(0)
    with np.printoptions(precision=4, suppress=True):
        yield


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_docs_page_examples_run(page):
    run_page_examples(page)


@pytest.mark.parametrize("name", package_modules(dl_layers))
def test_docstring_examples_run(name):
    run_docstring_examples(name)


def test_every_docs_page_is_in_the_chapter_nav():
    nav = (DOCS.parent / "mkdocs.yml").read_text()
    for page in DOCS.glob("*.md"):
        assert page.name in nav, f"{page.name} is not listed in packages/dl-layers/mkdocs.yml"
