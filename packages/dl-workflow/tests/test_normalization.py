import json
import os
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dl_workflow.normalization import Normalizer

finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False, width=64)
tables = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=6), elements=finite)


def _quiet(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args)


# -- statistics --------------------------------------------------------------------------------


@given(tables)
def test_standard_statistics_equal_numpys(x):
    norm = _quiet(Normalizer().fit, x)
    over = tuple(range(x.ndim - 1))
    np.testing.assert_allclose(norm.mean_, x.mean(axis=over), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(norm.std_, x.std(axis=over), rtol=1e-9, atol=1e-9)
    assert norm.n_features_ == x.shape[-1]


@given(tables)
def test_minmax_statistics_equal_numpys(x):
    norm = _quiet(Normalizer(method="minmax").fit, x)
    over = tuple(range(x.ndim - 1))
    np.testing.assert_array_equal(norm.min_, x.min(axis=over))
    np.testing.assert_array_equal(norm.max_, x.max(axis=over))
    z = norm.transform(x)
    assert z.min() >= 0.0 and z.max() <= 1.0 + 1e-12


@given(tables, st.sampled_from(["standard", "minmax"]))
def test_inverse_transform_undoes_transform(x, method):
    norm = _quiet(Normalizer(method=method).fit, x)
    np.testing.assert_allclose(norm.inverse_transform(norm.transform(x)), x, rtol=1e-9, atol=1e-7)


def test_standardized_training_data_has_zero_mean_unit_std():
    x = np.random.default_rng(0).normal(5.0, 3.0, size=(200, 4)) * [1, 10, 100, 1000]
    z = Normalizer().fit_transform(x)
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=1e-12)


def test_per_feature_and_global_statistics_differ():
    x = np.array([[0.0, 100.0], [2.0, 300.0]])
    per_feature = Normalizer().fit(x)
    global_ = Normalizer(axis=None).fit(x)
    np.testing.assert_array_equal(per_feature.mean_, [1.0, 200.0])
    assert global_.mean_.shape == () and global_.mean_ == x.mean()
    assert global_.std_ == pytest.approx(x.std())
    assert global_.n_features_ is None
    np.testing.assert_allclose(per_feature.transform(x), [[-1, -1], [1, 1]])
    np.testing.assert_allclose(global_.transform(x), (x - x.mean()) / x.std())
    # global statistics accept any shape
    assert global_.transform(np.zeros((3, 5, 7))).shape == (3, 5, 7)


def test_feature_axis_other_than_last():
    x = np.random.default_rng(1).normal(size=(10, 3, 4))  # channels first: features on axis 1
    norm = Normalizer(axis=1).fit(x)
    np.testing.assert_allclose(norm.mean_, x.mean(axis=(0, 2)))
    assert norm.n_features_ == 3
    z = norm.transform(x)
    np.testing.assert_allclose(z.mean(axis=(0, 2)), 0.0, atol=1e-12)


def test_sequences_normalized_per_feature_over_samples_and_timesteps():
    x = np.random.default_rng(2).normal(size=(8, 5, 3)) * [1.0, 10.0, 100.0]
    norm = Normalizer().fit(x)
    np.testing.assert_allclose(norm.std_, x.reshape(-1, 3).std(axis=0))


# -- dtypes --------------------------------------------------------------------------------------


def test_float32_stays_float32_and_float64_stays_float64():
    x32 = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    norm = Normalizer().fit(x32)
    assert norm.transform(x32).dtype == np.float32
    assert norm.inverse_transform(norm.transform(x32)).dtype == np.float32
    assert norm.transform(x32.astype(np.float64)).dtype == np.float64
    assert Normalizer(method="minmax").fit_transform(x32).dtype == np.float32


def test_integer_input_gives_float32():
    x = np.array([[1, 10], [3, 30]])
    z = Normalizer().fit_transform(x)
    assert z.dtype == np.float32
    np.testing.assert_allclose(z, [[-1, -1], [1, 1]])


# -- guards ----------------------------------------------------------------------------------------


def test_constant_feature_is_divided_by_one_with_one_warning_naming_it():
    x = np.array([[1.0, 0.1, 5.0, 7.0], [2.0, 0.1, 6.0, 7.0], [3.0, 0.1, 7.0, 7.0]])
    with pytest.warns(UserWarning, match=r"feature\(s\) \[1, 3\]") as caught:
        norm = Normalizer().fit(x)
    assert len(caught) == 1
    z = norm.transform(x)
    np.testing.assert_array_equal(z[:, [1, 3]], 0.0)  # exactly 0, not rounding noise
    assert norm.scale_[1] == 1.0 and norm.std_[1] == 0.0
    np.testing.assert_array_equal(norm.inverse_transform(z)[:, [1, 3]], x[:, [1, 3]])
    assert np.isfinite(z).all()


def test_constant_feature_minmax_and_global():
    with pytest.warns(UserWarning, match=r"\[0\]"):
        z = Normalizer(method="minmax").fit_transform(np.array([[4.0, 0.0], [4.0, 1.0]]))
    np.testing.assert_array_equal(z, [[0.0, 0.0], [0.0, 1.0]])
    with pytest.warns(UserWarning, match="axis=None"):
        Normalizer(axis=None).fit(np.full((3, 2), 2.5))


def test_tiny_spread_is_divided_by_epsilon():
    x = np.array([[0.0], [1e-9]])
    norm = Normalizer(epsilon=1e-7).fit(x)
    assert norm.scale_[0] == 1e-7
    assert np.abs(norm.transform(x)).max() < 1.0


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_at_fit_is_an_error(bad):
    x = np.array([[1.0, 2.0], [bad, 3.0]])
    with pytest.raises(ValueError, match=r"Normalizer.fit: x contains NaN.*index \(1, 0\)"):
        Normalizer().fit(x)


def test_use_before_fit_is_an_error():
    for method in ("transform", "inverse_transform"):
        with pytest.raises(RuntimeError, match=f"Normalizer.{method}: .*not fitted"):
            getattr(Normalizer(), method)(np.zeros((2, 2)))


def test_wrong_number_of_features_names_both():
    norm = Normalizer().fit(np.zeros((4, 3)) + np.arange(4)[:, None])
    with pytest.raises(ValueError, match="x has 5 features .* fitted on 3"):
        norm.transform(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="inverse_transform: x has 2 features"):
        norm.inverse_transform(np.zeros((2, 2)))


def test_bad_arguments_and_data():
    with pytest.raises(ValueError, match="Normalizer: argument `method` must be one of 'standard', 'minmax'"):
        Normalizer(method="robust")
    with pytest.raises(TypeError, match="argument `axis` must be an integer"):
        Normalizer(axis=1.5)
    with pytest.raises(ValueError, match="argument `epsilon`"):
        Normalizer(epsilon=-1)
    with pytest.raises(ValueError, match="Normalizer.fit: x is empty"):
        Normalizer().fit(np.zeros((0, 3)))
    with pytest.raises(TypeError, match="must hold numbers"):
        Normalizer().fit(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="axis 2 does not exist in x of shape"):
        Normalizer(axis=2).fit(np.zeros((3, 2)))


# -- the leak --------------------------------------------------------------------------------------


def test_fitting_on_all_data_leaks_validation_statistics():
    """Statistics fitted on train + validation see the validation data: the normalized
    validation set then looks like training data (mean 0) although it is not."""
    rng = np.random.default_rng(0)
    train = rng.normal(10.0, 2.0, size=(80, 1))
    val = rng.normal(14.0, 2.0, size=(20, 1))  # validation drifted upward
    honest = Normalizer().fit(train)
    leaky = Normalizer().fit(np.concatenate([train, val]))
    assert honest.mean_[0] == pytest.approx(train.mean())
    assert leaky.mean_[0] == pytest.approx((80 * train.mean() + 20 * val.mean()) / 100)
    honest_val_mean = honest.transform(val).mean()
    leaky_val_mean = leaky.transform(val).mean()
    assert honest_val_mean == pytest.approx((val.mean() - train.mean()) / train.std())
    assert honest_val_mean > 1.5  # the drift is visible: about 2 training stds
    assert leaky_val_mean < honest_val_mean - 0.4  # the leak hides part of it


# -- saving ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["standard", "minmax"])
@pytest.mark.parametrize("axis", [-1, None])
def test_config_and_file_round_trip(tmp_path, method, axis):
    x = np.random.default_rng(0).normal(size=(12, 4))
    norm = Normalizer(method=method, axis=axis).fit(x)
    config = norm.get_config()
    assert json.loads(json.dumps(config)) == config
    again = Normalizer.from_config(config)
    np.testing.assert_array_equal(again.transform(x), norm.transform(x))
    path = tmp_path / "norm.json"
    norm.save(path)
    loaded = Normalizer.load(path)
    np.testing.assert_array_equal(loaded.transform(x), norm.transform(x))
    assert loaded.get_params() == norm.get_params()
    assert [p.name for p in tmp_path.iterdir()] == ["norm.json"]  # no temporary file left


def test_unfitted_config_round_trip():
    config = Normalizer(method="minmax").get_config()
    assert config["n_features"] is None
    again = Normalizer.from_config(config)
    with pytest.raises(RuntimeError, match="not fitted"):
        again.transform(np.zeros((1, 2)))


def test_constant_feature_survives_round_trip(tmp_path):
    x = np.array([[1.0, 3.0], [2.0, 3.0]])
    norm = _quiet(Normalizer().fit, x)
    norm.save(tmp_path / "n.json")
    np.testing.assert_array_equal(Normalizer.load(tmp_path / "n.json").transform(x), norm.transform(x))


def test_load_refuses_truncated_foreign_and_damaged_files(tmp_path):
    norm = Normalizer().fit(np.array([[1.0, 2.0], [3.0, 5.0]]))
    good = tmp_path / "good.json"
    norm.save(good)
    text = good.read_text()
    truncated = tmp_path / "truncated.json"
    truncated.write_text(text[: len(text) // 2])
    with pytest.raises(ValueError, match="not valid JSON.*truncated"):
        Normalizer.load(truncated)
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps({"weights": [1, 2]}))
    with pytest.raises(ValueError, match="not a Normalizer file"):
        Normalizer.load(foreign)
    binary = tmp_path / "binary.json"
    binary.write_bytes(os.urandom(64) + b"\xff\xfe")
    with pytest.raises(ValueError):
        Normalizer.load(binary)
    document = json.loads(text)
    document["config"]["mean"] = [1.0]  # two features announced, one mean
    damaged = tmp_path / "damaged.json"
    damaged.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="config is invalid.*'mean' must be a list of n_features=2"):
        Normalizer.load(damaged)
    document = json.loads(text)
    document["version"] = 99
    (tmp_path / "future.json").write_text(json.dumps(document))
    with pytest.raises(ValueError, match="unsupported version 99"):
        Normalizer.load(tmp_path / "future.json")
    with pytest.raises(FileNotFoundError):
        Normalizer.load(tmp_path / "missing.json")


def test_from_config_errors():
    with pytest.raises(TypeError, match="expected a dict"):
        Normalizer.from_config([1, 2])
    with pytest.raises(ValueError, match="lacks"):
        Normalizer.from_config({"method": "standard"})
    base = {"method": "standard", "axis": -1, "epsilon": 1e-7, "n_features": 1}
    with pytest.raises(ValueError, match="needs both 'mean' and 'std'"):
        Normalizer.from_config({**base, "mean": [0.0]})
    with pytest.raises(ValueError, match="'std' must not be negative"):
        Normalizer.from_config({**base, "mean": [0.0], "std": [-1.0]})
    with pytest.raises(ValueError, match="'max' must not be below 'min'"):
        Normalizer.from_config({**base, "method": "minmax", "min": [1.0], "max": [0.0]})


def test_save_refuses_to_overwrite_with_half_a_file(tmp_path):
    path = tmp_path / "n.json"
    Normalizer().fit(np.array([[1.0], [2.0]])).save(path)
    before = path.read_text()
    bad = Normalizer().fit(np.array([[1.0], [2.0]]))
    bad.mean_ = np.array([np.nan])  # JSON cannot hold NaN: the write fails before replacing the file
    with pytest.raises(ValueError):
        bad.save(path)
    assert path.read_text() == before


# -- scikit-learn ----------------------------------------------------------------------------------


def test_parity_with_sklearn_scalers():
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    rng = np.random.default_rng(3)
    train, test = rng.normal(3.0, 5.0, size=(50, 4)), rng.normal(3.0, 5.0, size=(10, 4))
    ours, theirs = Normalizer().fit(train), StandardScaler().fit(train)
    np.testing.assert_allclose(ours.mean_, theirs.mean_)
    np.testing.assert_allclose(ours.std_, theirs.scale_)  # population std, ddof=0
    np.testing.assert_allclose(ours.transform(test), theirs.transform(test), rtol=1e-12)
    ours, theirs = Normalizer(method="minmax").fit(train), MinMaxScaler().fit(train)
    np.testing.assert_allclose(ours.transform(test), theirs.transform(test), rtol=1e-12, atol=1e-15)


def test_usable_in_sklearn_pipeline_and_clone():
    from sklearn.base import clone
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline

    rng = np.random.default_rng(4)
    x = rng.normal(size=(40, 3)) * [1, 100, 10000]
    y = x @ [1.0, 0.01, 0.0001]
    pipe = make_pipeline(Normalizer(), Ridge(alpha=1e-6)).fit(x, y)
    assert pipe.score(x, y) > 0.999
    copy = clone(Normalizer(method="minmax", axis=None))
    assert copy.get_params() == {"method": "minmax", "axis": None, "epsilon": 1e-7}


def test_get_and_set_params():
    norm = Normalizer().fit(np.array([[1.0], [2.0]]))
    assert norm.set_params(method="minmax", epsilon=0.5) is norm
    assert norm.get_params() == {"method": "minmax", "axis": -1, "epsilon": 0.5}
    with pytest.raises(RuntimeError, match="not fitted"):  # new parameters: fit again
        norm.transform(np.zeros((1, 1)))
    with pytest.raises(ValueError, match="unknown parameter"):
        norm.set_params(scale=2)
    with pytest.raises(ValueError, match="argument `method`"):
        norm.set_params(method="nope")
    assert norm.method == "minmax"  # a refused change changes nothing
    assert "method='minmax'" in repr(norm)
