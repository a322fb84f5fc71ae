"""Activations: forward against NumPy formulas, backward against finite differences,
fused ops against their composed twins (also at huge |x|), dtypes, names."""

import functools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dl_tensor as dt
from dl_layers import activations as act
from dl_tensor import Tensor, gradcheck
from dl_tensor.testing import arrays, shapes

FAST = settings(max_examples=15, deadline=None)

np_erf = np.vectorize(math.erf, otypes=[np.float64])  # the reference erf (tests only)


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def np_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))


def np_gelu(x):
    return 0.5 * x * (1 + np_erf(x / np.sqrt(2)))


def np_gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


SELU_ALPHA, SELU_SCALE = 1.67326324235437728, 1.05070098735548049
AT_0 = {"kinks": (0.0,)}  # keep finite differences away from the kink at 0

# name: (activation, NumPy formula on float64, keyword arguments of `arrays`, min rank)
CASES = {
    "relu": (act.relu, lambda x: np.maximum(x, 0), AT_0, 0),
    "sigmoid": (act.sigmoid, np_sigmoid, {}, 0),
    "tanh": (act.tanh, np.tanh, {}, 0),
    "softmax": (act.softmax, np_softmax, {}, 1),
    "linear": (act.linear, lambda x: x, {}, 0),
    "exponential": (act.exponential, np.exp, {}, 0),
    "hard_sigmoid": (act.hard_sigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1), {"low": -5, "high": 5,
                                                                              "kinks": (-3.0, 3.0)}, 0),
    "elu": (act.elu, np_elu, AT_0, 0),
    "elu_alpha_0.5": (functools.partial(act.elu, alpha=0.5), functools.partial(np_elu, alpha=0.5), AT_0, 0),
    "selu": (act.selu, lambda x: SELU_SCALE * np_elu(x, SELU_ALPHA), AT_0, 0),
    "gelu": (act.gelu, np_gelu, {}, 0),
    "gelu_approximate": (functools.partial(act.gelu, approximate=True), np_gelu_tanh, {}, 0),
    "swish": (act.swish, lambda x: x * np_sigmoid(x), {}, 0),
    "silu": (act.silu, lambda x: x * np_sigmoid(x), {}, 0),
    "leaky_relu": (act.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x), AT_0, 0),
    "leaky_relu_0.01": (
        functools.partial(act.leaky_relu, negative_slope=0.01), lambda x: np.where(x > 0, x, 0.01 * x), AT_0, 0),
    "softplus": (act.softplus, lambda x: np.log1p(np.exp(x)), {}, 0),
}

# name: (the activation through its fused op, its composed twin); the twins are checked
# against NumPy and finite differences too, so that the reference itself is right
FUSED = {
    "gelu": (act.gelu, act.gelu_composed),
    "gelu_approximate": (
        functools.partial(act.gelu, approximate=True), functools.partial(act.gelu_composed, approximate=True)),
}
CASES.update({f"{name} (composed twin)": (FUSED[name][1], *CASES[name][1:]) for name in FUSED})


def _draw(data, name):
    _, _, kw, min_dims = CASES[name]
    return data.draw(shapes(min_dims=min_dims).flatmap(lambda s: arrays(s, **kw)))


# -- forward and backward -----------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
@FAST
@given(data=st.data())
def test_forward_matches_numpy_formula(name, data):
    fn, ref, _, _ = CASES[name]
    x = _draw(data, name)
    expected = ref(x)
    out64 = fn(Tensor(x, dtype=np.float64))
    # the exact gelu uses a rational erf approximation: |error| <= 1.5e-7 * |x| / 2
    atol64 = 3e-7 if name.startswith("gelu") and "approximate" not in name else 1e-12
    np.testing.assert_allclose(out64.data, expected, rtol=1e-12, atol=atol64)
    out32 = fn(Tensor(x, dtype=np.float32))
    np.testing.assert_allclose(out32.data, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", CASES)
@FAST
@given(data=st.data())
def test_backward_gradcheck(name, data):
    fn = CASES[name][0]
    assert gradcheck(fn, [_draw(data, name)])


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved_forward_and_backward(name, dtype):
    fn = CASES[name][0]
    x = Tensor(np.linspace(-3, 3, 12).reshape(3, 4), requires_grad=True, dtype=dtype)  # (12,) -> (3, 4)
    y = fn(x)
    assert y.dtype == dtype and y.shape == (3, 4)
    weights = Tensor(np.arange(12.0).reshape(3, 4), dtype=dtype)  # (12,) -> (3, 4): softmax's grad stays non-zero
    (y * weights).sum().backward()
    assert x.grad.dtype == dtype and x.grad.shape == (3, 4)


@pytest.mark.parametrize("name", [n for n in CASES if not n.startswith("exponential")])
def test_finite_without_warnings_far_out(name):
    fn = CASES[name][0]
    for dtype in (np.float32, np.float64):
        big = np.finfo(dtype).max / 4
        x = Tensor([-big, -1e30, -1e4, 1e4, 1e30, big], requires_grad=True, dtype=dtype)
        with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
            warnings.simplefilter("error")
            y = fn(x)
            y.sum().backward()
        assert np.isfinite(y.data).all() and np.isfinite(x.grad).all()


# -- fused ops against their composed twins -----------------------------------------------


def _test_points(dtype):
    rng = np.random.default_rng(7)
    typical = rng.normal(0.0, 3.0, 200)
    small = rng.uniform(-1e-3, 1e-3, 20)
    huge = np.array([-1e4, -50.0, -30.0, -10.0, 10.0, 30.0, 50.0, 1e4])
    x = np.concatenate([typical, small, huge])
    return x[x != 0].astype(dtype)  # (228,): no kink exactly at 0


@pytest.mark.parametrize("name", FUSED)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_op_matches_composed_twin(name, dtype):
    fused, composed = FUSED[name]
    x_data = _test_points(dtype)
    v = Tensor(np.random.default_rng(1).normal(size=x_data.shape), dtype=dtype)  # a direction for backward
    results = []
    for fn in (fused, composed):
        x = Tensor(x_data.copy(), requires_grad=True, dtype=dtype)
        y = fn(x)
        (y * v).sum().backward()
        assert y.dtype == dtype and x.grad.dtype == dtype
        results.append((y.data, x.grad))
    (y_fused, g_fused), (y_composed, g_composed) = results
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    np.testing.assert_allclose(y_fused, y_composed, **tol)
    if name == "gelu":
        # the fused backward uses the exact normal density, the twin differentiates the
        # erf approximation: they differ by < 1e-6 * |v|
        tol = {"rtol": 1e-5, "atol": 3e-6}
    elif dtype == np.float32:
        tol = {"rtol": 1e-5, "atol": 1e-5}
    np.testing.assert_allclose(g_fused, g_composed, **tol)


@pytest.mark.parametrize("name", FUSED)
@FAST
@given(data=st.data())
def test_fused_op_matches_composed_twin_on_any_shape(name, data):
    fused, composed = FUSED[name]
    x = _draw(data, name)  # float64, in a random memory layout
    xs = [Tensor(x, requires_grad=True, dtype=np.float64) for _ in range(2)]
    ys = [fused(xs[0]), composed(xs[1])]
    np.testing.assert_allclose(ys[0].data, ys[1].data, rtol=1e-10, atol=1e-12)
    for y in ys:
        y.sum().backward()
    np.testing.assert_allclose(xs[0].grad, xs[1].grad, rtol=1e-6, atol=3e-6 if name == "gelu" else 1e-12)


@pytest.mark.parametrize("name", FUSED)
def test_fused_op_without_gradient_tracking(name):
    fused = FUSED[name][0]
    x = Tensor(_test_points(np.float32), requires_grad=True)
    with dt.no_grad():
        y = fused(x)
    assert not y.requires_grad
    np.testing.assert_array_equal(y.data, fused(x).data)


@pytest.mark.parametrize(("fn", "slope"), [
    (act.elu, 1.0),  # elu with alpha 1 is smooth at 0
    (functools.partial(act.elu, alpha=0.5), 0.5),  # otherwise: the derivative from the left, alpha * exp(0)
    (act.selu, SELU_SCALE * SELU_ALPHA),
    (act.softplus, 0.5),  # sigmoid(0)
    (act.swish, 0.5),
    (act.gelu, 0.5),  # Phi(0), to within the erf approximation's 1.5e-7
    (act.leaky_relu, 0.2),
])
def test_derivative_at_zero(fn, slope):
    x = Tensor([0.0], requires_grad=True, dtype=np.float64)
    fn(x).sum().backward()
    np.testing.assert_allclose(x.grad, [slope], rtol=1e-7)


def test_known_values():
    x = Tensor([-1.0, 0.0, 1.0], dtype=np.float64)
    np.testing.assert_allclose(act.selu(x).data, [-1.0 * SELU_SCALE * SELU_ALPHA * (1 - math.exp(-1)), 0, SELU_SCALE])
    np.testing.assert_allclose(act.gelu(x).data, [-0.15865525393145707, 0.0, 0.8413447460685429], atol=2e-7)
    np.testing.assert_allclose(act.softplus(x).data, np.log1p(np.exp([-1.0, 0.0, 1.0])))
    np.testing.assert_allclose(act.softplus(Tensor([1e4, -1e4])).data, [1e4, 0.0])


def test_normal_cdf_is_within_1e_7():
    x = np.linspace(-8, 8, 20001)
    err = np.abs(act._normal_cdf(x) - 0.5 * (1 + np_erf(x / np.sqrt(2))))
    assert err.max() <= 0.75e-7  # half erf's 1.5e-7
    np.testing.assert_allclose(act._normal_cdf(-x), 1 - act._normal_cdf(x), atol=1e-15)  # symmetric
    assert act._normal_cdf(x.astype(np.float32)).dtype == np.float32
    assert act._normal_cdf(np.array([1e30, -1e30, np.finfo(np.float64).max])).tolist() == [1.0, 0.0, 1.0]


def test_softmax_axis():
    x = np.random.default_rng(0).normal(size=(3, 4))
    out = act.softmax(Tensor(x, dtype=np.float64), axis=0).data
    np.testing.assert_allclose(out.sum(axis=0), np.ones(4))
    np.testing.assert_allclose(out, np_softmax(x.T).T)


def test_linear_returns_its_input():
    x = Tensor([1.0, -2.0])
    assert act.linear(x) is x
    assert act.linear([1.0, 2.0]).dtype == np.float32


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["relu", "sigmoid", "elu", "gelu", "softplus", "leaky_relu", "swish", "selu"])
def test_integer_input_is_rejected(name):
    with pytest.raises(TypeError, match=rf"{name}: argument `x` must be a floating-point tensor, got dtype int64"):
        act.get(name)(Tensor(np.array([1, 2], dtype=np.int64)))


@pytest.mark.parametrize(("call", "error", "pattern"), [
    (lambda x: act.elu(x, alpha="big"), TypeError, r"elu: argument `alpha` must be a number, got 'big'"),
    (lambda x: act.elu(x, alpha=float("inf")), ValueError, r"elu: argument `alpha` must be a finite number"),
    (lambda x: act.leaky_relu(x, negative_slope=None), TypeError,
     r"leaky_relu: argument `negative_slope` must be a number, got None"),
    (lambda x: act.gelu(x, approximate="tanh"), TypeError, r"gelu: argument `approximate` must be True or False"),
])
def test_bad_hyper_parameters(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call(Tensor([1.0]))


# -- get, serialize, deserialize ------------------------------------------------------------

NAMES = act.ACTIVATIONS.names()


def test_the_names_are_those_of_keras():
    assert NAMES == ["elu", "exponential", "gelu", "hard_sigmoid", "leaky_relu", "linear", "relu", "selu",
                     "sigmoid", "silu", "softmax", "softplus", "swish", "tanh"]


@pytest.mark.parametrize("name", NAMES)
def test_get_returns_the_function(name):
    fn = act.get(name)
    assert fn is getattr(act, name)
    assert fn(Tensor([[0.5, -0.5]])).shape == (1, 2)


def test_get_none_callable_and_aliases():
    assert act.get(None) is act.linear
    assert act.get("silu") is act.swish is act.silu

    def custom(x):
        return x * 2.0

    assert act.get(custom) is custom


@pytest.mark.parametrize("bad", ["Relu", "rellu", "", 42, 1.5, ["relu"]])
def test_get_rejects_unknown_identifiers_and_lists_the_names(bad):
    with pytest.raises(ValueError, match="activation") as info:
        act.get(bad)
    message = str(info.value)
    assert repr(bad) in message
    assert "valid names: " + ", ".join(repr(n) for n in NAMES) in message  # every valid name, sorted


@pytest.mark.parametrize("name", NAMES)
def test_serialize_round_trips(name):
    fn = act.get(name)
    saved = act.serialize(fn)
    assert isinstance(saved, str)
    assert act.get(saved) is fn and act.deserialize(saved) is fn
    assert act.serialize(name) == saved


def test_serialize_uses_swish_for_its_alias():
    assert act.serialize(act.silu) == "swish"
    assert act.serialize("silu") == "swish"


def test_serialize_rejects_unregistered_callables():
    with pytest.raises(ValueError, match=r"cannot save the activation '<lambda>'"):
        act.serialize(lambda x: x)
    with pytest.raises(ValueError, match="cannot save the activation 'partial'"):
        act.serialize(functools.partial(act.elu, alpha=0.5))
    with pytest.raises(ValueError, match=r"cannot save the activation 'gelu_composed'"):
        act.serialize(act.gelu_composed)  # a twin is a reference, not a name to save
    with pytest.raises(ValueError, match=r"unknown activation 'nope'; valid names: 'elu'"):
        act.serialize("nope")
    with pytest.raises(ValueError, match="cannot save the activation"):
        act.serialize(3)


def test_deserialize_configs_and_custom_objects():
    assert act.deserialize({"class_name": "relu", "config": {}}) is act.relu

    def twice(x):
        return 2.0 * x

    assert act.deserialize("twice", custom_objects={"twice": twice}) is twice
    with pytest.raises(ValueError, match=r"unknown activation 'twice'.*custom_objects"):
        act.deserialize("twice")
    with pytest.raises(ValueError, match="config must look like"):
        act.deserialize({"name": "relu"})
