"""Data sets of chapter 4: ``boston_housing`` (Keras's ``keras.datasets.boston_housing``)."""

from . import boston_housing

__all__ = ["boston_housing"]
