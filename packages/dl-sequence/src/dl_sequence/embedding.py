"""``Embedding``: a table of learned vectors, one row per token id.

An embedding is a lookup: token id ``i`` becomes row ``i`` of a weight matrix ``embeddings``
of shape (input_dim, output_dim). The same thing, written as chapter 3 would, is a product:
the id as a one-hot vector of length input_dim, times the matrix. The one-hot vector picks
one row, so both give the same numbers, and the gradient of the matrix is the gradient of a
product too: row ``i`` receives the sum of the output gradients at every position that held
id ``i``.

``embedding_composed`` is that one-hot product with dl-tensor ops (readable, and slow: it
builds a (batch, time, input_dim) array). ``EmbeddingOp`` does the lookup with one
``np.take`` and scatters the gradient back by summing the rows of repeated ids with one
``np.bincount`` (a fancy-index ``+=`` would keep only one of the repeats). Tests hold the
two equal, repeated ids included.
"""

from __future__ import annotations

import numpy as np

import dl_tensor as dt
from dl_layers import Layer, initializers, regularizers
from dl_layers.checks import check_bool, check_number
from dl_layers.layers.masking import set_mask
from dl_layers.symbolic import is_symbolic
from dl_tensor import Op, Tensor

__all__ = ["Embedding", "EmbeddingOp", "embedding_composed"]


def embedding_composed(ids, table):
    """``one_hot(ids) @ table`` from dl-tensor ops: the book's definition of an embedding.

    Args:
        ids: integer array (batch, ...) of ids in [0, input_dim).
        table: Tensor (input_dim, output_dim).

    Shapes:
        ids (batch, ...), table (input_dim, output_dim) -> (batch, ..., output_dim)

    Examples:
        >>> table = dt.Tensor(np.arange(6.0).reshape(3, 2))   # 3 ids, 2 features
        >>> embedding_composed(np.array([[2, 0]]), table).numpy()
        array([[[4., 5.],
                [0., 1.]]], dtype=float32)
    """
    ids = np.asarray(ids.data if isinstance(ids, Tensor) else ids)
    one_hot = ids[..., None] == np.arange(table.shape[0])  # (batch, ..., 1) == (input_dim,) -> (batch, ..., input_dim)
    return dt.Tensor(one_hot, dtype=table.dtype) @ table  # (batch, ..., in) @ (in, out) -> (batch, ..., out)


class EmbeddingOp(Op):
    """``table[ids]`` as one op; the gradient of the table sums the rows of repeated ids.

    Inputs: ids (batch, ...) integers (no gradient), table (input_dim, output_dim).

    The backward is one ``np.bincount`` over ``id * output_dim + feature``: every output
    gradient value lands in the cell of its (id, feature), repeats added up, accumulated in
    float64. On ids (128, 500) in [0, 10000) it was the fastest correct way measured (see
    the chapter's docs), about twice as fast as ``np.add.at`` and more accurate.

    Examples:
        >>> table = dt.Tensor(np.ones((4, 2)), requires_grad=True)
        >>> EmbeddingOp()(np.array([[1, 1, 3]]), table).sum().backward()
        >>> table.grad                                 # id 1 was used twice
        array([[0., 0.],
               [2., 2.],
               [0., 0.],
               [1., 1.]], dtype=float32)
    """

    def forward(self, ids, table):
        self.save_for_backward(ids)
        return np.take(table, ids, axis=0)  # (batch, ...) ids -> (batch, ..., output_dim)

    def backward(self, grad):
        (ids,) = self.saved
        if not self.needs_input_grad[1]:
            return None, None
        table = self.inputs[1]
        input_dim, output_dim = table.shape
        # visit grad in its own memory order: a recurrent layer's input gradient arrives as a
        # transposed view of a (time, features, batch) array, and copying it into (batch, time,
        # features) order cost twice the bincount (15 of 30 ms for ids (128, 500), 32 features)
        order = tuple(np.argsort(grad.strides, kind="stable")[::-1])  # axes, slowest-varying first
        grad_in_memory = grad.transpose(order)  # a C-contiguous view, if grad is any transpose of one
        if not grad_in_memory.flags.c_contiguous:
            order, grad_in_memory = tuple(range(grad.ndim)), np.ascontiguousarray(grad)
        cells = np.empty(grad_in_memory.shape, dtype=np.intp)  # id * output_dim + feature, in the same order
        np.add(np.broadcast_to(ids[..., None] * output_dim, grad.shape).transpose(order),  # (batch, ..., 1)
               np.broadcast_to(np.arange(output_dim), grad.shape).transpose(order), out=cells)  # + (out,)
        dtable = np.bincount(cells.ravel(), weights=grad_in_memory.ravel(),  # float64 sums
                             minlength=input_dim * output_dim)
        return None, dtable.reshape(input_dim, output_dim).astype(table.dtype, copy=False)  # (in * out,) -> (in, out)


def _check_int_or_none(owner, name, value):
    return check_number(owner, name, value, minimum=1, integer=True, none_ok=True)


class Embedding(Layer):
    """Turn positive integer ids into dense vectors of fixed size.

    Args:
        input_dim: size of the vocabulary: ids run from 0 to input_dim - 1. With
            ``mask_zero=True``, id 0 is the padding and still needs its row, so input_dim
            is the number of words + 1 (Keras's rule).
        output_dim: length of each vector.
        embeddings_initializer: initializer of the table; "uniform" (the default) is Keras's
            ``RandomUniform(-0.05, 0.05)``.
        embeddings_regularizer: penalty on the table added to the loss.
        embeddings_constraint: only None (constraints are not part of dl-layers).
        mask_zero: attach the mask ``ids != 0`` to the output, so that a recurrent layer
            after it skips the padding.
        input_length: (Keras 2) length of the sequences, when it is fixed: the layer then
            announces the input shape (None, input_length), so that ``Flatten`` and ``Dense``
            after it build at once (the book's listing 6.6). Without it, the input shape is
            (None, None): sequences of any length, as in Keras 2.
        weights: (Keras 2) ``[matrix]``, the initial table, e.g. pretrained GloVe vectors.
        **kwargs: ``name``, ``trainable``, ``dtype``, ``input_shape``.

    Shapes:
        (batch, ...) integer ids -> (batch, ..., output_dim), float32. Floating arrays
        holding whole numbers are accepted (and cast to integers).

    Examples:
        >>> layer = Embedding(1000, 64)
        >>> out = layer(np.array([[4, 20, 7], [1, 0, 0]]))
        >>> out.shape, out.dtype
        ((2, 3, 64), dtype('float32'))
        >>> layer.get_weights()[0].shape
        (1000, 64)
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, weights=None, **kwargs):
        self.input_length = _check_int_or_none("Embedding", "input_length", input_length)
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (self.input_length,)  # Keras 2: (None, input_length) or (None, None)
        super().__init__(**kwargs)
        self.input_dim = check_number("Embedding", "input_dim", input_dim, minimum=1, integer=True)
        self.output_dim = check_number("Embedding", "output_dim", output_dim, minimum=1, integer=True)
        if isinstance(embeddings_initializer, str) and embeddings_initializer == "uniform":
            embeddings_initializer = initializers.RandomUniform(-0.05, 0.05)  # Keras's "uniform"
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        if embeddings_constraint is not None:
            raise ValueError(f"Layer '{self.name}': embeddings_constraint must be None (dl-layers has no weight "
                             f"constraints), got {embeddings_constraint!r}")
        self.embeddings_constraint = None
        self.mask_zero = check_bool("Embedding", "mask_zero", mask_zero)
        self.supports_masking = self.mask_zero
        self._initial_weights = None if weights is None else [np.asarray(w) for w in weights]
        if self._initial_weights is not None and (
                len(self._initial_weights) != 1 or self._initial_weights[0].shape != (self.input_dim, self.output_dim)):
            shapes = [w.shape for w in self._initial_weights]
            raise ValueError(f"Layer '{self.name}': weights must be a list of one array of shape "
                             f"({self.input_dim}, {self.output_dim}), got shapes {shapes}")

    def build(self, input_shape):
        self.embeddings = self.add_weight((self.input_dim, self.output_dim), self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer, name="embeddings")
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, list | tuple) and not is_symbolic(inputs):
            inputs = self._as_id_array(inputs)
        return super().__call__(inputs, *args, **kwargs)

    def _as_id_array(self, inputs):
        try:
            arr = np.asarray(inputs)
        except ValueError:
            arr = None
        if arr is None or arr.dtype == object:
            raise ValueError(f"Layer '{self.name}' got sequences of different lengths (a ragged list); pad them "
                             "to one length first, e.g. with pad_sequences(sequences, maxlen=...)")
        return arr

    def _ids(self, inputs) -> np.ndarray:
        """The ids as an integer array, checked: whole numbers in [0, input_dim)."""
        ids = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        if ids.dtype.kind == "f":
            if not np.all(np.isfinite(ids)) or not np.array_equal(ids, np.floor(ids)):
                bad = ids[~(np.isfinite(ids) & (ids == np.floor(ids)))].flat[0]
                raise ValueError(f"Layer '{self.name}' expects integer token ids, got the non-integral value "
                                 f"{float(bad)!r} in a {ids.dtype} array")
            ids = ids.astype(np.intp)
        elif ids.dtype.kind not in "iu":
            raise TypeError(f"Layer '{self.name}' expects integer token ids, got an array of dtype {ids.dtype}")
        if ids.size:
            low, high = int(ids.min()), int(ids.max())
            if low < 0 or high >= self.input_dim:
                bad = high if high >= self.input_dim else low
                raise ValueError(f"Layer '{self.name}': token id {bad} is out of range; input_dim is "
                                 f"{self.input_dim}, so ids must be in [0, {self.input_dim - 1}]")
        return ids

    def call(self, inputs):
        ids = self._ids(inputs)
        out = EmbeddingOp()(ids, self.embeddings)  # (batch, ...) -> (batch, ..., output_dim)
        return set_mask(out, ids != 0) if self.mask_zero else out

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": (regularizers.serialize(self.embeddings_regularizer)
                                       if self.embeddings_regularizer else None),
            "embeddings_constraint": None,
            "mask_zero": self.mask_zero,
            "input_length": self.input_length,
        }
