"""The dl-book demo (``tox -e demo``): each chapter package at work, in a few seconds.

1. Chapter 2 (dl-tensor): a two-layer network from scratch: tensors, autodiff, SGD.
2. Chapter 3 (dl-layers): the same kind of task with Sequential, compile, fit, save.
"""

from __future__ import annotations

import ch2_from_scratch
import ch3_first_network


def main() -> None:
    print("=== Chapter 2: a network from scratch with dl-tensor ===")
    ch2_from_scratch.main([])
    print()
    print("=== Chapter 3: layers, compile and fit with dl-layers ===")
    ch3_first_network.main([])


if __name__ == "__main__":
    main()
