"""``pad_sequences``: lists of different lengths -> one rectangular array.

A network eats batches of equal-length rows, but texts have different lengths. Keras's answer
(``keras.preprocessing.sequence.pad_sequences`` in the first edition, ``keras.utils.pad_sequences``
in the second) cuts every sequence to ``maxlen`` and fills the rest of its row with ``value``.
Both ends are Keras's defaults: ``padding="pre"`` puts the zeros *before* the tokens, and
``truncating="pre"`` drops tokens from the *start*, so the end of a review (and the last step a
recurrent layer sees) is always real text.

The sequences are joined into one flat array; the tokens each sequence keeps are selected, the
cells they fill are marked in a boolean (n, maxlen) mask, and one assignment writes them all
(no Python loop over samples).
"""

from __future__ import annotations

import itertools

import numpy as np

__all__ = ["pad_sequences"]


def _check_lengths(sequences) -> np.ndarray:
    """``len`` of every sequence, with Keras's error for an item that has none."""
    try:
        return np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
    except TypeError:
        bad = next(s for s in sequences if not hasattr(s, "__len__"))
        raise ValueError(f"pad_sequences: `sequences` must be a list of iterables (lists or arrays of tokens); "
                         f"found a non-iterable item: {bad!r}") from None


def _flat_values(sequences, lengths, dtype) -> np.ndarray:
    """All tokens one after the other: (total,) or (total, *sample_shape) for sequences of vectors."""
    flat = list(itertools.chain.from_iterable(sequences))
    try:
        return np.asarray(flat, dtype=dtype)
    except (ValueError, TypeError) as error:  # find the sample at fault (an error path: a loop is fine here)
        first = next(i for i, n in enumerate(lengths) if n)
        expected = np.asarray(sequences[first]).shape[1:]
        for i, seq in enumerate(sequences):
            if len(seq) and np.asarray(seq).shape[1:] != expected:
                raise ValueError(f"pad_sequences: the steps of sequence {i} have shape {np.asarray(seq).shape[1:]}, "
                                 f"but those of sequence {first} have shape {expected}; they must match") from None
        raise ValueError(f"pad_sequences: cannot convert the sequences to dtype {np.dtype(dtype).name}: "
                         f"{error}") from None


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Pad (and cut) sequences to one length, as Keras does.

    Args:
        sequences: a list (or array) of sequences: lists or arrays of token ids, or of
            vectors (each step of shape ``sample_shape``).
        maxlen: length of every output row; None means the longest sequence.
        dtype: dtype of the result ("int32", Keras's default; ``object`` for strings).
        padding: "pre" (fill before the tokens, the default) or "post" (after them).
        truncating: "pre" (drop the first tokens of a long sequence, the default) or
            "post" (drop its last ones).
        value: the filler.

    Returns:
        An array of shape ``(len(sequences), maxlen, *sample_shape)``.

    Shapes:
        n sequences of lengths l_i -> (n, maxlen) (or (n, maxlen, *sample_shape))

    Examples:
        >>> pad_sequences([[1, 2, 3], [4, 5], [6]], maxlen=2)
        array([[2, 3],
               [4, 5],
               [0, 6]], dtype=int32)
        >>> pad_sequences([[1, 2, 3], [4]], padding="post", truncating="post", maxlen=2, value=-1)
        array([[ 1,  2],
               [ 4, -1]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"pad_sequences: `sequences` must be a list of sequences, got {type(sequences).__name__}")
    for name, choice in (("padding", padding), ("truncating", truncating)):
        if choice not in ("pre", "post"):
            raise ValueError(f"pad_sequences: argument `{name}` must be 'pre' or 'post', got {choice!r}")
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, int | np.integer) or maxlen < 0):
        raise ValueError(f"pad_sequences: argument `maxlen` must be a non-negative integer or None, got {maxlen!r}")
    dtype = np.dtype(dtype)
    if isinstance(value, str) and dtype.kind not in "OUS":
        raise ValueError(f"pad_sequences: `dtype` {dtype.name} cannot hold the string `value` {value!r}; "
                         "use dtype=object for strings")
    n = len(sequences)
    lengths = _check_lengths(sequences)
    if maxlen is None:
        maxlen = int(lengths.max()) if n else 0
    flat = _flat_values(sequences, lengths, dtype)
    sample_shape = flat.shape[1:]
    if value == 0 and not isinstance(value, str):
        out = np.zeros((n, maxlen, *sample_shape), dtype=dtype)  # lazily zeroed pages: cheaper than filling
    else:
        out = np.full((n, maxlen, *sample_shape), value, dtype=dtype)
    kept = np.minimum(lengths, maxlen)  # (n,) tokens of each sequence that survive
    if (kept < lengths).any():  # some sequences are too long: select the tokens they keep
        starts = np.cumsum(lengths) - lengths  # (n,) where each sequence starts in `flat`
        first = starts + (lengths - kept if truncating == "pre" else 0)  # (n,) its first kept token
        offsets = np.cumsum(kept) - kept  # (n,) where its kept tokens start in the selection
        flat = flat[np.arange(kept.sum()) + np.repeat(first - offsets, kept)]  # (kept total, *sample_shape)
    first_column = maxlen - kept if padding == "pre" else np.zeros_like(kept)  # (n,) where the tokens begin
    columns = np.arange(maxlen)  # (maxlen,)
    filled = (columns >= first_column[:, None]) & (columns < (first_column + kept)[:, None])  # (n, maxlen)
    out[filled] = flat  # row by row, left to right: the order of `flat`
    return out
