"""Tests of dl_layers.utils: to_categorical, and the names it re-exports from file_utils and atomic."""

import doctest

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dl_layers import atomic, file_utils, registry, utils
from dl_layers.utils import to_categorical


def test_keras_utils_names_are_re_exported():
    for name in file_utils.__all__:
        assert getattr(utils, name) is getattr(file_utils, name)
    assert utils.atomic_write is atomic.atomic_write
    assert utils.custom_object_scope is registry.custom_object_scope
    own = ["atomic_write", "custom_object_scope", "to_categorical"]
    assert sorted(utils.__all__) == sorted([*file_utils.__all__, *own])


def test_to_categorical_values_and_dtype():
    out = to_categorical(np.array([0, 2, 1, 2]))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]])
    out = to_categorical([1], num_classes=4, dtype="int8")
    assert out.dtype == np.int8
    np.testing.assert_array_equal(out, [[0, 1, 0, 0]])


def test_to_categorical_shapes():
    assert to_categorical(np.arange(5)).shape == (5, 5)
    two_d = np.array([[0, 1, 2], [2, 1, 0]])
    out = to_categorical(two_d, num_classes=3)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.argmax(-1), two_d)
    assert to_categorical(np.array([[1], [0]])).shape == (2, 2)  # Keras drops a trailing axis of 1
    assert to_categorical(np.zeros(0, dtype=int), num_classes=3).shape == (0, 3)
    assert to_categorical(2, num_classes=3).tolist() == [0, 0, 1]
    assert to_categorical(np.array([0.0, 3.0])).shape == (2, 4)  # integral floats are labels


@given(st.lists(st.integers(0, 9), min_size=1, max_size=30))
def test_to_categorical_round_trips(labels):
    out = to_categorical(labels, num_classes=10)
    np.testing.assert_array_equal(out.argmax(-1), labels)
    assert out.sum() == len(labels)


@pytest.mark.parametrize(
    ("y", "kwargs", "error", "match"),
    [
        ([0, 1.5], {}, ValueError, "1.5"),
        ([0, np.nan], {}, ValueError, "nan"),
        (["a", "b"], {}, TypeError, "integer"),
        ([0, -1, 2], {}, ValueError, "-1"),
        ([0, -3], {"num_classes": 4}, ValueError, "-3"),
        ([0, 5, 1], {"num_classes": 3}, ValueError, r"got 5 at index \(1,\)"),
        ([0, 1], {"num_classes": 0}, ValueError, "num_classes"),
        ([0, 1], {"num_classes": 2.0}, ValueError, "num_classes"),
        ([], {}, ValueError, "num_classes"),
    ],
)
def test_to_categorical_errors(y, kwargs, error, match):
    with pytest.raises(error, match=match):
        to_categorical(y, **kwargs)


def test_docstring_examples_run():
    result = doctest.testmod(utils, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
