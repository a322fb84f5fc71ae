"""grid_search and random_search rank configurations by validation score, never seeing a test set."""

import numpy as np
import pytest

from dl_layers import Dense, Sequential
from dl_layers.optimizers import RMSprop
from dl_workflow.search import grid_search, random_search


def build_model(learning_rate=0.01, units=4):
    model = Sequential([Dense(units, activation="relu", input_shape=(3,)), Dense(1)])
    model.compile(optimizer=RMSprop(learning_rate), loss="mse", metrics=["mae"])
    return model


def _data(n=60):
    x = np.random.default_rng(0).normal(size=(n, 3)).astype(np.float32)
    return x, x.sum(axis=1).astype(np.float32)


def test_grid_search_ranks_a_useless_learning_rate_last():
    x, y = _data()
    result = grid_search(build_model, {"learning_rate": [1e-7, 0.02], "units": [8]}, x, y, cv=3,
                         fit_kwargs={"epochs": 15, "batch_size": 8}, monitor="val_mae")
    assert [r["params"]["learning_rate"] for r in result.results] == [0.02, 1e-7]
    assert result.best_params == {"learning_rate": 0.02, "units": 8}
    assert result.best_score == pytest.approx(result.results[0]["scores"].mean())
    assert result.results[0]["scores"].shape == (3,) and "rank" in result.table()


def test_a_hold_out_and_parallel_jobs_give_the_same_ranking():
    x, y = _data()
    kwargs = {"validation_data": (x[45:], y[45:]), "fit_kwargs": {"epochs": 3}, "seed": 1}
    one = grid_search(build_model, {"units": [2, 16]}, x[:45], y[:45], n_jobs=1, **kwargs)
    two = grid_search(build_model, {"units": [2, 16]}, x[:45], y[:45], n_jobs=2, **kwargs)
    assert [r["params"] for r in one.results] == [r["params"] for r in two.results]
    np.testing.assert_allclose([r["mean"] for r in one.results], [r["mean"] for r in two.results], rtol=1e-6)
    assert all(len(r["scores"]) == 1 for r in one.results)


def test_random_search_draws_from_lists_and_functions_reproducibly():
    x, y = _data(30)
    space = {"units": [2, 4, 8], "learning_rate": lambda rng: float(10 ** rng.uniform(-3, -2))}
    a = random_search(build_model, space, x, y, n_iter=4, cv=2, fit_kwargs={"epochs": 1}, seed=5)
    b = random_search(build_model, space, x, y, n_iter=4, cv=2, fit_kwargs={"epochs": 1}, seed=5)
    assert sorted(map(str, (r["params"] for r in a.results))) == sorted(map(str, (r["params"] for r in b.results)))
    assert all(1e-3 <= r["params"]["learning_rate"] <= 1e-2 for r in a.results)
    assert all(r["params"]["units"] in (2, 4, 8) for r in a.results)


def test_bad_spaces_and_protocols():
    x, y = _data(30)
    with pytest.raises(ValueError, match="param_grid must be a dict"):
        grid_search(build_model, {"units": []}, x, y)
    with pytest.raises(ValueError, match="either cv .* or validation_data"):
        grid_search(build_model, {"units": [2]}, x, y, cv=2, validation_data=(x, y))
    with pytest.raises(ValueError, match="n_iter must be at least 1"):
        random_search(build_model, {"units": [2]}, x, y, n_iter=0)
    with pytest.raises(ValueError, match=r"param_distributions\['units'\]"):
        random_search(build_model, {"units": 3}, x, y, n_iter=1)
    with pytest.raises(ValueError, match="monitor='val_auc' is not among"):
        grid_search(build_model, {"units": [2]}, x, y, cv=2, fit_kwargs={"epochs": 1}, monitor="val_auc")
