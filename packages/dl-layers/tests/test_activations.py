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


SELU_ALPHA, SELU_SCALE = 1.67326324235437728, 1.05070098735548049

# name: (activation, NumPy formula on float64, keyword arguments of `arrays`, min rank)
CASES = {
    "relu": (act.relu, lambda x: np.maximum(x, 0), {"kinks": (0.0,)}, 0),
    "sigmoid": (act.sigmoid, np_sigmoid, {}, 0),
    "tanh": (act.tanh, np.tanh, {}, 0),
    "softmax": (act.softmax, np_softmax, {}, 1),
    "linear": (act.linear, lambda x: x, {}, 0),
    "exponential": (act.exponential, np.exp, {}, 0),
    "hard_sigmoid": (
        act.hard_sigmoid,
        lambda x: np.clip(x / 6 + 0.5, 0, 1),
        {"low": -5, "high": 5, "kinks": (-3.0, 3.0)},
        0,
    ),
    "elu": (act.elu, np_elu, {"kinks": (0.0,)}, 0),
    "elu_alpha_0.5": (
        functools.partial(act.elu, alpha=0.5),
        functools.partial(np_elu, alpha=0.5),
        {"kinks": (0.0,)},
        0,
    ),
    "selu": (act.selu, lambda x: SELU_SCALE * np_elu(x, SELU_ALPHA), {"kinks": (0.0,)}, 0),
    "gelu": (act.gelu, lambda x: 0.5 * x * (1 + np_erf(x / np.sqrt(2))), {}, 0),
    "gelu_approximate": (
        functools.partial(act.gelu, approximate=True),
        lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
        {},
        0,
    ),
    "swish": (act.swish, lambda x: x * np_sigmoid(x), {}, 0),
    "silu": (act.silu, lambda x: x * np_sigmoid(x), {}, 0),
    "leaky_relu": (act.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x), {"kinks": (0.0,)}, 0),
    "leaky_relu_0.01": (
        functools.partial(act.leaky_relu, negative_slope=0.01),
        lambda x: np.where(x > 0, x, 0.01 * x),
        {"kinks": (0.0,)},
        0,
    ),
    "softplus": (act.softplus, lambda x: np.log1p(np.exp(x)), {}, 0),
}

# name: (fused activation, composed twin)
FUSED = {
    "elu": (act.elu, act._elu_composed),
    "elu_alpha_0.5": (functools.partial(act.elu, alpha=0.5), functools.partial(act._elu_composed, alpha=0.5)),
    "selu": (act.selu, act._selu_composed),
    "gelu": (act.gelu, act._gelu_composed),
    "gelu_approximate": (
        functools.partial(act.gelu, approximate=True),
        functools.partial(act._gelu_composed, approximate=True),
    ),
    "swish": (act.swish, act._swish_composed),
    "leaky_relu": (act.leaky_relu, act._leaky_relu_composed),
    "leaky_relu_0.01": (
        functools.partial(act.leaky_relu, negative_slope=0.01),
        functools.partial(act._leaky_relu_composed, negative_slope=0.01),
    ),
    "softplus": (act.softplus, act._softplus_composed),
}


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
    atol64 = 3e-7 if name == "gelu" else 1e-12
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
        with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
            warnings.simplefilter("error")
            y = fn(x)
            (y * v).sum().backward()
        assert y.dtype == dtype and x.grad.dtype == dtype
        assert np.isfinite(y.data).all() and np.isfinite(x.grad).all()
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
def test_fused_op_is_finite_without_warnings_far_out(name):
    fused = FUSED[name][0]
    for dtype in (np.float32, np.float64):
        big = np.finfo(dtype).max / 4
        x = Tensor([-big, -1e30, -1e4, 1e4, 1e30, big], requires_grad=True, dtype=dtype)
        with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
            warnings.simplefilter("error")
            y = fused(x)
            y.sum().backward()
        assert np.isfinite(y.data).all() and np.isfinite(x.grad).all()


@pytest.mark.parametrize("name", FUSED)
def test_fused_op_without_gradient_tracking(name):
    fused = FUSED[name][0]
    x = Tensor(_test_points(np.float32), requires_grad=True)
    with dt.no_grad():
        y = fused(x)
    assert not y.requires_grad
    np.testing.assert_array_equal(y.data, fused(x).data)


def test_known_values():
    x = Tensor([-1.0, 0.0, 1.0], dtype=np.float64)
    np.testing.assert_allclose(act.selu(x).data, [-1.0 * SELU_SCALE * SELU_ALPHA * (1 - math.exp(-1)), 0, SELU_SCALE])
    np.testing.assert_allclose(act.gelu(x).data, [-0.15865525393145707, 0.0, 0.8413447460685429], atol=2e-7)
    np.testing.assert_allclose(act.softplus(x).data, np.log1p(np.exp([-1.0, 0.0, 1.0])))
    np.testing.assert_allclose(act.softplus(Tensor([1e4, -1e4])).data, [1e4, 0.0])


def test_erf_approximation_is_within_1_5e_7():
    x = np.linspace(-6, 6, 20001)
    err = np.abs(act._erf(x) - np_erf(x))
    assert err.max() <= 1.5e-7
    np.testing.assert_array_equal(act._erf(-x), -act._erf(x))  # odd
    assert act._erf(x.astype(np.float32)).dtype == np.float32
    assert act._erf(np.array([1e30, -1e30, np.finfo(np.float64).max])).tolist() == [1.0, -1.0, 1.0]


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


@pytest.mark.parametrize("name", ["relu", "sigmoid", "elu", "gelu", "softplus", "leaky_relu", "swish"])
def test_integer_input_is_rejected(name):
    with pytest.raises(TypeError, match=rf"{name}: argument `x` must be a floating-point tensor, got dtype int64"):
        act.get(name)(Tensor(np.array([1, 2], dtype=np.int64)))


def test_bad_hyper_parameters():
    x = Tensor([1.0])
    with pytest.raises(TypeError, match=r"elu: argument `alpha` must be a real number, got 'big'"):
        act.elu(x, alpha="big")
    with pytest.raises(TypeError, match=r"leaky_relu: argument `negative_slope` must be a real number, got None"):
        act.leaky_relu(x, negative_slope=None)
    with pytest.raises(TypeError, match=r"gelu: argument `approximate` must be True or False, got 'tanh'"):
        act.gelu(x, approximate="tanh")


# -- get and serialize --------------------------------------------------------------------

NAMES = sorted(act._BY_NAME)


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
    with pytest.raises(ValueError, match="identifier") as info:
        act.get(bad)
    message = str(info.value)
    assert repr(bad) in message
    listed = ", ".join(repr(n) for n in NAMES)
    assert listed in message  # every valid name, sorted


@pytest.mark.parametrize("name", NAMES)
def test_serialize_round_trips(name):
    fn = act.get(name)
    saved = act.serialize(fn)
    assert isinstance(saved, str)
    assert act.get(saved) is fn
    assert act.serialize(name) == saved


def test_serialize_uses_swish_for_its_alias():
    assert act.serialize(act.silu) == "swish"
    assert act.serialize("silu") == "swish"


def test_serialize_rejects_unregistered_callables():
    with pytest.raises(ValueError, match=r"'<lambda>'.*a lambda or custom function cannot be"):
        act.serialize(lambda x: x)
    with pytest.raises(ValueError, match="not a built-in activation"):
        act.serialize(functools.partial(act.elu, alpha=0.5))
    with pytest.raises(ValueError, match="not a known activation"):
        act.serialize("nope")
    with pytest.raises(ValueError, match="not a built-in activation"):
        act.serialize(3)
