"""pad_sequences: Keras's defaults and results, against the plain loop Keras runs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dl_sequence import pad_sequences


def keras_pad_loop(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Keras 2's pad_sequences, one sequence at a time (the reference)."""
    lengths = [len(s) for s in sequences]
    sample_shape = next((np.asarray(s).shape[1:] for s in sequences if len(s)), ())
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    x = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or maxlen == 0:
            continue
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        trunc = np.asarray(trunc, dtype=dtype)
        if padding == "post":
            x[i, :len(trunc)] = trunc
        else:
            x[i, -len(trunc):] = trunc
    return x


sequences_strategy = st.lists(st.lists(st.integers(-50, 50), max_size=8), max_size=6)


@given(sequences_strategy, st.one_of(st.none(), st.integers(0, 10)), st.sampled_from(["pre", "post"]),
       st.sampled_from(["pre", "post"]), st.integers(-3, 3))
def test_pad_sequences_matches_the_keras_loop(sequences, maxlen, padding, truncating, value):
    got = pad_sequences(sequences, maxlen=maxlen, padding=padding, truncating=truncating, value=value)
    want = keras_pad_loop(sequences, maxlen=maxlen, padding=padding, truncating=truncating, value=value)
    assert got.dtype == np.int32
    assert got.shape == (len(sequences), want.shape[1])
    np.testing.assert_array_equal(got, want)


@given(st.lists(st.integers(0, 6), min_size=1, max_size=5), st.integers(1, 7), st.sampled_from(["pre", "post"]),
       st.sampled_from(["pre", "post"]))
def test_pad_sequences_of_vectors_matches_the_keras_loop(lengths, maxlen, padding, truncating):
    rng = np.random.default_rng(sum(lengths))
    sequences = [rng.normal(size=(n, 3)).astype("float32") for n in lengths]
    got = pad_sequences(sequences, maxlen=maxlen, dtype="float32", padding=padding, truncating=truncating, value=-1.0)
    want = keras_pad_loop(sequences, maxlen=maxlen, dtype="float32", padding=padding, truncating=truncating,
                          value=-1.0)
    # Keras reads the step shape from the first non-empty sequence: all empty means scalar steps
    assert got.shape == ((len(lengths), maxlen, 3) if any(lengths) else (len(lengths), maxlen))
    np.testing.assert_array_equal(got, want)


def test_keras_defaults_pad_and_cut_at_the_start():
    x = pad_sequences([[1, 2, 3, 4], [5]], maxlen=3)
    np.testing.assert_array_equal(x, [[2, 3, 4], [0, 0, 5]])
    assert x.dtype == np.int32
    np.testing.assert_array_equal(pad_sequences([[1, 2, 3, 4], [5]], maxlen=3, padding="post", truncating="post"),
                                  [[1, 2, 3], [5, 0, 0]])
    np.testing.assert_array_equal(pad_sequences([[1, 2], [3]]), [[1, 2], [0, 3]])  # maxlen: the longest


def test_imdb_style_object_arrays_and_empty_sequences():
    data = np.empty(3, dtype=object)
    data[:] = [[1, 14, 22], [], list(range(1, 600))]
    x = pad_sequences(data, maxlen=500)
    assert x.shape == (3, 500)
    np.testing.assert_array_equal(x[0, -3:], [1, 14, 22])
    assert not x[1].any()
    np.testing.assert_array_equal(x[2], np.arange(100, 600))
    assert pad_sequences([]).shape == (0, 0)
    assert pad_sequences([[], []]).shape == (2, 0)
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)


def test_dtype_and_value():
    np.testing.assert_array_equal(pad_sequences([[1.7, 2.2]], maxlen=3, dtype="float32", value=0.5),
                                  np.array([[0.5, 1.7, 2.2]], "float32"))
    np.testing.assert_array_equal(pad_sequences([[1.7, 2.2]], maxlen=3), [[0, 1, 2]])  # cast like Keras
    words = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>", padding="post")
    assert words.tolist() == [["a", "b"], ["c", "<pad>"]]


@pytest.mark.parametrize("kwargs, match", [
    ({"padding": "middle"}, "`padding` must be 'pre' or 'post'"),
    ({"truncating": "end"}, "`truncating` must be 'pre' or 'post'"),
    ({"maxlen": -1}, "`maxlen` must be a non-negative integer"),
    ({"maxlen": 2.5}, "`maxlen` must be a non-negative integer"),
    ({"value": "x"}, "use dtype=object for strings"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pad_sequences([[1, 2]], **kwargs)


def test_bad_sequences():
    with pytest.raises(ValueError, match="found a non-iterable item: 5"):
        pad_sequences([[1], 5])
    with pytest.raises(ValueError, match="must be a list of sequences"):
        pad_sequences(5)
    with pytest.raises(ValueError, match=r"sequence 1 have shape \(2,\), but those of sequence 0 have shape \(3,\)"):
        pad_sequences([np.zeros((2, 3)), np.zeros((1, 2))], dtype="float32")
