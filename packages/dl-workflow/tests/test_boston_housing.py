"""The Boston housing loader on small files the tests write (no network)."""

import numpy as np
import pytest

from dl_workflow.datasets import boston_housing


def _rows(n=20):
    return np.arange(n * 14, dtype=float).reshape(n, 14) / 7.0


def test_csv_with_and_without_header_and_npz_give_the_same_split(tmp_path):
    rows = _rows()
    plain = tmp_path / "plain.csv"
    np.savetxt(plain, rows, delimiter=",")
    header = tmp_path / "header.csv"
    header.write_text(",".join(boston_housing.FEATURE_NAMES + ("MEDV",)) + "\n" + plain.read_text())
    npz = tmp_path / "boston_housing.npz"
    np.savez(npz, x=rows[:, :13], y=rows[:, 13])
    splits = [boston_housing.load_data(path=p, test_split=0.25, seed=5) for p in (plain, header, npz)]
    for (x_train, _), (x_test, y_test) in splits:
        assert x_train.shape == (15, 13) and x_test.shape == (5, 13)
        np.testing.assert_allclose(x_train, splits[0][0][0])
        np.testing.assert_allclose(y_test, splits[0][1][1])
    (x_train, y_train), _ = splits[0]
    order = np.random.RandomState(5).permutation(20)  # noqa: NPY002 (Keras's shuffle)
    np.testing.assert_allclose(y_train, rows[order[:15], 13])  # each price stays with its features
    np.testing.assert_allclose(x_train[:, 0] * 7.0, rows[order[:15], 0] * 7.0)


def test_bad_files_get_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file at"):
        boston_housing.load_data(path=tmp_path / "missing.csv")
    narrow = tmp_path / "narrow.csv"
    np.savetxt(narrow, np.ones((4, 5)), delimiter=",")
    with pytest.raises(ValueError, match="has 5 columns; expected 14"):
        boston_housing.load_data(path=narrow)
    holes = tmp_path / "holes.csv"
    holes.write_text("1,2,3,4,5,6,7,8,9,10,11,12,13,14\n1,2,NA,4,5,6,7,8,9,10,11,12,13,14\n")
    with pytest.raises(ValueError, match="not a table of numbers"):
        boston_housing.load_data(path=holes)
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError, match="not a readable .npz"):
        boston_housing.load_data(path=broken)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, images=np.zeros(3))
    with pytest.raises(ValueError, match=r"holds \['images'\], not the arrays 'x' and 'y'"):
        boston_housing.load_data(path=foreign)
    good = tmp_path / "good.csv"
    np.savetxt(good, _rows(), delimiter=",")
    with pytest.raises(ValueError, match="test_split"):
        boston_housing.load_data(path=good, test_split=1.0)
