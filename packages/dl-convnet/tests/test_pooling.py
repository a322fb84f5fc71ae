"""Pooling: forward against NumPy, backward against finite differences, the fused op against
its composed twin, Keras's shapes and padding rules, global pooling, configs, errors."""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import dl_layers as L
from dl_convnet import (
    AveragePooling2D,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPool2D,
    MaxPooling2D,
    Pool2DOp,
    pool2d_composed,
)
from dl_convnet.pooling import pool_padding
from dl_tensor import Tensor, gradcheck


def np_pool(x, pool, strides, padding, mode):
    """Each window's max or mean of its real cells, through a sliding-window view."""
    (ph, pw), (sh, sw) = pool, strides
    if padding == "same":
        pads = []
        for size, p, s in zip(x.shape[1:3], pool, strides):
            total = max((math.ceil(size / s) - 1) * s + p - size, 0)
            pads.append((total // 2, total - total // 2))
        fill = -np.inf if mode == "max" else np.nan
        x = np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=fill)
    windows = np.lib.stride_tricks.sliding_window_view(x, (ph, pw), axis=(1, 2))[:, ::sh, ::sw]  # (n, y, x, c, ph, pw)
    return windows.max(axis=(4, 5)) if mode == "max" else np.nanmean(windows, axis=(4, 5))


@st.composite
def pool_cases(draw, tie_free=True):
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    pool = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if draw(st.booleans()) else pool
    padding = draw(st.sampled_from(["valid", "same"]))
    if padding == "valid":
        assume(h >= pool[0] and w >= pool[1])
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.permutation(n * h * w * c).reshape(n, h, w, c) / 7.0  # distinct values: no tied maxima
    return x, pool, strides, padding


@given(pool_cases(), st.sampled_from(["max", "average"]))
def test_fused_op_matches_numpy(case, mode):
    x, pool, strides, padding = case
    pads = pool_padding(x.shape[1], x.shape[2], pool, strides, padding)
    out = Pool2DOp(pool, strides, pads, mode)(Tensor(x, dtype="float64"))
    np.testing.assert_allclose(out.numpy(), np_pool(x, pool, strides, padding, mode), rtol=1e-12)


@given(pool_cases(), st.sampled_from(["max", "average"]))
def test_fused_op_equals_its_composed_twin_values_and_gradients(case, mode):
    x, pool, strides, padding = case
    pads = pool_padding(x.shape[1], x.shape[2], pool, strides, padding)
    direction = np.random.default_rng(1).standard_normal(np_pool(x, pool, strides, padding, mode).shape)
    results = []
    for fused in (True, False):
        xt = Tensor(x, requires_grad=True, dtype="float64")
        out = Pool2DOp(pool, strides, pads, mode)(xt) if fused else pool2d_composed(xt, pool, strides, padding, mode)
        (out * direction).sum().backward()
        results.append((out.numpy(), xt.grad))
    for fused, composed in zip(*results):
        np.testing.assert_allclose(fused, composed, rtol=1e-12, atol=1e-12)


@given(pool_cases(), st.sampled_from(["max", "average"]))
def test_fused_op_gradients_match_finite_differences(case, mode):
    x, pool, strides, padding = case
    pads = pool_padding(x.shape[1], x.shape[2], pool, strides, padding)
    assert gradcheck(lambda x: Pool2DOp(pool, strides, pads, mode)(x), [x])


def test_max_pooling_sends_the_gradient_to_the_first_maximum_only():
    x = Tensor(np.array([[1.0, 1.0], [0.0, 1.0]]).reshape(1, 2, 2, 1), requires_grad=True)
    Pool2DOp()(x).sum().backward()
    np.testing.assert_array_equal(x.grad.ravel(), [1.0, 0.0, 0.0, 0.0])  # as Keras and PyTorch do


@given(st.integers(0, 2**16), st.sampled_from([((2, 2), (2, 2)), ((3, 3), (2, 2)), ((3, 2), (1, 1)), ((2, 2), (3, 3))]))
def test_max_pooling_gradient_with_ties_goes_to_each_windows_first_maximum(seed, pool_strides):
    pool, strides = pool_strides
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, (2, 7, 6, 2)).astype(np.float64)  # values 0, 1, 2: many tied maxima
    grad = rng.standard_normal(np_pool(x, pool, strides, "valid", "max").shape)
    expected = np.zeros_like(x)  # window by window, row-major order: the first maximum takes the gradient
    for n, y, z, c in np.ndindex(grad.shape):
        window = x[n, y * strides[0]:y * strides[0] + pool[0], z * strides[1]:z * strides[1] + pool[1], c]
        i, j = np.unravel_index(np.argmax(window), window.shape)
        expected[n, y * strides[0] + i, z * strides[1] + j, c] += grad[n, y, z, c]
    xt = Tensor(x, dtype="float64", requires_grad=True)
    Pool2DOp(pool, strides, mode="max")(xt).backward(grad)
    np.testing.assert_allclose(xt.grad, expected, rtol=1e-12, atol=1e-12)


def test_average_pooling_same_counts_only_real_cells():
    x = np.arange(9.0).reshape(1, 3, 3, 1)
    out = AveragePooling2D(2, padding="same")(x).numpy()[0, :, :, 0]
    np.testing.assert_allclose(out, [[(0 + 1 + 3 + 4) / 4, (2 + 5) / 2], [(6 + 7) / 2, 8.0]])


@pytest.mark.parametrize("layer, shape, expected", [
    (MaxPooling2D((2, 2)), (None, 26, 26, 32), (None, 13, 13, 32)),
    (MaxPooling2D((2, 2)), (None, 11, 11, 64), (None, 5, 5, 64)),  # the book: 11 -> 5, a row and a column dropped
    (MaxPooling2D(3, strides=2, padding="same"), (None, 11, 7, 4), (None, 6, 4, 4)),
    (AveragePooling2D((2, 3), strides=1), (None, 5, 5, 2), (None, 4, 3, 2)),
    (GlobalAveragePooling2D(), (None, 7, 7, 16), (None, 16)),
    (GlobalMaxPooling2D(keepdims=True), (None, 7, 7, 16), (None, 1, 1, 16)),
])
def test_output_shapes_symbolic_and_real(layer, shape, expected):
    assert layer.compute_output_shape(shape) == expected
    out = layer(np.zeros((2, *shape[1:]), np.float32))
    assert out.shape == (2, *expected[1:])


def test_global_poolings_against_numpy():
    x = np.random.default_rng(0).standard_normal((3, 5, 4, 6)).astype(np.float32)
    np.testing.assert_allclose(GlobalAveragePooling2D()(x).numpy(), x.mean(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_allclose(GlobalMaxPooling2D()(x).numpy(), x.max(axis=(1, 2)))
    assert gradcheck(lambda t: GlobalAveragePooling2D(dtype="float64")(t), [x.astype(np.float64)[:1, :3, :2, :2]])


def test_keras_short_names_are_the_same_classes():
    assert MaxPool2D is MaxPooling2D


@pytest.mark.parametrize("layer", [MaxPooling2D(3, strides=(2, 1), padding="same"), AveragePooling2D(2),
                                   GlobalMaxPooling2D(keepdims=True)])
def test_get_config_round_trip(layer):
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config


def test_a_model_with_pooling_saves_and_loads(tmp_path):
    model = L.Sequential([MaxPooling2D(2, input_shape=(6, 6, 2)), AveragePooling2D(padding="same"),
                          GlobalMaxPooling2D()])
    x = np.random.default_rng(0).standard_normal((2, 6, 6, 2)).astype(np.float32)
    model.save(tmp_path / "pools.keras")
    np.testing.assert_array_equal(L.load_model(tmp_path / "pools.keras").predict(x), model.predict(x))


def test_bad_arguments_and_inputs_name_the_layer():
    with pytest.raises(ValueError, match="MaxPooling2D: argument `pool_size` must be an integer >= 1, got 0"):
        MaxPooling2D(0)
    with pytest.raises(ValueError, match="AveragePooling2D: argument `strides` must be an integer >= 1, got 0"):
        AveragePooling2D(2, strides=0)
    with pytest.raises(ValueError, match=r"Layer 'pool' expects images of rank 4 .* got shape \(None, 4, 4\)"):
        MaxPooling2D(2, name="pool")(np.zeros((1, 4, 4)))
    with pytest.raises(ValueError, match=r"Layer 'big': its pool of 3 is larger than the input's height of 2"):
        MaxPooling2D(3, name="big")(np.zeros((1, 2, 8, 1)))
    with pytest.raises(ValueError, match=r"Layer 'global' expects images of rank 4"):
        GlobalAveragePooling2D(name="global")(np.zeros((2, 3)))
