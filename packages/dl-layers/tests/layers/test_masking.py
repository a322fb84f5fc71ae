"""Masks travel with tensors: set by a layer that knows the padding, read by one that uses it."""

import gc

import numpy as np
import pytest

import dl_layers as L
from dl_layers.layers.masking import _MASKS, get_mask, set_mask
from dl_tensor import Tensor, gradcheck


def test_masking_marks_steps_whose_features_all_equal_the_mask_value():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [0.0, 5.0]], [[0.0, 0.0], [0.0, 0.0], [7.0, 7.0]]], dtype=np.float32)
    out = L.layers.Masking(mask_value=0.0)(x)
    np.testing.assert_array_equal(get_mask(out), [[True, False, True], [False, False, True]])
    np.testing.assert_array_equal(out.numpy(), x)  # masked steps are all mask_value = 0 already

    out = L.layers.Masking(mask_value=7.0)(x)
    np.testing.assert_array_equal(get_mask(out), [[True, True, True], [True, True, False]])
    assert out.numpy()[1, 2].tolist() == [0.0, 0.0]  # a masked step is zeroed


def test_masking_gradient_is_zero_at_masked_steps():
    x = np.random.default_rng(0).normal(size=(2, 4, 3))
    x[0, 1] = 0.0
    # off the masked step the layer is the identity: finite differences agree there
    assert gradcheck(lambda t: L.layers.Masking(mask_value=9.0, dtype="float64")(t) * 2.0, [x])
    t = Tensor(x, requires_grad=True)
    (L.layers.Masking()(t) * 2.0).sum().backward()
    expected = np.full(x.shape, 2.0)
    expected[0, 1] = 0.0  # a padded step gets no gradient
    np.testing.assert_array_equal(t.grad, expected)


def test_masking_in_a_model_and_its_config():
    model = L.Sequential([L.layers.Masking(mask_value=-1.0, input_shape=(None, 2))])
    out = model(np.array([[[-1.0, -1.0], [1.0, 2.0]]]))
    np.testing.assert_array_equal(get_mask(out), [[False, True]])
    assert L.layers.Masking.from_config(model.layers[0].get_config()).mask_value == -1.0


def test_a_mask_must_fit_the_tensor_and_goes_away_with_it():
    t = Tensor(np.zeros((2, 3, 1)))
    with pytest.raises(ValueError, match=r"mask of shape \(3, 2\) does not fit a tensor of shape \(2, 3, 1\)"):
        set_mask(t, np.ones((3, 2), dtype=bool))
    set_mask(t, np.ones((2, 3), dtype=bool))
    assert get_mask(Tensor(np.zeros((2, 3, 1)))) is None  # another tensor has no mask
    key = id(t)
    assert key in _MASKS
    del t
    gc.collect()
    assert key not in _MASKS


def test_masking_refuses_inputs_without_a_time_axis():
    with pytest.raises(ValueError, match=r"Layer 'masking' expects inputs of rank >= 3"):
        L.layers.Masking()(np.zeros((2, 3)))
