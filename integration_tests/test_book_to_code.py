"""The "book to code" page names real things: every `package.name` in its tables exists, and
every page it links is a page of the site."""

import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGE = (REPO / "docs" / "book-to-code.md").read_text()
NAMES = sorted(set(re.findall(r"`(dl_\w+(?:\.\w+)+)`", PAGE)))
LINKS = sorted(set(re.findall(r"\]\(([\w./-]+\.md)\)", PAGE)))


def test_the_page_names_things_and_links_pages():
    assert len(NAMES) > 60 and len(LINKS) > 40


@pytest.mark.parametrize("dotted", NAMES)
def test_every_name_exists(dotted):
    module_name, *attributes = dotted.split(".")
    obj = importlib.import_module(module_name)
    for i, attribute in enumerate(attributes):
        try:
            obj = getattr(obj, attribute)
        except AttributeError:  # a submodule not imported by its package
            obj = importlib.import_module(".".join([module_name, *attributes[:i + 1]]))


@pytest.mark.parametrize("link", LINKS)
def test_every_linked_page_exists(link):
    package, _, page = link.partition("/")
    path = REPO / "docs" / link if not page else REPO / "packages" / package / "docs" / page
    assert path.is_file(), link
