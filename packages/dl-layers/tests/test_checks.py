"""Argument checks: one wording, naming the owner and the argument, for every constructor."""

import numpy as np
import pytest

from dl_layers.checks import check_bool, check_choice, check_dtype, check_number, check_shape


@pytest.mark.parametrize("value, kwargs, error, message", [
    ("0.1", {}, TypeError, "must be a number, got '0.1'"),
    (True, {}, TypeError, "must be a number, got True"),
    (None, {}, TypeError, "must be a number, got None"),
    (float("nan"), {}, ValueError, "must be a finite number, got nan"),
    (float("inf"), {"minimum": 0}, ValueError, "must be a finite number >= 0, got inf"),
    (-1, {"minimum": 0}, ValueError, "must be a number >= 0, got -1"),
    (0, {"minimum": 0, "min_inclusive": False}, ValueError, "must be a number > 0, got 0"),
    (1.0, {"minimum": 0, "maximum": 1, "max_inclusive": False}, ValueError, r"must be a number in \[0, 1\), got 1.0"),
    (2.5, {"integer": True, "minimum": 1}, TypeError, "must be an integer >= 1, got 2.5"),
])
def test_check_number_names_the_owner_the_argument_and_the_bound(value, kwargs, error, message):
    with pytest.raises(error, match=rf"Owner: argument `arg` {message}"):
        check_number("Owner", "arg", value, **kwargs)


def test_check_number_returns_plain_python_numbers():
    assert type(check_number("O", "a", np.float32(0.5))) is float
    assert type(check_number("O", "a", np.int64(3), integer=True)) is int
    assert check_number("O", "a", None, none_ok=True) is None


def test_other_checks():
    assert check_bool("O", "flag", np.bool_(True)) is True
    with pytest.raises(TypeError, match="O: argument `flag` must be True or False, got 1"):
        check_bool("O", "flag", 1)
    assert check_choice("O", "mode", "fan_in", ("fan_in", "fan_out")) == "fan_in"
    with pytest.raises(ValueError, match="O: argument `mode` must be one of 'fan_in', 'fan_out', got 'fan'"):
        check_choice("O", "mode", "fan", ("fan_in", "fan_out"))
    assert check_shape("O", "shape", np.int64(4)) == (4,)
    with pytest.raises(ValueError, match="must not contain negative sizes"):
        check_shape("O", "shape", (2, -1))
    with pytest.raises(TypeError, match=r"must be a tuple of ints, e.g. \(784, 512\), got \(2.0, 3\)"):
        check_shape("O", "shape", (2.0, 3))
    assert check_dtype("O", "dtype", None) == np.float32
    assert check_dtype("O", "dtype", "int32", kinds="biuf") == np.int32
    with pytest.raises(TypeError, match="O: argument `dtype` must be a floating-point dtype"):
        check_dtype("O", "dtype", "int32")
