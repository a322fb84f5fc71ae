"""Dropout (``layers/dropout.py``): identity at inference, the drop rate and scaling in training,
seeding, ``noise_shape``, gradients (the mask), argument errors and configs."""

import numpy as np
import pytest
from hypothesis import given

import dl_layers
from dl_layers import Dropout
from dl_tensor import gradcheck
from dl_tensor.testing import arrays, shapes


def test_dropout_is_the_identity_at_inference():
    x = np.random.default_rng(1).normal(size=(50, 20)).astype(np.float32)
    layer = Dropout(0.5)
    for kwargs in ({}, {"training": None}, {"training": False}):
        np.testing.assert_array_equal(layer(x, **kwargs).numpy(), x)


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5, 0.8])
def test_dropout_drops_about_rate_and_scales_the_rest(rate):
    x = np.random.default_rng(2).uniform(1.0, 2.0, size=(400, 500)).astype(np.float32)  # never 0
    out = Dropout(rate)(x, training=True).numpy()
    dropped = out == 0
    assert abs(dropped.mean() - rate) < 0.01  # binomial std over 2e5 values is < 0.0012
    kept_scale = np.float32(1.0 / (1.0 - rate))
    np.testing.assert_allclose(out[~dropped], x[~dropped] * kept_scale, rtol=1e-6)


@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_dropout_preserves_the_expected_value(rate):
    x = np.full((500, 400), 3.0, np.float32)
    out = Dropout(rate)(x, training=True).numpy()
    # std of one output is 3 * sqrt(rate / (1 - rate)) <= 3; over 2e5 values the mean's std is < 0.007
    assert abs(out.mean() - 3.0) < 0.04


def test_dropout_rate_zero_is_the_identity_in_training():
    x = np.ones((10, 10), np.float32)
    np.testing.assert_array_equal(Dropout(0.0)(x, training=True).numpy(), x)


def test_dropout_masks_repeat_after_set_random_seed():
    x = np.ones((30, 40), np.float32)
    dl_layers.set_random_seed(123)
    first = Dropout(0.5)(x, training=True).numpy()
    dl_layers.set_random_seed(123)
    again = Dropout(0.5)(x, training=True).numpy()
    dl_layers.set_random_seed(124)
    other = Dropout(0.5)(x, training=True).numpy()
    np.testing.assert_array_equal(first, again)
    assert (first != other).any()


def test_dropout_seed_argument_is_reproducible_and_independent_of_the_global_seed():
    x = np.ones((30, 40), np.float32)
    dl_layers.set_random_seed(1)
    a = Dropout(0.5, seed=7)(x, training=True).numpy()
    dl_layers.set_random_seed(2)
    b = Dropout(0.5, seed=7)(x, training=True).numpy()
    c = Dropout(0.5, seed=8)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    assert (a != c).any()


def test_dropout_draws_a_new_mask_on_every_training_call():
    x = np.ones((30, 40), np.float32)
    layer = Dropout(0.5, seed=7)
    assert (layer(x, training=True).numpy() != layer(x, training=True).numpy()).any()


def test_dropout_noise_shape_shares_the_mask_along_axes_of_size_1():
    x = np.ones((6, 5, 8), np.float32)
    for noise_shape in ((None, 1, 8), (6, 1, 8)):
        out = Dropout(0.5, noise_shape=noise_shape)(x, training=True).numpy()
        assert out.shape == x.shape
        assert (out == out[:, :1, :]).all()  # the same decision at every timestep
        assert set(np.unique(out)) == {0.0, 2.0}
        assert not (out == out[:1, :, :]).all()  # but not the same for every sample


@pytest.mark.parametrize("noise_shape", [(6, 2, 8), (6, 8), (1, 6, 5, 8)])
def test_dropout_noise_shape_that_does_not_fit_names_the_layer(noise_shape):
    with pytest.raises(ValueError, match=r"Layer 'dropout'.*noise_shape"):
        Dropout(0.5, noise_shape=noise_shape)(np.ones((6, 5, 8), np.float32), training=True)


@pytest.mark.parametrize("rate", [-0.1, 1, 1.0, 1.5])
def test_dropout_rejects_rates_outside_zero_one(rate):
    with pytest.raises(ValueError, match=r"Dropout: argument `rate` must be a number in \[0, 1\)"):
        Dropout(rate)


@given(x=shapes(min_dims=1).flatmap(arrays))
def test_dropout_gradient_is_the_mask(x):
    # a fresh layer with a fixed seed draws the same mask at each evaluation
    assert gradcheck(lambda t: Dropout(0.5, seed=3, dtype="float64")(t, training=True), [x])


# -- configs ----------------------------------------------------------------------------


def test_get_config_from_config_round_trip(check_config_round_trip):
    check_config_round_trip(lambda: Dropout(0.4, noise_shape=(None, 1, 3), seed=5), np.ones((2, 4, 3)))


def test_dropout_clone_with_the_same_seed_draws_the_same_masks():
    x = np.ones((20, 30), np.float32)
    layer = Dropout(0.5, seed=11)
    clone = Dropout.from_config(layer.get_config())
    np.testing.assert_array_equal(clone(x, training=True).numpy(), layer(x, training=True).numpy())
