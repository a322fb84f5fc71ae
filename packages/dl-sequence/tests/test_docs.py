"""The chapter's docs and docstrings are executed, so their examples cannot rot."""

import dl_sequence
from dl_tensor.testing import chapter_docs_tests

test_docs_pages, test_docstrings, test_docs_nav = chapter_docs_tests(dl_sequence, __file__)
