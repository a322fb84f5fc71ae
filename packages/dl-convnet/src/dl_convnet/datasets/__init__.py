"""Data sets with Keras's names: ``from dl_convnet.datasets import mnist`` then ``mnist.load_data()``.

* ``mnist``, ``fashion_mnist``: ``load_data(path=None)`` downloads (once, checksum checked) or
  reads the four IDX files of each;
* ``read_idx`` / ``write_idx``: the IDX format itself, for any file in it.
"""

from . import fashion_mnist, mnist
from .idx import read_idx, write_idx

__all__ = ["fashion_mnist", "mnist", "read_idx", "write_idx"]
