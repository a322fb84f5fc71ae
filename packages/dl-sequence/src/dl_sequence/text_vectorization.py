"""``TextVectorization``: raw strings -> token ids or bag-of-words vectors (Keras 3, 2nd edition).

Every text goes through the same four steps, the ones the second edition lists:

1. **standardize**: lower-case it and strip ASCII punctuation (or a function of your own);
2. **split** it into tokens: on whitespace, into characters, or with a function of your own;
3. optionally add **n-grams**: ``ngrams=2`` adds every pair of neighbouring tokens, joined by
   one space ("the cat", "cat sat");
4. **index** the tokens with a vocabulary learned by ``adapt``: the most frequent tokens get
   the smallest ids.

The vocabulary is laid out as Keras lays it out. In ``"int"`` mode index 0 is ``""`` (the
padding) and index 1 is ``"[UNK]"`` (every token the vocabulary does not hold); in the
bag-of-words modes (``"multi_hot"``, ``"count"``, ``"tf_idf"``) there is no padding, so
``"[UNK]"`` is index 0. Then come the learned tokens by descending count; tokens seen equally
often are ordered by their text from high to low (``"write"`` before ``"then"`` before ``"a"``),
which is how Keras breaks ties (a reversed lexicographic sort). ``max_tokens`` counts the
reserved tokens.

Strings cannot be vectorised with NumPy, so steps 1-4 are Python ``str`` methods and a dict
lookup per text (``collections.Counter`` counts the tokens in ``adapt``); the ids then go
into one array with NumPy. The layer has no weights and its output gets no gradient: it is
a preprocessing step, usable before a model or as the first layer of one.

Where it differs from Keras: lower-casing is Python's ``str.lower`` (all of Unicode, where
``tf.strings.lower`` changes ASCII letters only) and "whitespace" is Python's; custom
``standardize``/``split`` functions get one ``str`` (Keras passes them a batch tensor); ``adapt``
on a layer built with ``vocabulary=`` replaces the vocabulary (Keras refuses); ``sparse`` and
``ragged`` outputs do not exist.
"""

from __future__ import annotations

import codecs
import collections
import os
import string

import numpy as np

from dl_layers.checks import check_bool, check_choice, check_number
from dl_layers.layer import Layer
from dl_layers.registry import Registry
from dl_layers.symbolic import TensorSpec, is_symbolic
from dl_tensor import Tensor

from .padding import pad_sequences

__all__ = ["TextVectorization"]

STANDARDIZE_NAMES = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT_NAMES = ("whitespace", "character")
OUTPUT_MODES = ("int", "multi_hot", "count", "tf_idf")
PAD_TOKEN, OOV_TOKEN = "", "[UNK]"
_NO_PUNCTUATION = str.maketrans("", "", string.punctuation)  # Keras's strip regex: the 32 ASCII punctuation marks
_FUNCTIONS = Registry("text function")  # finds a saved custom standardize/split in load_model's custom_objects


# -- the four steps, on one text --------------------------------------------------------------
def _lower_and_strip_punctuation(text: str) -> str:
    return text.lower().translate(_NO_PUNCTUATION)


def _strip_punctuation(text: str) -> str:
    return text.translate(_NO_PUNCTUATION)


_STANDARDIZERS = {"lower_and_strip_punctuation": _lower_and_strip_punctuation, "lower": str.lower,
                  "strip_punctuation": _strip_punctuation}
_SPLITTERS = {"whitespace": str.split, "character": list, None: lambda text: [text]}


def make_ngrams(tokens: list, widths: tuple) -> list:
    """All n-grams of ``tokens`` for each n in ``widths``, the 1-grams first, joined by a space.

    A text shorter than n has no n-grams (as ``tf.strings.ngrams``).
    """
    out = []
    for n in widths:
        out.extend(tokens if n == 1 else [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)])
    return out


class TextVectorization(Layer):
    """Turn raw texts into sequences of token ids or into bag-of-words vectors.

    Args:
        max_tokens: largest vocabulary size, reserved tokens included (2 in "int" mode:
            ``""`` and ``"[UNK]"``; 1 otherwise); None for no limit.
        standardize: None, "lower_and_strip_punctuation", "lower", "strip_punctuation", or
            a function ``str -> str`` applied to each text.
        split: None (each text is one token), "whitespace", "character", or a function
            ``str -> list of str`` applied to each standardized text.
        ngrams: None, an int n (all 1..n-grams) or a tuple of ints (those n-grams only).
        output_mode: "int" (token ids), "multi_hot" (1 where a token occurs), "count" (how
            many times) or "tf_idf" (count times the token's inverse document frequency).
            Keras's old names "binary" and "tf-idf" are accepted.
        output_sequence_length: "int" mode only: pad with 0 or cut every sequence at its
            end to this length; None pads to the longest text of the batch.
        pad_to_max_tokens: bag-of-words modes: make the output ``max_tokens`` wide even if
            the vocabulary is smaller.
        vocabulary: a list of tokens (the reserved tokens first or not at all), or the path
            of a file with one token per line; then no ``adapt`` is needed.
        idf_weights: "tf_idf" mode with a given vocabulary: one weight per vocabulary entry.
        sparse: refused (dl-tensor has dense arrays only).
        ragged: refused (same reason): use the default padding.
        encoding: encoding of ``bytes`` texts and of a vocabulary file.
        name: the layer's name.
        **kwargs: ``trainable``, ``dtype`` (of the Layer base class).

    Shapes:
        (batch,) or (batch, 1) texts -> (batch, output_sequence_length) int64 ids in "int"
        mode, or (batch, vocabulary_size) float32 otherwise. One string -> one row without
        the batch axis.

    Examples:
        >>> vectorizer = TextVectorization(output_sequence_length=4)
        >>> vectorizer.adapt(["foo bar", "bar baz", "baz bada boom"])
        >>> vectorizer.get_vocabulary()
        ['', '[UNK]', 'baz', 'bar', 'foo', 'boom', 'bada']
        >>> vectorizer([["foo qux bar"], ["qux baz"]]).numpy()
        array([[4, 1, 3, 0],
               [1, 2, 0, 0]])
        >>> bag = TextVectorization(output_mode="count", vocabulary=["bar", "baz"])
        >>> bag(["bar bar qux", "baz"]).numpy()
        array([[1., 2., 0.],
               [0., 0., 1.]], dtype=float32)
    """

    accepts_text = True  # raw strings in, token ids or bags of words out

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace", ngrams=None,
                 output_mode="int", output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        owner = f"Layer '{self.name}' (TextVectorization)"
        if sparse:
            raise ValueError(f"{owner}: sparse=True is not supported: dl-tensor has dense arrays only; "
                             "leave sparse=False")
        if ragged:
            raise ValueError(f"{owner}: ragged=True is not supported: dl-tensor has no ragged tensors; leave "
                             "ragged=False and the sequences are padded with 0 (or set output_sequence_length)")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        self.output_mode = check_choice(owner, "output_mode", output_mode, OUTPUT_MODES)
        self._reserved = [PAD_TOKEN, OOV_TOKEN] if output_mode == "int" else [OOV_TOKEN]
        self.max_tokens = check_number(owner, "max_tokens", max_tokens, minimum=2, integer=True, none_ok=True)
        if self.max_tokens is not None and self.max_tokens <= len(self._reserved):
            raise ValueError(f"{owner}: argument `max_tokens`={max_tokens} is too small: in {output_mode!r} mode "
                             f"the reserved tokens {self._reserved} take {len(self._reserved)} places, leaving none "
                             f"for the texts' tokens; use max_tokens >= {len(self._reserved) + 1}")
        self.standardize = self._function_argument(owner, "standardize", standardize, STANDARDIZE_NAMES)
        self.split = self._function_argument(owner, "split", split, SPLIT_NAMES)
        self.ngrams = self._check_ngrams(owner, ngrams)
        self._widths = None if self.ngrams is None else (
            tuple(range(1, self.ngrams + 1)) if isinstance(self.ngrams, int) else self.ngrams)
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError(f"{owner}: argument `output_sequence_length` only applies to output_mode='int' "
                             f"(a sequence of ids); got output_sequence_length={output_sequence_length!r} with "
                             f"output_mode={output_mode!r}")
        self.output_sequence_length = check_number(owner, "output_sequence_length", output_sequence_length,
                                                   minimum=1, integer=True, none_ok=True)
        self.pad_to_max_tokens = check_bool(owner, "pad_to_max_tokens", pad_to_max_tokens)
        if self.pad_to_max_tokens and self.max_tokens is None:
            raise ValueError(f"{owner}: pad_to_max_tokens=True needs max_tokens (the width to pad to)")
        try:
            codecs.lookup(encoding)
        except (LookupError, TypeError):
            raise ValueError(f"{owner}: argument `encoding` must be a text encoding such as 'utf-8', "
                             f"got {encoding!r}") from None
        self.encoding = encoding
        self._standardize_fn = _STANDARDIZERS.get(self.standardize) if isinstance(self.standardize, str | None) \
            else self.standardize
        self._split_fn = _SPLITTERS[self.split] if isinstance(self.split, str | None) else self.split
        self._vocabulary = None  # every token, reserved ones first: its position is its id
        self._index = None  # token -> id
        self._idf = None  # "tf_idf": one weight per vocabulary entry
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif idf_weights is not None:
            raise ValueError(f"{owner}: idf_weights were given without a vocabulary; pass vocabulary= too")

    # -- arguments -----------------------------------------------------------------------------
    @staticmethod
    def _function_argument(owner, name, value, names):
        """None, one of ``names``, a callable, or ``{"function": name}`` (a saved callable)."""
        if isinstance(value, dict) and set(value) == {"function"}:  # from get_config: find the function again
            try:
                return _FUNCTIONS.lookup(value["function"])
            except ValueError:
                raise ValueError(f"{owner}: the saved `{name}` function {value['function']!r} is not known here; "
                                 f"pass load_model(..., custom_objects={{{value['function']!r}: "
                                 f"{value['function']}}})") from None
        if value is None or callable(value):
            return value
        if value not in names:
            raise ValueError(f"{owner}: argument `{name}` must be None, a function, or one of "
                             f"{', '.join(repr(n) for n in names)}; got {value!r}")
        return value

    @staticmethod
    def _check_ngrams(owner, ngrams):
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)  # a config read back from JSON
        ok = ngrams is None or (isinstance(ngrams, int) and not isinstance(ngrams, bool) and ngrams >= 1) or (
            isinstance(ngrams, tuple) and ngrams
            and all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in ngrams))
        if not ok:
            raise ValueError(f"{owner}: argument `ngrams` must be None, an integer >= 1 (all 1..n-grams) or a tuple "
                             f"of integers >= 1 (those n-grams); got {ngrams!r}")
        return ngrams

    # -- text -> tokens ----------------------------------------------------------------------
    def _tokenize(self, text: str) -> list:
        """Steps 1-3 on one text: standardize, split, n-grams."""
        if self._standardize_fn is not None:
            text = self._standardize_fn(text)
            if not isinstance(text, str):
                raise TypeError(f"Layer '{self.name}': the `standardize` function must return a str, "
                                f"got {type(text).__name__}")
        tokens = self._split_fn(text)
        if self.split is not None and not isinstance(self.split, str):  # a function of the user's
            tokens = list(tokens)  # it may return a tuple or an iterator
            if not all(isinstance(t, str) for t in tokens):
                raise TypeError(f"Layer '{self.name}': the `split` function must return a list of str, "
                                f"got {tokens!r}")
        return tokens if self._widths is None else make_ngrams(tokens, self._widths)

    def _as_texts(self, data, what: str) -> tuple[list, tuple]:
        """``(texts, shape)``: a list of str, and the shape of the input ((), (batch,) or (batch, 1))."""
        if isinstance(data, Tensor):
            raise TypeError(f"Layer '{self.name}' ({what}) expects texts (str), got a Tensor of "
                            f"{data.dtype}: pass the raw strings, e.g. a NumPy array of str")
        if isinstance(data, str | bytes):
            data = [data]
            shape = ()
        elif isinstance(data, list | tuple) and all(isinstance(t, str) for t in data):
            shape = (len(data),)  # the common case: no copy into a NumPy array
        else:
            arr = np.asarray(data, dtype=object) if isinstance(data, list | tuple) else np.asarray(data)
            if arr.dtype.kind not in "USO":
                raise TypeError(f"Layer '{self.name}' ({what}) expects texts (str), got an array of {arr.dtype}")
            if arr.ndim > 2 or (arr.ndim == 2 and arr.shape[1] != 1):
                raise ValueError(f"Layer '{self.name}' ({what}) expects texts of shape (batch,) or (batch, 1), "
                                 f"got shape {arr.shape}")
            shape = arr.shape
            data = arr.reshape(-1).tolist()
        texts = data
        if not all(isinstance(t, str) for t in texts):
            texts = []
            for i, t in enumerate(data):  # only when some text is not a str: decode bytes, refuse the rest
                if isinstance(t, bytes | np.bytes_):
                    t = t.decode(self.encoding)
                elif not isinstance(t, str):
                    raise TypeError(f"Layer '{self.name}' ({what}) expects texts (str), got {type(t).__name__} "
                                    f"{t!r} at index {i}")
                texts.append(t)
        return texts, shape

    # -- learning the vocabulary ------------------------------------------------------------
    def _batches(self, data, batch_size, steps):
        """Lists of texts from whatever ``adapt`` was given: texts, or an iterable of batches of texts."""
        if data is None:
            raise ValueError(f"Layer '{self.name}': adapt got no texts (data is None)")
        is_batch = lambda item: isinstance(item, list | tuple | np.ndarray)  # noqa: E731
        if isinstance(data, str | bytes | np.ndarray) or (
                isinstance(data, list | tuple) and not (data and all(map(is_batch, data)))):
            texts, _ = self._as_texts(data, "adapt")  # an array or list of texts
            size = batch_size or 1  # Keras: without batch_size, each text is one step
            yield texts if steps is None else texts[:steps * size]
            return
        if not hasattr(data, "__iter__"):
            raise TypeError(f"Layer '{self.name}': adapt expects texts (a list or array of str, or an iterable of "
                            f"batches of them), got {type(data).__name__}")
        for step, batch in enumerate(data):  # a list of batches, a generator, a dataset...
            if steps is not None and step >= steps:
                break
            if isinstance(batch, tuple) and len(batch) in (2, 3) and not all(isinstance(b, str) for b in batch):
                raise ValueError(f"Layer '{self.name}': adapt got a batch of {len(batch)} items (texts, labels?); "
                                 "give it the texts only, e.g. (x for x, y in batches)")
            yield self._as_texts(batch, "adapt")[0]

    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary (and, in "tf_idf" mode, the document frequencies) from texts.

        Any earlier vocabulary is replaced.

        Args:
            data: a list or array of texts, or an iterable of batches of texts (such as a
                generator yielding arrays of str: what a dataset of texts yields).
            batch_size: with ``steps``, read ``steps * batch_size`` texts of an array.
            steps: read at most this many batches (of an array: this many texts, or
                ``steps * batch_size``).
        """
        counts = collections.Counter()  # token -> occurrences
        document_counts = collections.Counter()  # token -> texts it occurs in ("tf_idf")
        num_documents = 0
        tf_idf = self.output_mode == "tf_idf"
        for texts in self._batches(data, batch_size, steps):
            num_documents += len(texts)
            for text in texts:
                tokens = self._tokenize(text)
                counts.update(tokens)
                if tf_idf:
                    document_counts.update(set(tokens))
        if num_documents == 0:
            raise ValueError(f"Layer '{self.name}': adapt got no texts (an empty list or no batches)")
        for token in (PAD_TOKEN, OOV_TOKEN):
            counts.pop(token, None)  # the reserved tokens are never learned
        # by descending count, ties by descending text (Keras: a lexsort of (token, count), reversed;
        # Python compares str by code point, which is the order of their UTF-8 bytes)
        ranked = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        if self.max_tokens is not None:
            ranked = ranked[:self.max_tokens - len(self._reserved)]
        tokens = [token for token, _ in ranked]
        idf = None
        if tf_idf:
            frequency = np.array([document_counts[t] for t in tokens], dtype=np.float64)  # (tokens,)
            learned = np.log(1.0 + num_documents / (1.0 + frequency))  # Keras's idf
            oov = learned.mean() if len(learned) else 0.0  # "[UNK]": the mean idf (Keras cannot count it)
            idf = np.concatenate([[oov], learned])
        self._set(self._reserved + tokens, idf)

    def _set(self, vocabulary: list, idf) -> None:
        self._vocabulary = vocabulary
        self._index = {token: i for i, token in enumerate(vocabulary)}
        self._idf = None if idf is None else np.asarray(idf, dtype=np.float32)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (and the idf weights in "tf_idf" mode) instead of adapting.

        Args:
            vocabulary: a list/tuple/array of tokens, or the path of a file with one token per
                line. The reserved tokens (``""``, ``"[UNK]"`` in "int" mode) may come first,
                in that order; otherwise they are added.
            idf_weights: "tf_idf" mode only, and required there: one weight per entry of
                ``vocabulary``; the weight of "[UNK]", if not given, is their mean.
        """
        owner = f"Layer '{self.name}'"
        if isinstance(vocabulary, str | os.PathLike):
            with open(vocabulary, encoding=self.encoding) as f:
                vocabulary = [line.rstrip("\r\n") for line in f]
        elif isinstance(vocabulary, np.ndarray):
            vocabulary = vocabulary.tolist()
        if not isinstance(vocabulary, list | tuple):
            raise TypeError(f"{owner}: the vocabulary must be a list of tokens or a file path, "
                            f"got {type(vocabulary).__name__}")
        vocabulary = list(vocabulary)
        bad = next((t for t in vocabulary if not isinstance(t, str)), None)
        if bad is not None:
            raise TypeError(f"{owner}: the vocabulary must hold str tokens, got {bad!r}")
        if not vocabulary:
            raise ValueError(f"{owner}: cannot set an empty vocabulary")
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{owner}: output_mode='tf_idf' needs idf_weights with the vocabulary "
                             "(one weight per token)")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"{owner}: idf_weights only apply to output_mode='tf_idf', "
                             f"not {self.output_mode!r}")
        reserved = self._reserved
        has_reserved = vocabulary[:len(reserved)] == reserved
        tokens = vocabulary[len(reserved):] if has_reserved else vocabulary
        for i, token in enumerate(tokens):
            if token in reserved:
                raise ValueError(f"{owner}: the vocabulary holds the reserved token {token!r} at index "
                                 f"{i + (len(reserved) if has_reserved else 0)}; reserved tokens may only come "
                                 f"first, in this order: {reserved} (or be left out)")
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(f"{owner}: the vocabulary repeats tokens {repeated[:10]}; each must appear once")
        if self.max_tokens is not None and len(reserved) + len(tokens) > self.max_tokens:
            raise ValueError(f"{owner}: the vocabulary has {len(reserved) + len(tokens)} entries (reserved tokens "
                             f"included), more than max_tokens={self.max_tokens}")
        idf = None
        if idf_weights is not None:
            idf = np.asarray(idf_weights, dtype=np.float64)
            if idf.ndim != 1 or len(idf) != len(vocabulary):
                raise ValueError(f"{owner}: idf_weights must be one weight per vocabulary entry: {len(vocabulary)} "
                                 f"values, got shape {idf.shape}")
            if not has_reserved:
                idf = np.concatenate([[idf.mean()], idf])  # "[UNK]" gets the mean weight, as in Keras
        self._set(reserved + tokens, idf)

    def get_vocabulary(self, include_special_tokens=True):
        """The tokens by id (a token's position is its id); without the reserved ones if asked."""
        vocabulary = self._vocabulary if self._vocabulary is not None else list(self._reserved)
        return list(vocabulary) if include_special_tokens else vocabulary[len(self._reserved):]

    def vocabulary_size(self):
        """Number of entries of the vocabulary, reserved tokens included."""
        return len(self.get_vocabulary())

    # -- texts -> numbers ----------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        kwargs.pop("training", None)  # a preprocessing step: the same in training and inference
        if is_symbolic(inputs):
            return super().__call__(inputs, *args, **kwargs)
        return self.call(inputs, *args, **kwargs)

    def call(self, inputs):
        texts, shape = self._as_texts(inputs, "call")
        if not self.built:
            self._maybe_build((None, *shape[1:]) if shape else shape)
        if self._vocabulary is None:
            raise ValueError(f"Layer '{self.name}' has no vocabulary yet: call adapt(texts) first, or pass "
                             "vocabulary= (or call set_vocabulary)")
        index = self._index
        tokens = [self._tokenize(text) for text in texts]
        if self.output_mode == "int":
            length = self.output_sequence_length
            if length is None:
                length = max(map(len, tokens), default=0)
            ids = [[index.get(t, 1) for t in seq[:length]] for seq in tokens]  # "[UNK]" is 1
            out = pad_sequences(ids, maxlen=length, dtype="int64", padding="post", truncating="post")
        else:
            out = self._bag_of_words(tokens)
        return Tensor(out[0] if shape == () else out)

    def _bag_of_words(self, tokens: list) -> np.ndarray:
        """(batch, width) float32: multi_hot, count or tf_idf of each text's tokens."""
        index = self._index
        width = self.max_tokens if self.pad_to_max_tokens else len(self._vocabulary)
        ids = [[index.get(t, 0) for t in seq if t != PAD_TOKEN] for seq in tokens]  # "[UNK]" is 0; "" is dropped
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        rows = np.repeat(np.arange(len(ids)), lengths)  # (total,) the text of each token
        flat = np.fromiter((i for seq in ids for i in seq), dtype=np.int64, count=int(lengths.sum()))  # (total,)
        out = np.zeros((len(ids), width), dtype=np.float32)
        if self.output_mode == "multi_hot":
            out[rows, flat] = 1.0
            return out
        np.add.at(out, (rows, flat), 1.0)  # counts (repeated tokens add up)
        if self.output_mode == "tf_idf":
            out[:, :len(self._idf)] *= self._idf  # (batch, vocab) * (vocab,); columns past the vocabulary stay 0
        return out

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) == 0 or len(input_shape) > 2 or (len(input_shape) == 2 and input_shape[1] not in (1,)):
            raise ValueError(f"Layer '{self.name}' expects texts of shape (batch,) or (batch, 1), "
                             f"got shape {input_shape}")
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        if self.pad_to_max_tokens:
            return (input_shape[0], self.max_tokens)
        if self._vocabulary is None:
            raise ValueError(f"Layer '{self.name}' has no vocabulary yet, so its output width is unknown: call "
                             "adapt(texts) (or pass vocabulary=) before building a model on it")
        return (input_shape[0], len(self._vocabulary))

    def compute_output_spec(self, inputs, **kwargs):
        dtype = "int64" if self.output_mode == "int" else "float32"
        return TensorSpec(self.compute_output_shape(inputs.shape), dtype)

    # -- saving ------------------------------------------------------------------------------
    def _function_config(self, name, value):
        if value is None or isinstance(value, str):
            return value
        function_name = getattr(value, "__name__", None)
        if not function_name or function_name == "<lambda>":
            raise ValueError(f"Layer '{self.name}': cannot save the `{name}` function {value!r}: a lambda (or an "
                             "object without a name) cannot be found again; use a named function and pass it to "
                             "load_model(..., custom_objects={name: function})")
        return {"function": function_name}

    def get_config(self):
        """Every constructor argument, the vocabulary (and idf weights) included, as JSON values."""
        return {
            **super().get_config(),
            "max_tokens": self.max_tokens,
            "standardize": self._function_config("standardize", self.standardize),
            "split": self._function_config("split", self.split),
            "ngrams": list(self.ngrams) if isinstance(self.ngrams, tuple) else self.ngrams,
            "output_mode": self.output_mode,
            "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary": None if self._vocabulary is None else list(self._vocabulary),
            "idf_weights": None if self._idf is None else [float(w) for w in self._idf],
            "sparse": False,
            "ragged": False,
            "encoding": self.encoding,
        }
