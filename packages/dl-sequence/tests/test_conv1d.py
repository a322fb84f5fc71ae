"""Conv1D: forward against a plain loop, backward against finite differences, the fused op against
its composed twin, padding rules (valid / same / causal), the book's models, errors, configs, learning."""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import dl_layers as L
from dl_sequence import Conv1D, Conv1DOp, Convolution1D, GlobalMaxPooling1D, MaxPooling1D, conv1d_composed
from dl_sequence.conv1d import conv1d_padding
from dl_tensor import Tensor, gradcheck


def np_conv1d(x, kernel, bias, strides, padding, dilation):
    """The Keras equation, one output step at a time, with the padding worked out here."""
    batch, length, _ = x.shape
    k, _, filters = kernel.shape
    span = (k - 1) * dilation + 1
    if padding == "valid":
        left = right = 0
    elif padding == "causal":
        left, right = span - 1, 0
    else:  # "same" as TensorFlow: ceil(length / strides) outputs, the odd zero after
        total = max((math.ceil(length / strides) - 1) * strides + span - length, 0)
        left, right = total // 2, total - total // 2
    xp = np.concatenate([np.zeros((batch, left, x.shape[2])), x, np.zeros((batch, right, x.shape[2]))], axis=1)
    steps = (xp.shape[1] - span) // strides + 1
    out = np.zeros((batch, steps, filters))
    for t in range(steps):
        for j in range(k):
            out[:, t] += xp[:, t * strides + j * dilation] @ kernel[j]
    return out + (0 if bias is None else bias)


@st.composite
def conv_cases(draw):
    batch, channels, filters = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    length, k = draw(st.integers(1, 9)), draw(st.integers(1, 4))
    strides, dilation = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["valid", "same", "causal"]))
    if padding == "valid":
        assume(length >= (k - 1) * dilation + 1)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((batch, length, channels))
    kernel = rng.standard_normal((k, channels, filters))
    bias = rng.standard_normal(filters) if draw(st.booleans()) else None
    return x, kernel, bias, strides, padding, dilation


def run_op(x, kernel, bias, strides, padding, dilation, relu=False):
    pads = conv1d_padding(x.shape[1], kernel.shape[0], strides, padding, dilation)
    op = Conv1DOp(strides, dilation, pads, relu=relu, use_bias=bias is not None)
    return op(x, kernel) if bias is None else op(x, kernel, bias)


@given(conv_cases(), st.booleans())
def test_fused_op_matches_the_equation(case, relu):
    x, kernel, bias, strides, padding, dilation = case
    out = run_op(Tensor(x, dtype="float64"), Tensor(kernel, dtype="float64"),
                 None if bias is None else Tensor(bias, dtype="float64"), strides, padding, dilation, relu)
    expected = np_conv1d(x, kernel, bias, strides, padding, dilation)
    np.testing.assert_allclose(out.numpy(), np.maximum(expected, 0) if relu else expected, rtol=1e-10, atol=1e-12)


@given(conv_cases(), st.booleans())
def test_fused_op_gradients_match_finite_differences(case, relu):
    x, kernel, bias, strides, padding, dilation = case
    if relu:  # keep the outputs off relu's kink
        assume(np.abs(np_conv1d(x, kernel, bias, strides, padding, dilation)).min() > 1e-3)
    inputs = [x, kernel] + ([] if bias is None else [bias])
    assert gradcheck(lambda *a: run_op(*a[:2], a[2] if len(a) > 2 else None, strides, padding, dilation, relu),
                     inputs)


@given(conv_cases())
def test_fused_op_equals_its_composed_twin_values_and_gradients(case):
    x, kernel, bias, strides, padding, dilation = case
    direction = np.random.default_rng(1).standard_normal(np_conv1d(x, kernel, bias, strides, padding, dilation).shape)
    results = []
    for fused in (True, False):
        tensors = [Tensor(a, requires_grad=True, dtype="float64") for a in (x, kernel) + ((bias,) if bias is not None
                                                                                          else ())]
        b = tensors[2] if bias is not None else None
        out = (run_op(tensors[0], tensors[1], b, strides, padding, dilation) if fused else
               conv1d_composed(tensors[0], tensors[1], b, strides, padding, dilation))
        (out * direction).sum().backward()
        results.append([out.numpy()] + [t.grad for t in tensors])
    for fused, composed in zip(*results):
        np.testing.assert_allclose(fused, composed, rtol=1e-10, atol=1e-12)


@given(conv_cases(), st.integers(1, 6))
def test_working_through_the_rows_in_blocks_changes_nothing(case, block_rows):
    """The op works through rows in blocks of BLOCK_ROWS (4,096): tiny blocks give the same values and gradients."""
    import dl_sequence.conv1d as conv1d_module

    x, kernel, bias, strides, padding, dilation = case
    results = []
    for rows in (conv1d_module.BLOCK_ROWS, block_rows):
        saved, conv1d_module.BLOCK_ROWS = conv1d_module.BLOCK_ROWS, rows
        try:
            tensors = [Tensor(a, requires_grad=True, dtype="float64") for a in (x, kernel)]
            out = run_op(*tensors, None if bias is None else Tensor(bias, dtype="float64"), strides, padding, dilation,
                         relu=True)
            (out * out).sum().backward()
            results.append([out.numpy()] + [t.grad for t in tensors])
        finally:
            conv1d_module.BLOCK_ROWS = saved
    for whole, blocked in zip(*results):
        np.testing.assert_allclose(blocked, whole, rtol=1e-12, atol=1e-12)


def test_float32_stays_float32_and_the_input_gradient_is_skipped_when_not_needed():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((2, 10, 3)).astype(np.float32))  # no gradient wanted (e.g. raw data)
    kernel = Tensor(rng.standard_normal((3, 3, 4)).astype(np.float32), requires_grad=True)
    op = Conv1DOp(use_bias=False)
    out = op(x, kernel)
    assert out.dtype == np.float32 and op.needs_input_grad == (False, True)
    out.sum().backward()
    assert x.grad is None and kernel.grad.dtype == np.float32 and kernel.grad.shape == (3, 3, 4)


def test_integer_inputs_take_the_kernels_dtype():
    out = Conv1DOp(use_bias=False)(Tensor(np.arange(5).reshape(1, 5, 1)), Tensor(np.ones((2, 1, 1), np.float32)))
    np.testing.assert_array_equal(out.numpy()[0, :, 0], [1, 3, 5, 7])
    assert out.dtype == np.float32


@pytest.mark.parametrize("length, kernel, strides, dilation, expected_len, expected_pads", [
    (10, 3, 1, 1, 10, (1, 1)),
    (10, 4, 1, 1, 10, (1, 2)),   # even kernel: the odd zero goes after, as TensorFlow
    (10, 3, 2, 1, 5, (0, 1)),
    (7, 5, 3, 1, 3, (2, 2)),  # 3 outputs: (3 - 1) * 3 + 5 - 7 = 4 zeros
    (9, 3, 1, 2, 9, (2, 2)),
])
def test_same_padding_follows_tensorflow(length, kernel, strides, dilation, expected_len, expected_pads):
    layer = Conv1D(2, kernel, strides=strides, dilation_rate=dilation, padding="same")
    assert layer.compute_output_shape((None, length, 3)) == (None, expected_len, 2)
    assert conv1d_padding(length, kernel, strides, "same", dilation) == expected_pads
    assert layer(np.zeros((1, length, 3))).shape == (1, expected_len, 2)


def test_causal_output_at_t_sees_only_inputs_up_to_t():
    rng = np.random.default_rng(0)
    layer = Conv1D(4, 3, padding="causal", dilation_rate=2)
    x = rng.standard_normal((2, 12, 3)).astype(np.float32)
    out = layer(x).numpy()
    assert out.shape == (2, 12, 4)
    for t in range(12):
        future = x.copy()
        future[:, t + 1:] = rng.standard_normal(future[:, t + 1:].shape)  # change only what comes after t
        np.testing.assert_array_equal(layer(future).numpy()[:, :t + 1], out[:, :t + 1])
    x_changed = x.copy()
    x_changed[:, 7] += 1.0  # step 7 reaches outputs 7, 9 and 11 (dilation 2, 3 taps)
    changed = np.abs(layer(x_changed).numpy() - out).sum(axis=(0, 2)) > 0
    np.testing.assert_array_equal(np.flatnonzero(changed), [7, 9, 11])


def test_weights_in_keras_layout_and_relu_fused():
    layer = Conv1D(8, 3, name="conv", activation="relu")
    x = np.random.default_rng(1).standard_normal((2, 9, 5)).astype(np.float32)
    out = layer(x)
    assert [w.shape for w in layer.get_weights()] == [(3, 5, 8), (8,)]
    assert [w.path for w in layer.weights] == ["conv/kernel", "conv/bias"]
    assert type(out._op).__name__ == "Conv1DOp" and out._op.relu
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(out.numpy(), np.maximum(np_conv1d(x, kernel, bias, 1, "valid", 1), 0), rtol=1e-5,
                               atol=1e-5)
    tanh = Conv1D(8, 3, activation="tanh")
    tanh(x)
    tanh.set_weights([kernel, bias])
    np.testing.assert_allclose(tanh(x).numpy(), np.tanh(np_conv1d(x, kernel, bias, 1, "valid", 1)), rtol=1e-5,
                               atol=1e-6)


def test_kernel_size_strides_and_dilation_as_int_or_1_tuple():
    a, b = Conv1D(4, 3, strides=2), Conv1D(4, (3,), strides=[2])
    assert a.kernel_size == b.kernel_size == (3,) and a.strides == b.strides == (2,)
    assert Conv1D(4, 3, dilation_rate=(2,)).dilation_rate == (2,)
    assert Convolution1D is Conv1D


def test_the_books_imdb_1d_convnet_shapes_and_parameters():
    # 6.4 (first edition): Embedding(10000, 128) then these layers on sequences of 500 steps
    model = L.Sequential([
        L.Input(shape=(500, 128)),
        Conv1D(32, 7, activation="relu"),
        MaxPooling1D(5),
        Conv1D(32, 7, activation="relu"),
        GlobalMaxPooling1D(),
        L.Dense(1),
    ])
    assert [layer.output_shape for layer in model.layers] == [
        (None, 494, 32), (None, 98, 32), (None, 92, 32), (None, 32), (None, 1)]
    assert [layer.count_params() for layer in model.layers] == [28_704, 0, 7_200, 0, 33]


def test_the_books_jena_conv_part_before_the_gru():
    # 6.4: Conv1D(32, 5) + MaxPooling1D(3) + Conv1D(32, 5) on 14 features, any length (input_shape=(None, 14))
    model = L.Sequential([
        Conv1D(32, 5, activation="relu", input_shape=(None, 14)),
        MaxPooling1D(3),
        Conv1D(32, 5, activation="relu"),
    ])
    assert model.layers[-1].output_shape == (None, None, 32)
    assert model.count_params() == 2_272 + 5_152 == 7_424  # + GRU(32, reset_after=False) 6,240 + Dense 33 = 13,697
    assert model.predict(np.zeros((2, 240, 14), np.float32), verbose=0).shape == (2, 74, 32)  # 236 -> 78 -> 74


@pytest.mark.parametrize("kwargs, error, message", [
    ({"filters": 0, "kernel_size": 3}, ValueError, "Conv1D: argument `filters` must be an integer >= 1, got 0"),
    ({"filters": 4, "kernel_size": (3, 3)}, ValueError, "Conv1D: argument `kernel_size` must be an int or a tuple"),
    ({"filters": 4, "kernel_size": 3, "padding": "full"}, ValueError,
     "Conv1D: argument `padding` must be one of 'valid', 'same', 'causal', got 'full'"),
    ({"filters": 4, "kernel_size": 3, "data_format": "channels_first"}, ValueError,
     "Conv1D: argument `data_format` must be one of 'channels_last', got 'channels_first'"),
    ({"filters": 4, "kernel_size": 3, "groups": 2}, ValueError, "Conv1D: argument `groups` must be one of 1, got 2"),
    ({"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, ValueError,
     "strides > 1 cannot be combined with dilation_rate > 1"),
])
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        Conv1D(**kwargs)


def test_bad_inputs_name_the_layer():
    layer = Conv1D(4, 3, name="conv")
    with pytest.raises(ValueError, match=r"Layer 'conv' expects sequences of rank 3 \(batch, time, channels\), got "
                                         r"shape \(None, 10\) \(rank 2\)"):
        layer(np.zeros((2, 10)))
    layer(np.zeros((2, 10, 5)))
    with pytest.raises(ValueError, match="Layer 'conv' was built for inputs with 5 at axis -1, got shape"):
        layer(np.zeros((2, 10, 6)))
    with pytest.raises(ValueError, match="Layer 'conv' expects inputs of rank 3"):
        layer(np.zeros((2, 10, 5, 1)))
    with pytest.raises(ValueError, match=r"Layer 'conv': an input of length 2 is too short: its kernel of 3 taps "
                                         r"\(dilation_rate 1\) needs at least 3 steps"):
        layer(np.zeros((2, 2, 5)))
    dilated = Conv1D(4, 3, dilation_rate=4, name="dilated")
    with pytest.raises(ValueError, match="Layer 'dilated': an input of length 8 is too short.*needs at least 9 steps"):
        dilated.compute_output_shape((None, 8, 5))
    with pytest.raises(ValueError, match="Layer 'dilated': an input of length 8"):
        L.Sequential([L.Input(shape=(8, 5)), dilated])
    assert Conv1D(4, 3, dilation_rate=4, padding="causal")(np.zeros((1, 8, 5))).shape == (1, 8, 4)


def test_get_config_round_trip():
    layer = Conv1D(4, 5, strides=2, padding="causal", activation="tanh", use_bias=False, kernel_regularizer="l2",
                   name="c")
    config = layer.get_config()
    clone = Conv1D.from_config(config)
    assert clone.get_config() == config
    assert config["kernel_size"] == [5] and config["strides"] == [2] and config["padding"] == "causal"


def test_a_tiny_convnet_learns_to_find_a_motif_anywhere_and_survives_save_and_load(tmp_path):
    # label 1: the motif (+1, -1, +1) on channel 0 appears somewhere in a noisy sequence of 30 steps
    rng = np.random.default_rng(0)
    n, length = 256, 30
    x = 0.5 * rng.standard_normal((n, length, 2)).astype(np.float32)
    y = rng.integers(0, 2, n)
    starts = rng.integers(0, length - 3, n)
    for offset, value in enumerate((1.5, -1.5, 1.5)):
        x[np.flatnonzero(y), starts[y == 1] + offset, 0] = value
    model = L.Sequential([L.Input(shape=(None, 2)), Conv1D(8, 3, activation="relu"), GlobalMaxPooling1D(),
                          L.Dense(1, activation="sigmoid")])
    model.compile(optimizer=L.optimizers.Adam(0.02), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x[:192], y[:192], epochs=30, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(x[192:], y[192:], verbose=0)  # 64 sequences it never saw
    assert accuracy > 0.9
    longer = 0.5 * rng.standard_normal((4, 60, 2)).astype(np.float32)
    assert model.predict(longer, verbose=0).shape == (4, 1)  # any length: the motif detector slides
    model.save(tmp_path / "motif.keras")
    loaded = L.load_model(tmp_path / "motif.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[0].get_config() == model.layers[0].get_config()
