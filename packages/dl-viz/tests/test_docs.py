"""The chapter's docs and docstrings are executed, so their examples cannot rot; the figures
the docs build draws are drawn here too, and checked."""

import dl_viz
from dl_tensor.testing import chapter_docs_tests

test_docs_pages, test_docstrings, test_docs_nav = chapter_docs_tests(dl_viz, __file__)
