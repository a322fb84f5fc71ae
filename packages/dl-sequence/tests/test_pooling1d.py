"""1D pooling: forward against a plain loop, backward against finite differences, the fused op against
its composed twin, Keras's padding and tie rules, global pooling with masks, configs, errors."""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import dl_layers as L
from dl_layers.layers.masking import set_mask
from dl_sequence import (
    AveragePooling1D,
    AvgPool1D,
    GlobalAveragePooling1D,
    GlobalAvgPool1D,
    GlobalMaxPool1D,
    GlobalMaxPooling1D,
    MaxPool1D,
    MaxPooling1D,
    Pool1DOp,
    pool1d_composed,
)
from dl_sequence.conv1d import conv1d_padding
from dl_tensor import Tensor, gradcheck


def np_pool(x, pool, strides, padding, mode):
    """Each window's max, or mean of its real steps, one output step at a time."""
    length = x.shape[1]
    left = 0
    if padding == "same":
        left = max((math.ceil(length / strides) - 1) * strides + pool - length, 0) // 2
        steps = math.ceil(length / strides)
    else:
        steps = (length - pool) // strides + 1
    out = np.zeros((x.shape[0], steps, x.shape[2]))
    for t in range(steps):
        start = t * strides - left
        window = x[:, max(start, 0):min(start + pool, length)]  # the real steps the window covers
        out[:, t] = window.max(axis=1) if mode == "max" else window.mean(axis=1)
    return out


@st.composite
def pool_cases(draw):
    batch, channels, length = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 11))
    pool = draw(st.integers(1, 4))
    strides = draw(st.integers(1, 4)) if draw(st.booleans()) else pool
    padding = draw(st.sampled_from(["valid", "same"]))
    if padding == "valid":
        assume(length >= pool)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.permutation(batch * length * channels).reshape(batch, length, channels) / 7.0  # distinct: no ties
    return x, pool, strides, padding


def run_op(x, pool, strides, padding, mode):
    return Pool1DOp(pool, strides, conv1d_padding(x.shape[1], pool, strides, padding), mode)(x)


@given(pool_cases(), st.sampled_from(["max", "average"]))
def test_fused_op_matches_a_plain_loop(case, mode):
    x, pool, strides, padding = case
    out = run_op(Tensor(x, dtype="float64"), pool, strides, padding, mode)
    np.testing.assert_allclose(out.numpy(), np_pool(x, pool, strides, padding, mode), rtol=1e-12)


@given(pool_cases(), st.sampled_from(["max", "average"]))
def test_fused_op_gradients_match_finite_differences(case, mode):
    x, pool, strides, padding = case
    assert gradcheck(lambda x: run_op(x, pool, strides, padding, mode), [x])


@given(pool_cases(), st.sampled_from(["max", "average"]))
def test_fused_op_equals_its_composed_twin_values_and_gradients(case, mode):
    x, pool, strides, padding = case
    direction = np.random.default_rng(1).standard_normal(np_pool(x, pool, strides, padding, mode).shape)
    results = []
    for fused in (True, False):
        xt = Tensor(x, requires_grad=True, dtype="float64")
        out = run_op(xt, pool, strides, padding, mode) if fused else pool1d_composed(xt, pool, strides, padding, mode)
        (out * direction).sum().backward()
        results.append((out.numpy(), xt.grad))
    for fused, composed in zip(*results):
        np.testing.assert_allclose(fused, composed, rtol=1e-12, atol=1e-12)


@given(st.integers(0, 2**16), st.sampled_from([(2, 2), (3, 3), (5, 5), (3, 2), (2, 3), (3, 1)]))
def test_max_pooling_gradient_with_ties_goes_to_each_windows_first_maximum(seed, pool_strides):
    pool, strides = pool_strides
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, (2, 13, 3)).astype(np.float64)  # values 0, 1, 2: many tied maxima
    grad = rng.standard_normal(np_pool(x, pool, strides, "valid", "max").shape)
    expected = np.zeros_like(x)
    for b, t, c in np.ndindex(grad.shape):  # window by window: the first maximum takes the gradient
        start = t * strides
        expected[b, start + np.argmax(x[b, start:start + pool, c]), c] += grad[b, t, c]
    xt = Tensor(x, dtype="float64", requires_grad=True)
    run_op(xt, pool, strides, "valid", "max").backward(grad)
    np.testing.assert_allclose(xt.grad, expected, rtol=1e-12, atol=1e-12)


def test_the_books_pooling_drops_the_tail():
    x = np.random.default_rng(0).standard_normal((2, 494, 32)).astype(np.float32)  # 494 = 5 * 98 + 4
    out = MaxPooling1D(5)(x)
    assert out.shape == (2, 98, 32) and out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), x[:, :490].reshape(2, 98, 5, 32).max(axis=2))


def test_average_pooling_same_counts_only_real_steps():
    x = np.arange(5.0).reshape(1, 5, 1)
    out = AveragePooling1D(2, padding="same")(x).numpy()[0, :, 0]
    np.testing.assert_allclose(out, [0.5, 2.5, 4.0])  # the last window holds one real step
    assert MaxPooling1D(2, padding="same")(-x).numpy()[0, -1, 0] == -4.0  # padding never wins a max


@pytest.mark.parametrize("layer, shape, expected", [
    (MaxPooling1D(5), (None, 494, 32), (None, 98, 32)),
    (MaxPooling1D(3), (None, None, 32), (None, None, 32)),
    (MaxPooling1D(3, strides=2, padding="same"), (None, 11, 4), (None, 6, 4)),
    (AveragePooling1D((2,), strides=(1,)), (None, 5, 2), (None, 4, 2)),
    (GlobalAveragePooling1D(), (None, 7, 16), (None, 16)),
    (GlobalMaxPooling1D(keepdims=True), (None, None, 16), (None, 1, 16)),
])
def test_output_shapes_symbolic_and_real(layer, shape, expected):
    assert layer.compute_output_shape(shape) == expected
    real = (3, 20 if shape[1] is None else shape[1], shape[2])
    assert layer(np.zeros(real, np.float32)).shape == layer.compute_output_shape(real)


def test_global_pooling_forward_and_gradients():
    x = np.random.default_rng(0).standard_normal((2, 6, 3))
    np.testing.assert_allclose(GlobalMaxPooling1D()(x).numpy(), x.max(axis=1).astype(np.float32))
    np.testing.assert_allclose(GlobalAveragePooling1D(keepdims=True)(x).numpy(),
                               x.mean(axis=1, keepdims=True).astype(np.float32), rtol=1e-6)
    assert gradcheck(lambda x: GlobalMaxPooling1D(dtype="float64")(x), [x])
    assert gradcheck(lambda x: GlobalAveragePooling1D(dtype="float64")(x), [x])


def test_global_average_pooling_averages_real_steps_only_when_masked():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5, 2))
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], bool)
    expected = np.stack([x[i, mask[i]].mean(axis=0) for i in range(3)])
    layer = GlobalAveragePooling1D(dtype="float64")
    np.testing.assert_allclose(layer(x, mask=mask).numpy(), expected, rtol=1e-12)
    masked = set_mask(Tensor(x, dtype="float64"), mask)  # as Embedding(mask_zero=True) leaves it
    np.testing.assert_allclose(layer(masked).numpy(), expected, rtol=1e-12)
    assert gradcheck(lambda x: layer(x, mask=mask), [x])
    np.testing.assert_array_equal(layer(x, mask=np.zeros((3, 5), bool)).numpy(), np.zeros((3, 2)))  # no NaN
    with pytest.raises(ValueError, match=r"Layer 'global_average_pooling1d': the mask must have shape "
                                         r"\(batch, time\) = \(3, 5\), got \(3, 4\)"):
        layer(x, mask=np.ones((3, 4), bool))


def test_keras_aliases():
    assert (MaxPool1D, AvgPool1D, GlobalMaxPool1D, GlobalAvgPool1D) == (
        MaxPooling1D, AveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling1D)


def test_bad_inputs_and_arguments():
    with pytest.raises(ValueError, match=r"Layer 'pool' expects sequences of rank 3 \(batch, time, channels\)"):
        MaxPooling1D(2, name="pool")(np.zeros((2, 8, 8, 3)))
    with pytest.raises(ValueError, match=r"Layer 'short': an input of length 3 is too short for its pool of 5 "
                                         r"steps with padding='valid' \(output length 0\)"):
        MaxPooling1D(5, name="short")(np.zeros((1, 3, 2)))
    assert MaxPooling1D(5, padding="same")(np.zeros((1, 3, 2))).shape == (1, 1, 2)
    with pytest.raises(ValueError, match="Layer 'global' expects sequences of rank 3"):
        GlobalMaxPooling1D(name="global")(np.zeros((2, 8)))
    with pytest.raises(ValueError, match="MaxPooling1D: argument `padding` must be one of 'valid', 'same', got"):
        MaxPooling1D(2, padding="causal")
    with pytest.raises(ValueError, match="AveragePooling1D: argument `data_format` must be one of 'channels_last'"):
        AveragePooling1D(2, data_format="channels_first")
    with pytest.raises(ValueError, match="MaxPooling1D: argument `pool_size` must be an integer >= 1, got 0"):
        MaxPooling1D(0)
    with pytest.raises(TypeError, match="GlobalMaxPooling1D: argument `keepdims` must be True or False"):
        GlobalMaxPooling1D(keepdims="yes")


def test_get_config_and_save_load_round_trip(tmp_path):
    from dl_sequence import Conv1D

    layer = MaxPooling1D(3, strides=2, padding="same", name="p")
    assert MaxPooling1D.from_config(layer.get_config()).get_config() == layer.get_config()
    assert layer.get_config()["pool_size"] == [3] and layer.get_config()["strides"] == [2]
    model = L.Sequential([L.Input(shape=(None, 3)), Conv1D(4, 3), AveragePooling1D(2, padding="same"),
                          MaxPooling1D(2), GlobalAveragePooling1D(keepdims=True), GlobalMaxPooling1D()])
    x = np.random.default_rng(0).standard_normal((2, 17, 3)).astype(np.float32)
    model.save(tmp_path / "pools.keras")
    loaded = L.load_model(tmp_path / "pools.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [lay.get_config() for lay in loaded.layers] == [lay.get_config() for lay in model.layers]
