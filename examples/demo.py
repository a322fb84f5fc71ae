"""The dl-book demo (``tox -e demo``): each chapter package at work, in well under a minute.

1. Chapter 2 (dl-tensor): a two-layer network from scratch: tensors, autodiff, SGD.
2. Chapter 3 (dl-layers): the same kind of task with Sequential, compile, fit, save.
3. Chapter 5 (dl-convnet): a convnet from scratch, then a pretrained one reused for a new task.
4. Chapter 6 (dl-sequence): a 1D convnet before a GRU, from raw strings, on word order and on real emails.
"""

from __future__ import annotations

import ch2_from_scratch
import ch3_first_network
import ch5_convnet
import ch6_text_and_sequences


def main() -> None:
    print("=== Chapter 2: a network from scratch with dl-tensor ===")
    ch2_from_scratch.main([])
    print()
    print("=== Chapter 3: layers, compile and fit with dl-layers ===")
    ch3_first_network.main([])
    print()
    print("=== Chapter 5: convolutions, pooling and a pretrained convnet with dl-convnet ===")
    ch5_convnet.main([])
    print()
    print("=== Chapter 6: text, a 1D convnet and a GRU with dl-sequence ===")
    ch6_text_and_sequences.main([])


if __name__ == "__main__":
    main()
