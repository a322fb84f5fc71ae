"""The Layer base class: lazy build, weight tracking, freezing, names, shapes, configs."""

import numpy as np
import pytest

import dl_layers as L
from dl_layers import Dense, Input, InputSpec, Layer, Variable


class Affine(Layer):
    """y = x @ w + b, with two weights created in build."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

    def call(self, inputs):
        return inputs @ self.w + self.b


class Block(Layer):
    """Sub-layers found through attributes and lists."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = Affine(4)
        self.rest = [Affine(3), Affine(2)]

    def call(self, inputs):
        x = self.first(inputs)
        for layer in self.rest:
            x = layer(x)
        return x


def test_weights_are_created_lazily_from_the_first_input():
    layer = Affine(5)
    assert not layer.built and layer.weights == []
    with pytest.raises(ValueError, match="not built yet"):
        layer.count_params()
    out = layer(np.ones((2, 3)))
    assert out.shape == (2, 5) and layer.built
    assert [(v.name, v.path, v.shape) for v in layer.weights] == [("w", "affine/w", (3, 5)), ("b", "affine/b", (5,))]
    assert layer.input_shape == (None, 3) and layer.output_shape == (None, 5)


def test_nested_layers_and_lists_are_tracked_in_order():
    block = Block()
    block(np.ones((1, 6)))
    assert [v.path for v in block.weights] == ["affine/w", "affine/b", "affine_1/w", "affine_1/b",
                                                "affine_2/w", "affine_2/b"]
    assert block.count_params() == 6 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2
    block.rest = [Affine(2)]  # rebinding an attribute forgets the old sub-layers
    block(np.ones((1, 6)))
    assert len(block.weights) == 4


def test_set_weights_checks_count_and_shapes():
    layer = Affine(2)
    layer(np.ones((1, 3)))
    layer.set_weights([np.ones((3, 2)), np.full(2, 5.0)])
    np.testing.assert_array_equal(layer(np.zeros((1, 3))).numpy(), [[5.0, 5.0]])
    with pytest.raises(ValueError, match="set_weights got 1 arrays, but the layer has 2 weights"):
        layer.set_weights([np.ones((3, 2))])
    with pytest.raises(ValueError, match=r"weight 'affine/w' has shape \(3, 2\), got an array of shape \(2, 3\)"):
        layer.set_weights([np.ones((2, 3)), np.ones(2)])


def test_build_by_hand_then_set_weights_keeps_those_weights():
    layer = Affine(2)  # its build does not call super().build: building by hand still counts
    layer.build((None, 3))
    assert layer.built and layer.input_shape == (None, 3)
    layer.set_weights([np.ones((3, 2)), np.full(2, 5.0)])
    np.testing.assert_array_equal(layer(np.ones((1, 3))).numpy(), [[8.0, 8.0]])  # not rebuilt with new weights
    dense = Dense(4)
    dense.build((None, 3))
    assert dense.count_params() == 16


def test_a_failing_build_leaves_the_layer_unbuilt():
    class Picky(Layer):
        def build(self, input_shape):
            if input_shape[-1] != 3:
                raise ValueError("three features please")

    layer = Picky()
    with pytest.raises(ValueError, match="three features"):
        layer.build((None, 2))
    assert not layer.built


def test_get_weights_returns_copies():
    layer = Affine(2)
    layer(np.ones((1, 3)))
    weights = layer.get_weights()
    weights[0][...] = 100.0
    assert not (layer.w.numpy() == 100.0).any()


def test_freezing_turns_gradients_off_and_back_on():
    block = Block()
    block(np.ones((1, 6)))
    block.rest[0].trainable = False
    assert len(block.trainable_weights) == 4 and len(block.non_trainable_weights) == 2
    out = block(np.ones((1, 6)))
    out.sum().backward()
    assert block.rest[0].w.grad is None and block.first.w.grad is not None
    block.trainable = True
    assert all(v.requires_grad for v in block.weights)


def test_input_spec_errors_name_the_layer():
    spec = InputSpec(ndim=3, axes={-1: 8})
    with pytest.raises(ValueError, match="Layer 'x' expects inputs of rank 3, got shape \\(2, 8\\) \\(rank 2\\)"):
        spec.check("x", (2, 8))
    with pytest.raises(ValueError, match="built for inputs with 8 at axis -1, got shape \\(2, 5, 7\\)"):
        spec.check("x", (2, 5, 7))
    with pytest.raises(ValueError, match="rank >= 2"):
        InputSpec(min_ndim=2).check("x", (4,))


def test_automatic_names_restart_with_clear_session():
    assert [Dense(1).name, Dense(1).name, Affine(1).name] == ["dense", "dense_1", "affine"]
    L.clear_session()
    assert Dense(1).name == "dense"
    assert Dense(1, name="custom").name == "custom"


def test_output_shape_found_by_running_when_not_declared():
    class TimesTwoWide(Layer):  # no compute_output_shape: the symbolic call runs it on zeros
        def call(self, inputs):
            return L.layers.Concatenate()([inputs, inputs * 2])

    x = Input(shape=(None, 3))
    y = TimesTwoWide()(x)
    assert y.shape == (None, None, 6)


def test_variable_assign_and_repr():
    v = Variable(np.zeros((2, 2)), name="kernel")
    assert v.dtype == np.float32 and v.requires_grad
    v.assign(np.ones((2, 2)))
    np.testing.assert_array_equal(v.numpy(), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"cannot assign a value of shape \(3,\); expected shape \(2, 2\)"):
        v.assign(np.ones(3))
    assert repr(v) == "<Variable 'kernel' shape=(2, 2) dtype=float32 trainable=True>"
    assert not Variable([1.0], trainable=False).requires_grad


def test_base_config_round_trip():
    layer = Dense(3, name="d", trainable=False, input_shape=(4,))
    config = layer.get_config()
    assert config["name"] == "d" and config["trainable"] is False and config["batch_input_shape"] == [None, 4]
    copy = Dense.from_config(config)
    assert copy.get_config() == config


def test_float64_layers_take_float64_arrays():
    layer = Dense(3, dtype="float64")
    out = layer(np.ones((2, 4)))
    assert out.dtype == np.float64 and layer.kernel.dtype == np.float64
    assert Dense(2)(np.ones((1, 3))).dtype == np.float32  # float32 by default


def test_fit_works_when_nothing_is_trainable():
    model = L.Sequential([Input(shape=(4,)), Dense(3, trainable=False)])
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    history = model.fit(np.ones((8, 4), np.float32), np.zeros((8, 3), np.float32), verbose=0)
    assert len(history.history["loss"]) == 1
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_evaluate_and_training_give_the_same_loss_on_saturated_softmax():
    model = L.Sequential([Input(shape=(1,)), Dense(2, activation="softmax", use_bias=False)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.set_weights([np.array([[1.0, -1.0]])])
    x, y = np.array([[500.0], [-500.0]]), np.array([1, 0])  # both confidently wrong
    assert model.evaluate(x, y, verbose=0) == pytest.approx(1000.0)
    assert model.test_on_batch(x, y) == pytest.approx(model.train_on_batch(x, y))


def test_a_sub_layer_replaced_by_none_is_no_longer_tracked():
    class Holder(Layer):
        def __init__(self):
            super().__init__()
            self.inner = Dense(2)

        def call(self, inputs):
            return self.inner(inputs)

    holder = Holder()
    holder(np.ones((1, 3)))
    assert len(holder.weights) == 2
    holder.inner = None
    assert holder.weights == [] and holder._sublayers() == []
