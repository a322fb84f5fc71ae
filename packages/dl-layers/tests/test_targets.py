"""The targets contract shared by losses and metrics: shapes, labels, sample weights."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dl_layers.targets import as_numbers, match_targets, one_hot_targets, sample_weights, sparse_labels
from dl_tensor import Tensor


@given(st.integers(1, 5), st.integers(1, 4))
def test_a_trailing_axis_of_one_may_be_missing_or_extra(batch, units):
    assert match_targets("w", np.zeros(batch), (batch, 1)).shape == (batch, 1)
    assert match_targets("w", np.zeros((batch, 1)), (batch,)).shape == (batch,)
    assert match_targets("w", np.zeros((batch, units)), (batch, units)).shape == (batch, units)


def test_mismatched_targets_name_the_caller_and_both_shapes():
    with pytest.raises(ValueError, match=r"mse: y_true has shape \(4, 2\) but y_pred has shape \(4, 3\)"):
        match_targets("mse", np.zeros((4, 2)), (4, 3))


def test_as_numbers_reads_tensors_and_refuses_strings_and_scalars():
    assert as_numbers("w", "y_true", Tensor([1.0, 2.0])).dtype == np.float32
    with pytest.raises(TypeError, match="w: y_true must hold numbers .* got dtype <U1"):
        as_numbers("w", "y_true", ["a"])
    with pytest.raises(ValueError, match="w: y_true must have a batch axis"):
        as_numbers("w", "y_true", 3.0)


def test_sparse_labels():
    np.testing.assert_array_equal(sparse_labels("acc", [[2], [0]], (2, 3)), [2, 0])
    assert sparse_labels("acc", np.array([1.0, 2.0]), (2, 3)).dtype == np.int64  # whole floats are fine
    with pytest.raises(ValueError, match="acc: labels must be integer class ids, got 0.5"):
        sparse_labels("acc", np.array([0.5, 1.0]), (2, 3))
    with pytest.raises(ValueError, match=r"label 3 is out of range for 3 classes \(expected 0..2\)"):
        sparse_labels("acc", [0, 3], (2, 3))
    np.testing.assert_array_equal(sparse_labels("acc", [0, 3], (2, 3), check_range=False), [0, 3])
    with pytest.raises(ValueError, match="y_true looks one-hot: use the categorical version"):
        sparse_labels("acc", np.eye(3)[:2], (2, 3))


def test_one_hot_targets_suggest_the_sparse_version():
    with pytest.raises(ValueError, match="y_true looks like integer labels: use the sparse version"):
        one_hot_targets("cce", [0, 2], (2, 3))


def test_sample_weights_line_up_with_the_leading_axes():
    assert sample_weights("w", 2.0, (4, 3)).shape == (1, 1)
    assert sample_weights("w", np.ones(4), (4, 3)).shape == (4, 1)
    assert sample_weights("w", np.ones((4, 1)), (4,)).shape == (4,)
    assert sample_weights("w", np.ones(4), (4,), dtype="float32").dtype == np.float32
    with pytest.raises(ValueError, match=r"w: sample_weight has shape \(3,\) but the values have shape \(4, 2\)"):
        sample_weights("w", np.ones(3), (4, 2))
