"""How fit, evaluate and predict take their data: arrays, dicts and lists, generators,
Sequences; batching and shuffling; validation splits; sample and class weights; errors."""

import numpy as np
import pytest

import dl_layers
from dl_layers import Concatenate, Dense, Dropout, Input, Layer, Model, Sequential
from dl_layers.data_adapter import ArrayData, IterableData, make_data
from dl_tensor import Tensor

N = 10


class Tap(Layer):
    """Passes its input through and remembers every batch it saw (and the training flag)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def compute_output_shape(self, input_shape):
        return input_shape

    def call(self, inputs, training=None):
        self.seen.append((inputs.data.copy(), training))
        return inputs

    def batches(self, training=True):
        return [batch for batch, flag in self.seen if bool(flag) == training]

    def sample_ids(self, training=True):
        return [batch[:, 0].astype(int).tolist() for batch in self.batches(training)]


def index_data(n=N):
    """x[:, 0] is the sample's index, so the model's input shows which samples it got."""
    x = np.stack([np.arange(n), np.ones(n)], axis=1).astype(np.float32)
    y = (0.1 * np.arange(n)).astype(np.float32).reshape(n, 1)
    return x, y


def tapped_model(optimizer="sgd"):
    tap = Tap()
    model = Sequential([tap, Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    return model, tap


# -- arrays: batching, shuffling, steps -------------------------------------------------------

def test_batches_cover_every_sample_once_in_order_without_shuffle():
    x, y = index_data()
    model, tap = tapped_model()
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert tap.sample_ids() == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] * 2


def test_shuffled_batches_cover_every_sample_once_per_epoch():
    x, y = index_data()
    model, tap = tapped_model()
    model.fit(x, y, batch_size=3, epochs=3, verbose=0)  # shuffle=True is the default
    ids = tap.sample_ids()
    assert [len(b) for b in ids] == [3, 3, 3, 1] * 3  # last batch partial
    epochs = [sum(ids[i:i + 4], []) for i in range(0, 12, 4)]
    for order in epochs:
        assert sorted(order) == list(range(N))
    assert epochs[0] != list(range(N))
    assert epochs[0] != epochs[1] or epochs[1] != epochs[2]  # a new order each epoch


def test_same_seed_same_order_different_seed_different_order():
    x, y = index_data()

    def order(seed):
        dl_layers.set_random_seed(seed)
        model, tap = tapped_model()
        model.fit(x, y, batch_size=4, epochs=2, verbose=0)
        return tap.sample_ids()

    assert order(3) == order(3)
    assert order(3) != order(4)


def test_steps_per_epoch_limits_the_batches():
    x, y = index_data()
    model, tap = tapped_model()
    history = model.fit(x, y, batch_size=3, epochs=2, shuffle=False, steps_per_epoch=2, verbose=0)
    assert tap.sample_ids() == [[0, 1, 2], [3, 4, 5]] * 2
    assert len(history.history["loss"]) == 2
    # more steps than batches: one pass
    model, tap = tapped_model()
    model.fit(x, y, batch_size=3, epochs=1, shuffle=False, steps_per_epoch=50, verbose=0)
    assert tap.sample_ids() == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_default_batch_size_is_32():
    x, y = index_data(70)
    model, tap = tapped_model()
    model.fit(x, y, epochs=1, verbose=0)
    assert [len(b) for b in tap.batches()] == [32, 32, 6]


def test_evaluate_and_predict_go_through_the_samples_in_order_in_inference_mode():
    x, y = index_data()
    model, tap = tapped_model()
    model.evaluate(x, y, batch_size=4, verbose=0)
    model.predict(x, batch_size=6)
    assert tap.sample_ids(training=True) == []
    assert tap.sample_ids(training=False) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3, 4, 5], [6, 7, 8, 9]]


def test_float64_inputs_are_converted_once_to_float32():
    x, y = index_data()
    data = ArrayData(x.astype(np.float64), y.astype(np.float64), batch_size=4)
    assert data.x.dtype == np.float32 and data.y.dtype == np.float32
    for _, (xb, yb, _) in data.batches():
        # every batch is a view of the one converted copy, not a new conversion
        assert xb.dtype == np.float32 and np.shares_memory(xb, data.x)
        assert yb.dtype == np.float32 and np.shares_memory(yb, data.y)
    model, tap = tapped_model()
    model.fit(x.astype(np.float64), y.astype(np.float64), epochs=1, verbose=0)
    assert all(b.dtype == np.float32 for b in tap.batches())
    ints = ArrayData(np.arange(4).reshape(4, 1), batch_size=2)
    assert ints.x.dtype.kind == "i"  # integer ids (for Embedding, sparse labels) are left alone


def test_tensors_are_accepted_as_arrays():
    x, y = index_data()
    model, tap = tapped_model()
    model.fit(Tensor(x), Tensor(y), batch_size=5, shuffle=False, verbose=0)
    assert tap.sample_ids() == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


# -- several inputs and outputs ---------------------------------------------------------------

def two_in_two_out():
    a = Input(shape=(3,), name="a")
    b = Input(shape=(2,), name="b")
    h = Concatenate()([a, b])
    model = Model([a, b], [Dense(1, name="y1")(h), Dense(2, name="y2")(h)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def multi_data():
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(12, 3)).astype(np.float32), rng.normal(size=(12, 2)).astype(np.float32)
    t1, t2 = rng.normal(size=(12, 1)).astype(np.float32), rng.normal(size=(12, 2)).astype(np.float32)
    return xa, xb, t1, t2


def test_dict_and_list_inputs_and_targets_train_identically():
    xa, xb, t1, t2 = multi_data()
    model = two_in_two_out()
    start = model.get_weights()
    results = []
    for x, y in [({"a": xa, "b": xb}, {"y1": t1, "y2": t2}), ([xa, xb], [t1, t2]),
                 ({"b": xb, "a": xa}, {"y2": t2, "y1": t1})]:  # dict order does not matter
        model.set_weights(start)
        model.compile(optimizer="sgd", loss="mse")
        dl_layers.set_random_seed(7)
        history = model.fit(x, y, batch_size=5, epochs=2, verbose=0)
        results.append((history.history, [w.copy() for w in model.get_weights()]))
    for hist, weights in results[1:]:
        assert hist == results[0][0]
        for w, w0 in zip(weights, results[0][1]):
            np.testing.assert_array_equal(w, w0)
    assert sorted(results[0][0]) == ["loss", "y1_loss", "y2_loss"]


def test_multi_output_loss_is_the_sum_of_the_output_losses():
    xa, xb, t1, t2 = multi_data()
    model = two_in_two_out()
    logs = model.evaluate({"a": xa, "b": xb}, {"y1": t1, "y2": t2}, batch_size=5, verbose=0, return_dict=True)
    p1, p2 = model.predict({"a": xa, "b": xb})
    l1 = float(np.mean((p1.astype(np.float64) - t1) ** 2))
    l2 = float(np.mean((p2.astype(np.float64) - t2) ** 2))
    assert logs["y1_loss"] == pytest.approx(l1, rel=1e-5)
    assert logs["y2_loss"] == pytest.approx(l2, rel=1e-5)
    assert logs["loss"] == pytest.approx(l1 + l2, rel=1e-5)


def test_multi_input_dict_missing_key_and_length_mismatch():
    xa, xb, t1, t2 = multi_data()
    model = two_in_two_out()
    with pytest.raises(ValueError, match=r"inputs \['b'\] are missing"):
        model.fit({"a": xa}, [t1, t2], verbose=0)
    with pytest.raises(ValueError, match=r"fit: x\['a'\] has 12 samples but x\['b'\] has 11"):
        model.fit({"a": xa, "b": xb[:11]}, [t1, t2], verbose=0)
    with pytest.raises(ValueError, match=r"fit: x\[0\] has 12 samples but y\['y2'\] has 10"):
        model.fit([xa, xb], {"y1": t1, "y2": t2[:10]}, verbose=0)
    with pytest.raises(ValueError, match=r"targets for unknown outputs \['y3'\]"):
        model.fit([xa, xb], {"y1": t1, "y2": t2, "y3": t2}, verbose=0)


# -- errors ------------------------------------------------------------------------------------

def compiled():
    model = Sequential([Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_x_and_y_with_different_lengths():
    x, y = index_data()
    with pytest.raises(ValueError, match="fit: x has 10 samples but y has 9; they must match"):
        compiled().fit(x, y[:9], verbose=0)
    with pytest.raises(ValueError, match="evaluate: x has 10 samples but y has 11"):
        compiled().evaluate(x, np.zeros((11, 1)), verbose=0)
    with pytest.raises(ValueError, match="fit: x has 10 samples but sample_weight has 3"):
        compiled().fit(x, y, sample_weight=np.ones(3), verbose=0)


def test_empty_data():
    with pytest.raises(ValueError, match=r"fit: the data is empty \(0 samples in x, y\)"):
        compiled().fit(np.zeros((0, 2)), np.zeros((0, 1)), verbose=0)
    with pytest.raises(ValueError, match="predict: the data is empty"):
        compiled().predict(np.zeros((0, 2)))


@pytest.mark.parametrize("where, value, kind", [("x", np.nan, "NaN"), ("y", np.nan, "NaN"),
                                                ("x", np.inf, "an infinite value"),
                                                ("y", -np.inf, "an infinite value")])
def test_nan_and_inf_are_reported_with_their_index(where, value, kind):
    x, y = index_data()
    if where == "x":
        x[6, 1] = value
        index = r"\(6, 1\) \(sample 6\)"
    else:
        y[3, 0] = value
        index = r"\(3, 0\) \(sample 3\)"
    with pytest.raises(ValueError, match=f"fit: {where} contains {kind} at index {index}"):
        compiled().fit(x, y, verbose=0)


def test_nan_in_predict_and_evaluate_inputs():
    x, y = index_data()
    x[2, 0] = np.nan
    with pytest.raises(ValueError, match="predict: x contains NaN at index"):
        compiled().predict(x)
    with pytest.raises(ValueError, match="evaluate: x contains NaN"):
        compiled().evaluate(x, y, verbose=0)


def test_scalars_are_rejected():
    x, y = index_data()
    with pytest.raises(ValueError, match="fit: x must have a batch axis, got a scalar"):
        compiled().fit(np.float32(1.0), y, verbose=0)
    with pytest.raises(ValueError, match="fit: y must have a batch axis, got a scalar"):
        compiled().fit(x, 3.0, verbose=0)


@pytest.mark.parametrize("bad", [0, -4, 2.5, "32"])
def test_batch_size_must_be_a_positive_integer(bad):
    x, y = index_data()
    with pytest.raises(ValueError, match=f"fit: batch_size must be a positive integer, got {bad!r}"):
        compiled().fit(x, y, batch_size=bad, verbose=0)
    with pytest.raises(ValueError, match="evaluate: batch_size must be a positive integer"):
        compiled().evaluate(x, y, batch_size=bad, verbose=0)
    with pytest.raises(ValueError, match="predict: batch_size must be a positive integer"):
        compiled().predict(x, batch_size=bad)


@pytest.mark.parametrize("split", [1.0, -0.2, 1.5, float("nan")])
def test_validation_split_outside_zero_one(split):
    x, y = index_data()
    with pytest.raises(ValueError, match=r"fit: validation_split must be in \(0, 1\)"):
        compiled().fit(x, y, validation_split=split, verbose=0)


@pytest.mark.parametrize("n, split", [(3, 0.9), (1, 0.5), (10, 1e-17)])
def test_validation_split_leaving_an_empty_set(n, split):
    x, y = index_data(n)
    with pytest.raises(ValueError, match=f"validation_split={split} leaves an empty training or validation set "
                                         f"for {n} samples"):
        compiled().fit(x, y, validation_split=split, verbose=0)


def endless(x, y, counter=None):
    while True:
        for i in range(0, len(x), 4):
            if counter is not None:
                counter.append(i)
            yield x[i:i + 4], y[i:i + 4]


def test_generator_argument_errors():
    x, y = index_data()
    with pytest.raises(ValueError, match="validation_split needs arrays; with a generator pass validation_data"):
        compiled().fit(endless(x, y), steps_per_epoch=2, validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="fit: batch_size cannot be used with a generator"):
        compiled().fit(endless(x, y), batch_size=4, steps_per_epoch=2, verbose=0)
    with pytest.raises(ValueError, match="fit: when x is a generator or iterable of batches, y must be None"):
        compiled().fit(endless(x, y), y, steps_per_epoch=2, verbose=0)
    with pytest.raises(ValueError, match="evaluate: when x is a generator or iterable of batches, y must be None"):
        compiled().evaluate(endless(x, y), y, steps=2, verbose=0)


@pytest.mark.parametrize("bad", [0, -1])
def test_steps_must_be_at_least_one(bad):
    x, y = index_data()
    with pytest.raises(ValueError, match=f"fit: steps_per_epoch must be at least 1 \\(or None\\), got {bad}"):
        compiled().fit(x, y, steps_per_epoch=bad, verbose=0)
    with pytest.raises(ValueError, match="fit: steps_per_epoch must be at least 1"):
        compiled().fit(endless(x, y), steps_per_epoch=bad, verbose=0)
    with pytest.raises(ValueError, match="fit \\(validation_data\\): validation_steps must be at least 1"):
        compiled().fit(x, y, validation_data=endless(x, y), validation_steps=bad, verbose=0)
    with pytest.raises(ValueError, match="evaluate: steps must be at least 1"):
        compiled().evaluate(x, y, steps=bad, verbose=0)


def test_x_is_required():
    with pytest.raises(ValueError, match="fit: x is required"):
        compiled().fit(None, np.zeros((3, 1)), verbose=0)


# -- validation_split ---------------------------------------------------------------------------

def test_validation_split_holds_out_the_last_samples_before_shuffling():
    x, y = index_data()
    y[8:] = 100.0  # the tail is unlike the rest: its loss tells which samples were held out
    model, tap = tapped_model()
    history = model.fit(x, y, batch_size=3, epochs=1, validation_split=0.2, shuffle=True, verbose=0)
    trained_on = sorted(sum(tap.sample_ids(training=True), []))
    assert trained_on == list(range(8))
    assert tap.sample_ids(training=False) == [[8, 9]]
    # the validation loss is the loss on the tail, with the weights at the end of the epoch
    tail_loss = model.evaluate(x[8:], y[8:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(tail_loss, rel=1e-6)
    assert history.history["val_loss"][0] > 100 * model.evaluate(x[:2], y[:2], verbose=0)


def test_validation_split_with_sample_weight_splits_the_weights_too():
    x, y = index_data()
    w = np.ones(N, np.float32)
    w[8:] = 0.0  # the held-out samples weigh nothing...
    history = compiled().fit(x, y, sample_weight=w, validation_split=0.2, epochs=1, verbose=0)
    assert history.history["val_loss"][0] == 0.0  # ...so validation is weighted by the tail's weights
    assert history.history["loss"][0] > 0.0


def test_validation_split_with_multi_input_dicts():
    xa, xb, t1, t2 = multi_data()
    model = two_in_two_out()
    history = model.fit({"a": xa, "b": xb}, [t1, t2], validation_split=0.25, shuffle=False, epochs=1, verbose=0)
    logs = model.evaluate({"a": xa[9:], "b": xb[9:]}, [t1[9:], t2[9:]], verbose=0, return_dict=True)
    assert history.history["val_loss"][0] == pytest.approx(logs["loss"], rel=1e-6)
    assert history.history["val_y2_loss"][0] == pytest.approx(logs["y2_loss"], rel=1e-6)


# -- generators and other batch sources ---------------------------------------------------------

def test_infinite_generator_with_steps_per_epoch():
    x, y = index_data()
    pulls = []
    model, tap = tapped_model()
    history = model.fit(endless(x, y, pulls), steps_per_epoch=4, epochs=2, verbose=0)
    assert len(pulls) == 8  # no batch drawn beyond steps_per_epoch
    # the second epoch continues where the first one stopped in the generator
    assert tap.sample_ids() == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3],
                                [4, 5, 6, 7], [8, 9], [0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(history.history["loss"]) == 2


def test_finite_generator_for_one_epoch():
    x, y = index_data()
    model, tap = tapped_model()
    model.fit(((x[i:i + 3], y[i:i + 3]) for i in range(0, N, 3)), epochs=1, verbose=0)
    assert tap.sample_ids() == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_generator_used_up_on_epoch_two_gives_a_clear_error():
    x, y = index_data()
    model, _ = tapped_model()
    gen = ((x[i:i + 5], y[i:i + 5]) for i in range(0, N, 5))
    with pytest.raises(ValueError, match="fit: the data source yielded no batches .*a generator is used up after "
                                         "one pass: give steps_per_epoch"):
        model.fit(gen, epochs=2, verbose=0)


def test_empty_generator_on_the_first_epoch():
    with pytest.raises(ValueError, match=r"fit: the data source yielded no batches$"):
        compiled().fit(iter([]), epochs=1, verbose=0)


def test_list_of_batches_is_iterated_again_every_epoch():
    x, y = index_data()
    batches = [(x[:4], y[:4]), (x[4:], y[4:])]
    model, tap = tapped_model()
    history = model.fit(batches, epochs=3, verbose=0)
    assert tap.sample_ids() == [[0, 1, 2, 3], [4, 5, 6, 7, 8, 9]] * 3
    assert len(history.history["loss"]) == 3
    # the same list works for evaluate and predict
    assert isinstance(model.evaluate(batches, verbose=0), float)
    assert model.predict([(x[:4],), (x[4:],)]).shape == (N, 1)


class Batches:
    """A keras.utils.Sequence look-alike: ``len`` batches, fetched by index."""

    def __init__(self, x, y, size, weights=None):
        self.x, self.y, self.size, self.weights = x, y, size, weights
        self.fetched = []

    def __len__(self):
        return -(-len(self.x) // self.size)

    def __getitem__(self, i):
        self.fetched.append(i)
        part = slice(i * self.size, (i + 1) * self.size)
        if self.weights is None:
            return self.x[part], self.y[part]
        return self.x[part], self.y[part], self.weights[part]


def test_sequence_with_steps_from_len():
    x, y = index_data()
    seq = Batches(x, y, 4)
    seen = {}

    class Params(dl_layers.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen.update(self.params)

    model, tap = tapped_model()
    model.fit(seq, epochs=2, verbose=0, callbacks=[Params()])
    assert seen["steps"] == 3
    assert seq.fetched == [0, 1, 2, 0, 1, 2]
    assert tap.sample_ids() == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] * 2


def fixed_model(kernel=((2.0,), (-1.0,))):
    """y = 2 x0 - x1, no bias: losses can be computed by hand."""
    inputs = Input(shape=(2,))
    model = Model(inputs, Dense(1, use_bias=False)(inputs))
    model.set_weights([np.array(kernel, np.float32)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return model


XW = np.array([[1, 0], [0, 1], [1, 1], [2, 1], [0.5, 0], [1, 3]], np.float32)
YW = np.array([[0], [1], [1], [0], [1], [0]], np.float32)
ERR = (XW.astype(np.float64) @ [[2.0], [-1.0]] - YW)[:, 0]  # prediction - target, per sample


def weighted_mse(weights):
    """Keras's sum_over_batch_size: sum(w * loss) / number of samples."""
    return float(np.sum(np.asarray(weights, np.float64) * ERR**2) / len(ERR))


def test_batches_with_sample_weights_from_a_generator():
    w = np.array([1.0, 0.0, 2.0, 0.5, 0.0, 3.0], np.float32)
    model = fixed_model()
    loss = model.evaluate(((XW[i:i + 4], YW[i:i + 4], w[i:i + 4]) for i in range(0, 6, 4)), verbose=0)
    assert loss[0] == pytest.approx(weighted_mse(w), rel=1e-6)
    # the same from a Sequence, and from arrays
    assert model.evaluate(Batches(XW, YW, 4, w), verbose=0)[0] == pytest.approx(weighted_mse(w), rel=1e-6)
    assert model.evaluate(XW, YW, sample_weight=w, batch_size=4, verbose=0)[0] == pytest.approx(
        weighted_mse(w), rel=1e-6)
    # fit on one weighted batch: the epoch's loss is the loss before the update
    history = fixed_model().fit(iter([(XW, YW, w)]), epochs=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(weighted_mse(w), rel=1e-6)


def test_validation_data_as_a_generator_with_validation_steps():
    x, y = index_data()
    pulls = []
    model, tap = tapped_model()
    history = model.fit(x, y, epochs=2, verbose=0, validation_data=endless(x, y, pulls), validation_steps=2)
    assert len(pulls) == 4  # two batches per validation pass
    assert tap.sample_ids(training=False) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3]]
    assert len(history.history["val_loss"]) == 2
    # the validation loss of the last epoch is the loss on those two batches
    last = model.evaluate(np.concatenate([x[8:], x[:4]]), np.concatenate([y[8:], y[:4]]), verbose=0)
    assert history.history["val_loss"][1] == pytest.approx(last, rel=1e-6)


def test_validation_data_as_a_list_of_batches_and_as_a_tuple_with_weights():
    x, y = index_data()
    model = compiled()
    history = model.fit(x, y, epochs=1, verbose=0, validation_data=[(x[:5], y[:5]), (x[5:], y[5:])])
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-6)
    w = np.zeros(N, np.float32)
    history = model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y, w))
    assert history.history["val_loss"][0] == 0.0


def test_validation_generator_with_training_batch_size():
    x, y = index_data()
    history = compiled().fit(x, y, batch_size=4, epochs=1, verbose=0, validation_data=endless(x, y),
                             validation_steps=2)
    assert len(history.history["val_loss"]) == 1


def test_validation_data_as_a_list_is_read_like_a_tuple():
    x, y = index_data()
    model = compiled()
    history = model.fit(x, y, epochs=1, verbose=0, validation_data=[x, y])
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-6)


# -- sample_weight and class_weight ------------------------------------------------------------

def test_sample_weight_with_train_on_batch_and_test_on_batch():
    w = np.array([0.5, 2.0, 1.0, 0.0, 3.0, 1.5], np.float32)
    loss, mae = fixed_model().train_on_batch(XW, YW, sample_weight=w)
    assert loss == pytest.approx(weighted_mse(w), rel=1e-6)
    # the weighted metric: sum(w * |err|) / sum(w)
    assert mae == pytest.approx(float(np.sum(w * np.abs(ERR)) / np.sum(w)), rel=1e-6)
    assert fixed_model().test_on_batch(XW, YW, sample_weight=w)[0] == pytest.approx(weighted_mse(w), rel=1e-6)
    assert fixed_model().test_on_batch(XW, YW)[0] == pytest.approx(weighted_mse(np.ones(6)), rel=1e-6)


def test_class_weight_weighs_each_sample_by_its_class():
    cw = {0: 0.25, 1: 4.0}
    per_sample = np.where(YW[:, 0] == 1, 4.0, 0.25)
    model = fixed_model()
    assert model.train_on_batch(XW, YW, class_weight=cw)[0] == pytest.approx(weighted_mse(per_sample), rel=1e-6)
    history = fixed_model().fit(XW, YW, class_weight=cw, batch_size=6, epochs=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(weighted_mse(per_sample), rel=1e-6)
    # with sample weights as well: the product
    w = np.array([1.0, 2.0, 0.0, 1.0, 1.0, 3.0], np.float32)
    history = fixed_model().fit(XW, YW, class_weight=cw, sample_weight=w, batch_size=6, epochs=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(weighted_mse(per_sample * w), rel=1e-6)


def test_class_weight_uses_the_training_part_after_validation_split():
    x = np.concatenate([XW, XW[:2]])
    y = np.concatenate([YW, YW[:2]])
    cw = {0: 0.25, 1: 4.0}
    history = fixed_model().fit(x, y, class_weight=cw, validation_split=0.25, batch_size=6, epochs=1, verbose=0)
    per_sample = np.where(YW[:, 0] == 1, 4.0, 0.25)
    assert history.history["loss"][0] == pytest.approx(weighted_mse(per_sample), rel=1e-6)


def test_sample_weight_changes_the_update():
    w = np.array([1.0, 0.0, 0.0, 0.0, 0.0, 0.0], np.float32)
    model = fixed_model()
    model.compile(optimizer=dl_layers.optimizers.SGD(learning_rate=0.5), loss="mse")
    model.train_on_batch(XW, YW, sample_weight=w)
    # only sample 0 counts: loss = err0^2 / 6, gradient = 2 err0 x0 / 6
    expected = np.array([[2.0], [-1.0]]) - 0.5 * 2 * ERR[0] * XW[0].reshape(2, 1) / 6
    np.testing.assert_allclose(model.get_weights()[0], expected, rtol=1e-6)


# -- predict and evaluate results -----------------------------------------------------------

def dropout_model():
    model = Sequential([Dense(8, activation="relu"), Dropout(0.5), Dense(2)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return model


def test_predict_concatenates_batches_and_equals_inference_call():
    x = np.random.default_rng(3).normal(size=(11, 4)).astype(np.float32)
    model = dropout_model()
    out = model.predict(x, batch_size=3)
    assert isinstance(out, np.ndarray) and out.shape == (11, 2) and out.dtype == np.float32
    np.testing.assert_allclose(out, model(x).data, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(out, model(x, training=False).data, rtol=1e-6, atol=1e-7)
    assert not np.allclose(out, model(x, training=True).data)  # dropout is off in predict
    from_gen = model.predict(x[i:i + 4] for i in range(0, 11, 4))
    np.testing.assert_allclose(from_gen, out, rtol=1e-6, atol=1e-7)
    from_pairs = model.predict(iter([(x[:5], None), (x[5:], np.zeros(6))]))  # targets are ignored
    np.testing.assert_allclose(from_pairs, out, rtol=1e-6, atol=1e-7)
    endless_x = (x[i % 3 * 4:i % 3 * 4 + 4] for i in range(10**6))
    np.testing.assert_allclose(model.predict(endless_x, steps=3), out, rtol=1e-6, atol=1e-7)


def test_predict_several_outputs():
    xa, xb, _, _ = multi_data()
    model = two_in_two_out()
    p1, p2 = model.predict([xa, xb], batch_size=5)
    q1, q2 = model([xa, xb])
    assert p1.shape == (12, 1) and p2.shape == (12, 2)
    np.testing.assert_allclose(p1, q1.data, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(p2, q2.data, rtol=1e-6, atol=1e-7)


def test_evaluate_return_types():
    x = np.random.default_rng(4).normal(size=(9, 4)).astype(np.float32)
    y = np.random.default_rng(5).normal(size=(9, 2)).astype(np.float32)
    loss_only = Sequential([Dense(2)])
    loss_only.compile(optimizer="sgd", loss="mse")
    value = loss_only.evaluate(x, y, verbose=0)
    assert type(value) is float
    pred = loss_only.predict(x).astype(np.float64)
    assert value == pytest.approx(float(np.mean((pred - y) ** 2)), rel=1e-6)

    model = dropout_model()
    values = model.evaluate(x, y, batch_size=4, verbose=0)
    assert isinstance(values, list) and len(values) == 2 and model.metrics_names == ["loss", "mae"]
    pred = model.predict(x).astype(np.float64)
    assert values[0] == pytest.approx(float(np.mean((pred - y) ** 2)), rel=1e-6)
    assert values[1] == pytest.approx(float(np.mean(np.abs(pred - y))), rel=1e-6)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs == {"loss": pytest.approx(values[0], rel=1e-6), "mae": pytest.approx(values[1], rel=1e-6)}


# -- the adapters directly ----------------------------------------------------------------------

def test_make_data_picks_the_adapter():
    x, y = index_data()
    assert isinstance(make_data(x, y), ArrayData)
    assert isinstance(make_data([x, x], y), ArrayData)  # a list of arrays: several inputs
    assert isinstance(make_data({"a": x}, y), ArrayData)
    assert isinstance(make_data([(x, y)]), IterableData)  # a list of (x, y) batches
    assert isinstance(make_data(endless(x, y), steps=2), IterableData)
    assert isinstance(make_data(Batches(x, y, 3)), IterableData)


def test_iterable_data_steps_and_reiteration():
    x, y = index_data()
    data = IterableData(Batches(x, y, 3))
    assert data.steps == 4
    assert [s for s, _ in data.batches()] == [0, 1, 2, 3]
    assert [s for s, _ in data.batches()] == [0, 1, 2, 3]
    limited = IterableData(Batches(x, y, 3), steps=2)
    assert [s for s, _ in limited.batches()] == [0, 1]
    with pytest.raises(ValueError, match=r"a batch must be \(x, y\) or \(x, y, sample_weight\), got a tuple of 4"):
        list(IterableData(iter([(x, y, y, y)])).batches())
