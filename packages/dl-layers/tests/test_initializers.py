"""Initializers: shapes and dtypes, statistics of large draws, orthogonality, fans,
seeding, names and configs."""

import math
import re

import numpy as np
import pytest

import dl_tensor as dt
from dl_layers import initializers as ini

TRUNC_STD = 0.87962566103423978  # std of a standard normal truncated to [-2, 2]
BIG = (500, 400)  # fan_in 500, fan_out 400, fan_avg 450

ALL = [
    ini.Zeros(),
    ini.Ones(),
    ini.Constant(3.0),
    ini.RandomNormal(),
    ini.RandomUniform(),
    ini.TruncatedNormal(),
    ini.VarianceScaling(),
    ini.VarianceScaling(2.0, "fan_out", "uniform"),
    ini.VarianceScaling(0.5, "fan_avg", "untruncated_normal"),
    ini.GlorotUniform(),
    ini.GlorotNormal(),
    ini.HeNormal(),
    ini.HeUniform(),
    ini.LecunNormal(),
    ini.LecunUniform(),
    ini.Orthogonal(),
]


@pytest.fixture(autouse=True)
def _seed():
    dt.set_random_seed(0)


# -- shapes and dtypes --------------------------------------------------------------------


SHAPES = [(3, 4), (2, 3, 5), (3, 3, 2, 4), (7,), ()]


@pytest.mark.parametrize(
    ("init", "shape"),
    [(init, shape) for init in ALL for shape in SHAPES if len(shape) >= 2 or not isinstance(init, ini.Orthogonal)],
    ids=repr,
)
def test_shape_and_default_float32(init, shape):
    w = init(shape)
    assert isinstance(w, np.ndarray) and w.shape == shape and w.dtype == np.float32


@pytest.mark.parametrize("init", ALL, ids=repr)
@pytest.mark.parametrize("dtype", ["float64", np.float16, np.dtype("float32")])
def test_dtype_argument(init, dtype):
    w = init((4, 6), dtype=dtype)
    assert w.dtype == np.dtype(dtype)


@pytest.mark.parametrize("init", ALL, ids=repr)
def test_empty_shapes(init):
    assert init((0, 5)).shape == (0, 5)


def test_constant_values_and_integer_dtypes():
    assert (ini.Zeros()((2, 2)) == 0).all() and (ini.Ones()((2, 2)) == 1).all()
    np.testing.assert_array_equal(ini.Constant(-1.5)((3,)), [-1.5, -1.5, -1.5])
    assert ini.Zeros()((2,), dtype="int64").dtype == np.int64
    assert ini.Constant(2)((2,), dtype="int32").tolist() == [2, 2]


# -- statistics ---------------------------------------------------------------------------


def _check_moments(w, std, mean=0.0):
    w = w.astype(np.float64)
    assert abs(w.mean() - mean) < 0.01 * std + 1e-12
    assert abs(w.std() / std - 1) < 0.02


@pytest.mark.parametrize(
    ("init", "std"),
    [
        (ini.RandomNormal(mean=0.0, stddev=0.05), 0.05),
        (ini.VarianceScaling(1.0, "fan_in", "untruncated_normal"), math.sqrt(1 / 500)),
        (ini.VarianceScaling(3.0, "fan_out", "untruncated_normal"), math.sqrt(3 / 400)),
        # truncated normals: the truncation shrinks the std by 0.8796...
        (ini.TruncatedNormal(stddev=0.05), 0.05 * TRUNC_STD),
        # ... which VarianceScaling compensates: the drawn values have variance scale / fan
        (ini.VarianceScaling(1.0, "fan_avg", "truncated_normal"), math.sqrt(1 / 450)),
        (ini.GlorotNormal(), math.sqrt(2 / (500 + 400))),
        (ini.HeNormal(), math.sqrt(2 / 500)),
        (ini.LecunNormal(), math.sqrt(1 / 500)),
        # uniform in [-limit, limit] has std limit / sqrt(3)
        (ini.RandomUniform(-0.05, 0.05), 0.05 / math.sqrt(3)),
        (ini.GlorotUniform(), math.sqrt(6 / 900) / math.sqrt(3)),
        (ini.HeUniform(), math.sqrt(6 / 500) / math.sqrt(3)),
        (ini.LecunUniform(), math.sqrt(3 / 500) / math.sqrt(3)),
        (ini.VarianceScaling(2.0, "fan_out", "uniform"), math.sqrt(2 / 400)),
    ],
    ids=repr,
)
def test_mean_and_std_of_large_draws(init, std):
    _check_moments(init(BIG), std)


def test_random_normal_mean():
    _check_moments(ini.RandomNormal(mean=2.0, stddev=0.5)(BIG), 0.5, mean=2.0)
    _check_moments(ini.TruncatedNormal(mean=-1.0, stddev=0.5)(BIG), 0.5 * TRUNC_STD, mean=-1.0)


@pytest.mark.parametrize(
    ("init", "low", "high"),
    [
        (ini.RandomUniform(-0.05, 0.05), -0.05, 0.05),
        (ini.RandomUniform(1.0, 3.0), 1.0, 3.0),
        (ini.GlorotUniform(), -math.sqrt(6 / 900), math.sqrt(6 / 900)),
        (ini.HeUniform(), -math.sqrt(6 / 500), math.sqrt(6 / 500)),
        (ini.LecunUniform(), -math.sqrt(3 / 500), math.sqrt(3 / 500)),
        (ini.VarianceScaling(2.0, "fan_out", "uniform"), -math.sqrt(6 / 400), math.sqrt(6 / 400)),
    ],
    ids=repr,
)
def test_uniform_bounds(init, low, high):
    w = init(BIG)
    # float32 rounding is monotonic: values stay within the bounds rounded to float32
    assert w.min() >= np.float32(low) and w.max() <= np.float32(high)
    # and the whole range is used
    assert w.min() < low + 0.01 * (high - low) and w.max() > high - 0.01 * (high - low)


@pytest.mark.parametrize(
    ("init", "mean", "stddev"),
    [
        (ini.TruncatedNormal(stddev=0.05), 0.0, 0.05),
        (ini.TruncatedNormal(mean=1.0, stddev=2.0), 1.0, 2.0),
        (ini.HeNormal(), 0.0, math.sqrt(2 / 500) / TRUNC_STD),
        (ini.GlorotNormal(), 0.0, math.sqrt(2 / 900) / TRUNC_STD),
        (ini.LecunNormal(), 0.0, math.sqrt(1 / 500) / TRUNC_STD),
    ],
    ids=repr,
)
def test_truncated_normal_never_beyond_two_stddev(init, mean, stddev):
    w = init(BIG).astype(np.float64)
    assert np.abs(w - mean).max() <= 2 * stddev * (1 + 1e-6)
    assert np.abs(w - mean).max() > 1.95 * stddev  # the tails up to the cut are kept


def test_truncated_normal_redraws_until_none_remain():
    # with stddev 1, about 4.6 % of the first draw is beyond 2: every one is redrawn
    w = ini.TruncatedNormal(stddev=1.0, seed=3)((1000, 100))
    assert np.abs(w).max() <= 2.0 and np.isfinite(w).all()


# -- orthogonal ---------------------------------------------------------------------------


@pytest.mark.parametrize("gain", [1.0, 0.5, 2.0])
@pytest.mark.parametrize("shape", [(50, 30), (30, 30), (3, 3, 4, 8)])
def test_orthogonal_tall_or_square_has_orthonormal_columns(shape, gain):
    w = ini.Orthogonal(gain=gain)(shape, dtype="float64")
    m = w.reshape(-1, shape[-1])  # (rows, cols)
    np.testing.assert_allclose(m.T @ m, gain**2 * np.eye(shape[-1]), atol=1e-10)  # (cols, cols)


@pytest.mark.parametrize("shape", [(30, 50), (2, 2, 4, 64)])
def test_orthogonal_wide_has_orthonormal_rows(shape):
    w = ini.Orthogonal(gain=1.5)(shape, dtype="float64")
    m = w.reshape(-1, shape[-1])  # (rows, cols), rows < cols
    np.testing.assert_allclose(m @ m.T, 2.25 * np.eye(m.shape[0]), atol=1e-10)  # (rows, rows)


def test_orthogonal_float32_and_randomness():
    w = ini.Orthogonal()((64, 64))
    assert w.dtype == np.float32
    np.testing.assert_allclose(w.T @ w, np.eye(64), atol=1e-5)  # (64, 64) @ (64, 64) -> (64, 64)
    assert not np.allclose(w, ini.Orthogonal()((64, 64)))  # a fresh matrix at every call
    # the sign correction makes the distribution uniform: diagonal entries are not all positive
    diag = np.array([np.diag(ini.Orthogonal()((8, 8))) for _ in range(10)])  # (10, 8)
    assert (diag > 0).any() and (diag < 0).any()


def test_orthogonal_rejects_rank_below_2():
    with pytest.raises(ValueError, match=r"Orthogonal: argument `shape` must have rank >= 2.*\(5,\)"):
        ini.Orthogonal()((5,))


# -- fans ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "fans"),
    [
        ((), (1, 1)),
        ((7,), (7, 7)),
        ((784, 512), (784, 512)),
        ((5, 16, 32), (5 * 16, 5 * 32)),  # Conv1D: (kernel, in, out)
        ((3, 3, 32, 64), (9 * 32, 9 * 64)),  # Conv2D: (kh, kw, in, out)
        ((2, 3, 4, 5, 6), (24 * 5, 24 * 6)),  # Conv3D
    ],
)
def test_compute_fans(shape, fans):
    result = ini.compute_fans(shape)
    assert result == fans and all(type(f) is int for f in result)


def test_compute_fans_accepts_lists_and_numpy_ints():
    assert ini.compute_fans([np.int64(3), 4]) == (3, 4)


@pytest.mark.parametrize("bad", [(3, -1), (2.5, 3), "ab", None])
def test_bad_shapes_are_rejected(bad):
    with pytest.raises((TypeError, ValueError), match="argument `shape`"):
        ini.compute_fans(bad)
    with pytest.raises((TypeError, ValueError), match="GlorotUniform: argument `shape`"):
        ini.GlorotUniform()(bad)


def test_variance_scaling_uses_the_fans_of_conv_kernels():
    w = ini.VarianceScaling(2.0, "fan_in", "untruncated_normal")((3, 3, 64, 128))  # fan_in 576
    _check_moments(w, math.sqrt(2 / 576))


# -- seeding ------------------------------------------------------------------------------

RANDOM = [init for init in ALL if isinstance(init, ini._RandomInitializer)]


@pytest.mark.parametrize("init", RANDOM, ids=repr)
def test_global_seed_makes_draws_repeatable(init):
    dt.set_random_seed(123)
    a = init((6, 5))
    b = init((6, 5))
    dt.set_random_seed(123)
    np.testing.assert_array_equal(init((6, 5)), a)
    np.testing.assert_array_equal(init((6, 5)), b)
    assert not np.array_equal(a, b)  # the global generator moves on


@pytest.mark.parametrize("init", RANDOM, ids=repr)
def test_explicit_seed_ignores_the_global_seed(init):
    config = {**init.get_config(), "seed": 42}
    seeded = type(init).from_config(config)
    dt.set_random_seed(1)
    a = seeded((6, 5))
    dt.set_random_seed(2)
    b = seeded((6, 5))
    c = type(init).from_config(config)((6, 5))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, type(init).from_config({**config, "seed": 43})((6, 5)))


def test_generator_is_looked_up_at_every_call():
    init = ini.GlorotUniform()  # created before seeding
    dt.set_random_seed(9)
    a = init((4, 4))
    dt.set_random_seed(9)
    np.testing.assert_array_equal(init((4, 4)), a)


# -- configs, get, serialize --------------------------------------------------------------


@pytest.mark.parametrize("init", ALL, ids=repr)
def test_config_round_trip(init):
    config = init.get_config()
    clone = type(init).from_config(config)
    assert type(clone) is type(init) and clone.get_config() == config
    assert ini.get(ini.serialize(init)).get_config() == config


def test_get_config_contents():
    assert ini.RandomNormal(1.0, 2.0, seed=3).get_config() == {"mean": 1.0, "stddev": 2.0, "seed": 3}
    assert ini.GlorotUniform(seed=5).get_config() == {"seed": 5}
    assert ini.VarianceScaling(2.0, "fan_out", "uniform").get_config() == {
        "scale": 2.0,
        "mode": "fan_out",
        "distribution": "uniform",
        "seed": None,
    }
    assert ini.Orthogonal(gain=2.0).get_config() == {"gain": 2.0, "seed": None}
    assert ini.Zeros().get_config() == {} and ini.Constant(4).get_config() == {"value": 4.0}


def test_serialize():
    assert ini.serialize(ini.HeNormal()) == {"class_name": "HeNormal", "config": {"seed": None}}
    assert ini.serialize("zeros") == {"class_name": "Zeros", "config": {}}
    assert ini.serialize(None) is None
    for bad, what in ((lambda shape, dtype: np.zeros(shape, dtype), "<lambda>"), (3, "int")):
        with pytest.raises(ValueError, match=f"cannot save the initializer '{what}': it is not registered"):
            ini.serialize(bad)


def test_deserialize_is_the_inverse_of_serialize():
    init = ini.VarianceScaling(2.0, "fan_out", "uniform", seed=3)
    again = ini.deserialize(ini.serialize(init))
    assert type(again) is ini.VarianceScaling and again.get_config() == init.get_config()
    assert type(ini.deserialize("he_uniform")) is ini.HeUniform


def test_your_own_subclass_is_found_by_class_name():
    class Halves(ini.Initializer):
        def __call__(self, shape, dtype="float32"):
            return np.full(shape, 0.5, dtype)

    saved = ini.serialize(Halves())
    assert saved == {"class_name": "Halves", "config": {}}
    assert type(ini.get(saved)) is Halves and type(ini.get("halves")) is Halves
    assert repr(Halves()) == "Halves()"


def test_private_helper_classes_have_no_names():
    with pytest.raises(ValueError, match="unknown initializer"):
        ini.get("_RandomInitializer")
    assert not any(n.startswith("_") for n in ini.INITIALIZERS.names())


SNAKE = {
    "glorot_uniform": ini.GlorotUniform,
    "glorot_normal": ini.GlorotNormal,
    "he_normal": ini.HeNormal,
    "he_uniform": ini.HeUniform,
    "lecun_normal": ini.LecunNormal,
    "lecun_uniform": ini.LecunUniform,
    "orthogonal": ini.Orthogonal,
    "zeros": ini.Zeros,
    "ones": ini.Ones,
    "constant": ini.Constant,
    "random_normal": ini.RandomNormal,
    "random_uniform": ini.RandomUniform,
    "truncated_normal": ini.TruncatedNormal,
    "variance_scaling": ini.VarianceScaling,
}


@pytest.mark.parametrize("name", SNAKE)
def test_get_by_snake_case_and_class_name(name):
    cls = SNAKE[name]
    assert type(ini.get(name)) is cls
    assert type(ini.get(cls.__name__)) is cls
    assert ini.get(name) is not ini.get(name)  # a fresh instance each time


def test_get_instances_callables_dicts_and_none():
    init = ini.HeUniform(seed=1)
    assert ini.get(init) is init

    def custom(shape, dtype="float32"):
        return np.full(shape, 7, dtype)

    assert ini.get(custom) is custom
    assert ini.get(None) is None
    got = ini.get({"class_name": "random_normal", "config": {"stddev": 0.2}})
    assert isinstance(got, ini.RandomNormal) and got.stddev == 0.2
    assert isinstance(ini.get({"class_name": "Ones"}), ini.Ones)


@pytest.mark.parametrize("bad", ["glorot", "GLOROT_UNIFORM", {"class_name": "Nope", "config": {}}, 3.5, ["zeros"]])
def test_get_rejects_unknown_identifiers_and_lists_the_names(bad):
    with pytest.raises(ValueError) as info:
        ini.get(bad)
    message = str(info.value)
    assert "initializer" in message and repr(bad["class_name"] if isinstance(bad, dict) else bad) in message
    names = re.findall(r"'(\w+)'", message.split("valid names: ")[1].split(". ")[0])
    assert names == ini.INITIALIZERS.names() == sorted(names)  # every valid name, sorted
    assert {"glorot_uniform", "GlorotUniform", "zeros", "Zeros"} <= set(names)


def test_get_rejects_malformed_dicts():
    with pytest.raises(ValueError, match=r"an? initializer config must look like \{'class_name'"):
        ini.get({"name": "zeros"})
    with pytest.raises(TypeError, match="unexpected keyword"):
        ini.get({"class_name": "Zeros", "config": {"value": 1.0}})


# -- bad arguments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "pattern"),
    [
        (
            lambda: ini.RandomNormal(stddev=-1.0),
            ValueError,
            r"RandomNormal: argument `stddev` must be a number >= 0, got -1.0",
        ),
        (lambda: ini.RandomNormal(mean="0"), TypeError, r"RandomNormal: argument `mean` must be a number, got '0'"),
        (lambda: ini.RandomUniform(1.0, -1.0), ValueError, r"RandomUniform: argument `maxval` \(-1.0\) must be >="),
        (lambda: ini.TruncatedNormal(stddev=float("nan")), ValueError,
         r"TruncatedNormal: argument `stddev` must be a finite number >= 0, got nan"),
        (lambda: ini.VarianceScaling(scale=0.0), ValueError,
         r"VarianceScaling: argument `scale` must be a number > 0, got 0.0"),
        (lambda: ini.VarianceScaling(mode="fan_sum"), ValueError, r"`mode` must be one of 'fan_in'.*got 'fan_sum'"),
        (lambda: ini.VarianceScaling(distribution="normal"), ValueError, r"`distribution` must be one of .*'normal'"),
        (lambda: ini.GlorotUniform(seed=1.5), TypeError,
         r"GlorotUniform: argument `seed` must be an integer >= 0 or None, got 1.5"),
        (lambda: ini.GlorotUniform(seed=-1), ValueError,
         r"GlorotUniform: argument `seed` must be an integer >= 0, got -1"),
        (lambda: ini.Constant("1"), TypeError, r"Constant: argument `value` must be a number"),
    ],
)
def test_bad_constructor_arguments(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


@pytest.mark.parametrize("init", [ini.GlorotUniform(), ini.RandomNormal(), ini.Orthogonal()], ids=repr)
def test_random_initializers_reject_non_float_dtypes(init):
    with pytest.raises(TypeError, match=r"argument `dtype` must be a floating-point dtype.*int32"):
        init((3, 3), dtype="int32")


def test_constant_rejects_unknown_dtypes():
    with pytest.raises(TypeError, match=r"Zeros: argument `dtype` must be a numeric or bool dtype"):
        ini.Zeros()((2,), dtype="U3")


def test_constant_takes_a_whole_array_as_the_second_edition_loads_word_vectors(tmp_path):
    matrix = np.arange(12, dtype=np.float64).reshape(4, 3)
    init = ini.Constant(matrix)
    out = init((4, 3))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, matrix)
    out[0, 0] = 99.0  # a fresh array each call: the stored value is not changed through it
    assert init((4, 3))[0, 0] == 0.0
    np.testing.assert_array_equal(ini.Constant([1.0, 2.0])((2, 2)), [[1, 2], [1, 2]])  # broadcasts
    again = ini.get(ini.serialize(init))
    np.testing.assert_array_equal(again((4, 3)), matrix)
    with pytest.raises(ValueError, match=r"value of shape \(4, 3\) does not fit a weight of shape \(3, 4\)"):
        init((3, 4))
    with pytest.raises(ValueError, match="Constant: value must be finite numbers"):
        ini.Constant([1.0, np.nan])
