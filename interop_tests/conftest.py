"""Keras parity: the tests run Keras 3 on its torch backend beside our packages (tox -e interop)."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported anywhere
