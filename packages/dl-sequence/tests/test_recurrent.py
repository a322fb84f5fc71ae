"""What the recurrent layers share: the generic RNN with a user's cell, dropout masks (the same
at every step), masking, statefulness, configs and saving, memory, and a smoke test of learning."""

import numpy as np
import pytest

import dl_layers as L
from dl_layers.layers.masking import Masking, get_mask
from dl_sequence import GRU, LSTM, RNN, Bidirectional, LSTMOp, SimpleRNN
from dl_tensor import Tensor


class MinimalRNNCell(L.Layer):
    """Keras's documentation example of a custom cell: h' = x W + h U."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight((input_shape[-1], self.units), "glorot_uniform", name="kernel")
        self.recurrent_kernel = self.add_weight((self.units, self.units), "orthogonal", name="recurrent_kernel")

    def call(self, inputs, states):
        output = inputs @ self.kernel + states[0] @ self.recurrent_kernel
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_rnn_runs_a_users_own_cell_as_keras_does():
    x = np.random.default_rng(0).standard_normal((2, 4, 3)).astype(np.float32)
    layer = RNN(MinimalRNNCell(5), return_sequences=True)
    out = layer(x)
    W, U = layer.get_weights()
    h, expected = np.zeros((2, 5), np.float32), []
    for t in range(4):
        h = x[:, t] @ W + h @ U
        expected.append(h)
    np.testing.assert_allclose(out.numpy(), np.stack(expected, axis=1), rtol=1e-5, atol=1e-6)
    rebuilt = L.registry.deserialize_layer(L.registry.serialize_layer(layer))
    assert isinstance(rebuilt.cell, MinimalRNNCell) and rebuilt.return_sequences


@pytest.mark.parametrize("make", [lambda **k: SimpleRNN(4, **k), lambda **k: GRU(4, **k), lambda **k: LSTM(4, **k)])
def test_fused_layers_equal_their_cell_unrolled_by_rnn_with_dropout_and_masks(make):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 6, 2)).astype(np.float32)
    mask = np.array([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [1, 0, 0, 0, 0, 0]], bool)
    layer = make(dropout=0.3, recurrent_dropout=0.4, return_sequences=True, go_backwards=True)
    layer.build((None, 6, 2))  # the initializers draw from the generator: build before seeding
    readable = RNN(layer.cell, return_sequences=True, go_backwards=True)  # the same cell: the same weights
    L.set_random_seed(5)
    fused = layer(x, mask=mask, training=True)
    L.set_random_seed(5)
    unrolled = readable(x, mask=mask, training=True)
    np.testing.assert_allclose(fused.numpy(), unrolled.numpy(), rtol=1e-5, atol=1e-6)


def identity(shape, dtype="float32"):
    return np.eye(*shape, dtype=dtype)


def test_recurrent_dropout_drops_the_same_units_at_every_step():
    """h_t = (h_{t-1} * m) @ I with the same mask m at every step: the dropped units stay 0 and
    the others grow by 1 / (1 - rate) per step."""
    layer = SimpleRNN(50, activation="linear", use_bias=False, recurrent_dropout=0.5, return_sequences=True,
                      kernel_initializer="zeros", recurrent_initializer=identity)
    out = layer(np.zeros((2, 4, 3), np.float32), initial_state=[np.ones((2, 50), np.float32)], training=True).numpy()
    kept = out[:, 0] != 0
    assert 0 < kept.mean() < 1
    for t in range(4):
        np.testing.assert_array_equal(out[:, t] != 0, kept)
        np.testing.assert_allclose(out[:, t][kept], 2.0 ** (t + 1))


def test_input_dropout_drops_the_same_features_at_every_step_and_none_at_inference():
    layer = SimpleRNN(6, activation="linear", use_bias=False, dropout=0.5, return_sequences=True,
                      kernel_initializer=identity, recurrent_initializer="zeros")
    x = np.ones((3, 5, 6), np.float32)
    out = layer(x, training=True).numpy()
    assert (out == 0).any() and (out == 2).any()
    for t in range(5):
        np.testing.assert_array_equal(out[:, t], out[:, 0])
    np.testing.assert_array_equal(layer(x).numpy(), x)  # inference: no dropout
    L.set_random_seed(3)
    a = layer(x, training=True).numpy()
    L.set_random_seed(3)
    np.testing.assert_array_equal(layer(x, training=True).numpy(), a)  # reproducible under the seed


def test_masked_steps_keep_the_state_and_the_mask_goes_on_the_output():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    x[0, 3:] = 0  # padding
    masked = Masking()(x)
    layer = LSTM(4, return_sequences=True)
    seq = layer(masked)
    np.testing.assert_array_equal(get_mask(seq), [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    np.testing.assert_allclose(seq.numpy()[0, 3], seq.numpy()[0, 2])  # the previous output repeated
    last = LSTM(4)
    last.build((None, 5, 3))
    last.set_weights(layer.get_weights())
    np.testing.assert_allclose(last(masked).numpy()[0], last(x[:1, :3]).numpy()[0], rtol=1e-5, atol=1e-6)
    stacked = GRU(3)(seq)  # a stacked RNN sees the mask too
    assert stacked.shape == (2, 3)


def test_stateful_carries_the_states_and_reset_states_zeroes_them():
    x = np.random.default_rng(0).standard_normal((2, 6, 3)).astype(np.float32)
    whole = GRU(4, return_sequences=True)
    full = whole(x).numpy()
    stateful = GRU(4, return_sequences=True, stateful=True)
    stateful.build((None, 6, 3))
    stateful.set_weights(whole.get_weights())
    first, second = stateful(x[:, :3]).numpy(), stateful(x[:, 3:]).numpy()
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), full, rtol=1e-5, atol=1e-6)
    stateful.reset_states()
    np.testing.assert_allclose(stateful(x[:, :3]).numpy(), full[:, :3], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="stateful.*batch of 3"):
        stateful(np.ones((3, 2, 3), np.float32))
    x_t = Tensor(x[:, :3], requires_grad=True)
    stateful(x_t).sum().backward()  # the carried states are constants: no gradient flows to the last batch
    assert all(isinstance(s, np.ndarray) for s in stateful.states)
    with pytest.raises(AttributeError, match="not stateful"):
        whole.reset_states()


def test_return_state_and_initial_state():
    x = np.ones((2, 3, 4), np.float32)
    out, h, c = LSTM(5, return_state=True)(x)
    assert out.shape == h.shape == c.shape == (2, 5)
    np.testing.assert_array_equal(out.numpy(), h.numpy())
    layer = SimpleRNN(5, return_state=True)
    out0, h0 = layer(x)
    out1, _ = layer(x, initial_state=[np.ones((2, 5), np.float32)])
    assert not np.allclose(out0.numpy(), out1.numpy())


@pytest.mark.parametrize("layer", [
    SimpleRNN(4, dropout=0.1, return_sequences=True, name="s"),
    LSTM(4, recurrent_dropout=0.2, go_backwards=True, unit_forget_bias=False, kernel_regularizer="l2"),
    GRU(4, reset_after=False, activation="relu", return_state=True, stateful=True, unroll=True),
])
def test_get_config_from_config_round_trip(layer):
    config = layer.get_config()
    rebuilt = type(layer).from_config(config)
    assert rebuilt.get_config() == config


def test_save_and_load_model_round_trip(tmp_path):
    model = L.Sequential([L.Input(shape=(None, 3)), LSTM(4, return_sequences=True),
                          Bidirectional(GRU(3, reset_after=False), merge_mode="ave"), L.Dense(1)])
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    model.save(tmp_path / "m.keras")
    loaded = L.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_the_books_stacked_gru_spelling():
    model = L.Sequential([GRU(32, dropout=0.1, recurrent_dropout=0.5, return_sequences=True, input_shape=(None, 14)),
                          GRU(64, activation="relu", dropout=0.1, recurrent_dropout=0.5), L.Dense(1)])
    assert model.output_shape == (None, 1)


def test_the_ops_saved_arrays_grow_linearly_with_the_sequence_length():
    def saved_bytes(steps):
        rng = np.random.default_rng(0)
        ins = [Tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
               for s in [(4, steps, 3), (3, 20), (5, 20), (20,), (4, 5), (4, 5)]]
        op = LSTMOp()
        op(*ins)
        return sum(a.nbytes for a in op.saved if a is not None)

    b10, b20, b40 = saved_bytes(10), saved_bytes(20), saved_bytes(40)
    assert b40 - b20 == 2 * (b20 - b10)  # linear in T: a + b T


def test_an_lstm_learns_whether_the_first_token_is_larger_than_the_last():
    rng = np.random.default_rng(0)
    x = rng.random((512, 8, 1)).astype(np.float32)
    y = (x[:, 0, 0] > x[:, -1, 0]).astype(np.float32)
    model = L.Sequential([L.Input(shape=(8, 1)), LSTM(16), L.Dense(1, activation="sigmoid")])
    model.compile(optimizer=L.optimizers.RMSprop(learning_rate=0.01), loss="binary_crossentropy", metrics=["acc"])
    model.fit(x, y, epochs=12, batch_size=32, verbose=0)
    x_test = rng.random((256, 8, 1)).astype(np.float32)
    y_test = (x_test[:, 0, 0] > x_test[:, -1, 0]).astype(np.float32)
    accuracy = ((model.predict(x_test, verbose=0)[:, 0] > 0.5) == y_test).mean()
    assert accuracy > 0.85, accuracy  # chance is 0.5: the order of the sequence was learned


def test_weight_shares_gather_every_weight_gradient_in_one_product_per_block():
    """WeightShares stacks a block's rows (x with its row of ones, then h) against the gates'
    gradient: the kernel's, the bias's and the recurrent kernel's gradients, as the plain loop
    over steps gives them, whatever the blocks (the last one shorter)."""
    from dl_sequence.recurrent import WeightShares, feature_major

    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 7, 3))  # (b, T, in)
    h, dg = rng.standard_normal((7, 2, 5)), rng.standard_normal((7, 8, 5))  # (T, u, b), (T, n, b)
    x1 = feature_major(x, False, np.float64, ones_row=True)  # (T, in + 1, b)
    blocks = [(0, 3), (3, 6), (6, 7)]
    shares = WeightShares(3 + 1 + 2, 8, blocks, 5, np.float64)
    for start, stop in reversed(blocks):  # in any order: each block has a slot of its own
        shares.add(start, [x1[start:stop], h[start:stop]], dg[start:stop])
    total = shares.total()  # (in + 1 + u, n)
    np.testing.assert_allclose(total[:3], sum(x[:, t].T @ dg[t].T for t in range(7)), rtol=1e-12)  # dW (3, 8)
    np.testing.assert_allclose(total[3], dg.sum(axis=(0, 2)), rtol=1e-12)  # db (8,)
    np.testing.assert_allclose(total[4:], sum(h[t] @ dg[t].T for t in range(7)), rtol=1e-12)  # dU (2, 8)

