"""Add and Concatenate and their functional forms ``add`` / ``concatenate`` (``layers/merging.py``):
against NumPy, gradients, shape checks on every call, symbolic inputs and configs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dl_layers
from dl_layers import Add, Concatenate, Input
from dl_layers.layers import add, concatenate
from dl_tensor import gradcheck
from dl_tensor.testing import arrays, shapes

F32 = {"rtol": 1e-6, "atol": 1e-6}  # float32 forward comparisons


@given(data=st.data())
def test_add_sums_a_list_of_tensors(data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    n = data.draw(st.integers(2, 4), label="n")
    xs = [data.draw(arrays(shape, dtype=np.float32), label=f"x{i}") for i in range(n)]
    out = Add()(xs).numpy()
    np.testing.assert_allclose(out, np.sum(np.stack(xs).astype(np.float64), axis=0), **F32)


@given(data=st.data())
def test_add_gradients(data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    a, b, c = (data.draw(arrays(shape), label=n) for n in "abc")
    layer = Add()
    assert gradcheck(lambda x, y, z: layer([x, y, z]), [a, b, c])


@given(data=st.data())
def test_concatenate_matches_numpy(data):
    rank = data.draw(st.integers(2, 3), label="rank")
    base = list(data.draw(shapes(min_dims=rank, max_dims=rank), label="base"))
    axis = data.draw(st.sampled_from([a for a in range(-rank, rank) if a % rank != 0]), label="axis")
    xs = []
    for i in range(data.draw(st.integers(2, 3), label="n")):
        shape = list(base)
        shape[axis] = data.draw(st.integers(1, 4), label=f"size{i}")
        xs.append(data.draw(arrays(tuple(shape), dtype=np.float32), label=f"x{i}"))
    out = Concatenate(axis=axis)(xs).numpy()
    np.testing.assert_array_equal(out, np.concatenate(xs, axis=axis))


@given(a=arrays((2, 3)), b=arrays((2, 2)))
def test_concatenate_gradients(a, b):
    layer = Concatenate()
    assert gradcheck(lambda x, y: layer([x, y]), [a, b])


@pytest.mark.parametrize("cls", [Add, Concatenate])
def test_merging_layers_need_a_list_of_at_least_two(cls):
    name = cls.__name__.lower()
    with pytest.raises(ValueError, match=rf"Layer '{name}' expects a list of at least 2 inputs"):
        cls()(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="at least 2 inputs"):
        cls()([np.zeros((2, 3), np.float32)])


def test_add_rejects_different_shapes_naming_the_layer():
    with pytest.raises(ValueError, match=r"Layer 'add': inputs must have the same shape"):
        Add()([np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32)])


@pytest.mark.parametrize("other", [(2, 1), (1, 3), (4, 3)])
def test_add_checks_shapes_on_every_call_not_only_the_first(other):
    layer = Add()
    layer([np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32)])
    with pytest.raises(ValueError, match=r"Layer 'add'"):
        layer([np.zeros((2, 3), np.float32), np.zeros(other, np.float32)])


def test_concatenate_rejects_mismatch_off_the_axis_naming_the_layer():
    with pytest.raises(ValueError, match=r"Layer 'concatenate': inputs must match on every axis except -1"):
        Concatenate()([np.zeros((2, 3, 4), np.float32), np.zeros((2, 5, 4), np.float32)])


def test_concatenate_checks_shapes_on_every_call_not_only_the_first():
    layer = Concatenate()
    layer([np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32)])
    with pytest.raises(ValueError, match=r"Layer 'concatenate'"):
        layer([np.zeros((2, 3), np.float32), np.zeros((2, 4, 1), np.float32)])
    with pytest.raises(ValueError, match=r"Layer 'concatenate'"):
        layer([np.zeros((2, 3), np.float32), np.zeros((3, 4), np.float32)])


# -- functional forms -------------------------------------------------------------------


def test_functional_add_and_concatenate_on_symbolic_inputs():
    a, b, c = Input(shape=(4,)), Input(shape=(4,)), Input(shape=(6,))
    summed = add([a, b])
    joined = concatenate([summed, c])
    assert summed.shape == (None, 4) and summed.node.layer.name == "add"
    assert joined.shape == (None, 10) and joined.node.layer.name == "concatenate"
    seq1, seq2 = Input(shape=(2, 3)), Input(shape=(None, 3))
    assert concatenate([seq1, seq2], axis=1).shape == (None, None, 3)
    assert concatenate([seq1, Input(shape=(4, 3))], axis=1).shape == (None, 6, 3)


def test_functional_merges_reject_symbolic_shape_mismatches():
    with pytest.raises(ValueError, match=r"Layer 'add'"):
        add([Input(shape=(4,)), Input(shape=(5,))])
    with pytest.raises(ValueError, match=r"Layer 'concatenate'"):
        concatenate([Input(shape=(2, 3)), Input(shape=(4, 5))])


def test_functional_merge_model_runs_on_data():
    a, b = Input(shape=(3,)), Input(shape=(2,))
    model = dl_layers.Model([a, b], concatenate([a, b]))
    x, y = np.ones((2, 3), np.float32), np.zeros((2, 2), np.float32)
    np.testing.assert_array_equal(model([x, y]).numpy(), np.concatenate([x, y], axis=-1))


# -- configs ----------------------------------------------------------------------------

# (factory, inputs) for each layer of the module; inputs are lists of arrays cast to float32
CONFIG_CASES = {
    "add": (lambda: Add(), [np.ones((2, 3)), np.arange(6.0).reshape(2, 3)]),
    "concatenate": (lambda: Concatenate(axis=1), [np.ones((2, 1, 3)), np.zeros((2, 2, 3))]),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_get_config_from_config_round_trip(case, check_config_round_trip):
    check_config_round_trip(*CONFIG_CASES[case])
