"""Initializers: the starting values of a layer's weights.

Training starts from random weights (chapter 2), but *how* random matters: if the weights
are too large, activations and gradients grow layer after layer; too small, and they
vanish. The variance-scaling family (Glorot, He, LeCun) picks the spread from the number
of inputs and outputs of a unit, its *fans*, so that the variance of the signal stays
about constant through the stack:

* ``fan_in``: values summed into one output unit (e.g. 784 for a ``Dense`` on MNIST);
* ``fan_out``: units one input value feeds;
* a kernel drawn with variance ``scale / fan`` then keeps the variance of its output
  close to ``scale`` times that of its input.

An initializer is a callable object: ``init(shape, dtype="float32")`` returns a new NumPy
array. Random ones draw from dl-tensor's global generator (``dl_tensor.random.get_rng()``,
looked up at every call), so ``dl_tensor.set_random_seed(n)`` makes runs repeatable;
with ``seed=n`` an initializer uses its own generator and returns the same values on
every call, whatever the global seed.

Names and configs go through ``INITIALIZERS``: each class answers to its class name and
its snake_case form (``"GlorotUniform"``, ``"glorot_uniform"``), your own subclasses of
``Initializer`` included.

Examples:
    >>> import dl_tensor
    >>> dl_tensor.set_random_seed(0)
    >>> kernel = get("glorot_uniform")((784, 512))
    >>> kernel.shape, kernel.dtype
    ((784, 512), dtype('float32'))
    >>> bool(abs(kernel).max() <= (6 / (784 + 512)) ** 0.5)
    True
"""

from __future__ import annotations

import math

import numpy as np

from dl_tensor import random as dt_random

from .checks import check_choice, check_dtype, check_number, check_shape
from .registry import Configurable, Registrable, Registry

__all__ = [
    "INITIALIZERS",
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "compute_fans",
    "deserialize",
    "get",
    "serialize",
]

# Standard deviation of a standard normal truncated to [-2, 2]: dividing by it makes a
# truncated normal draw have the intended standard deviation.
TRUNCATED_STD = 0.87962566103423978


# -- fans -------------------------------------------------------------------------------


def compute_fans(shape) -> tuple[int, int]:
    """Fan-in and fan-out of a weight tensor of ``shape``.

    * ``()``: (1, 1); ``(n,)``: (n, n) (a bias or a scale vector);
    * ``(in, out)``: a ``Dense`` kernel, (in, out);
    * ``(k, in, out)`` or ``(kh, kw, in, out)``: a convolution kernel; every output unit
      sees ``in`` channels over a receptive field of ``k`` or ``kh * kw`` positions, so
      fan_in = in * field and fan_out = out * field.

    Args:
        shape: tuple of ints.

    Returns:
        ``(fan_in, fan_out)`` as Python ints.

    Examples:
        >>> compute_fans((784, 512)), compute_fans((3, 3, 32, 64)), compute_fans(())
        ((784, 512), (288, 576), (1, 1))
    """
    shape = check_shape("compute_fans", "shape", shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    field = math.prod(shape[:-2])  # 1 for a Dense kernel
    return shape[-2] * field, shape[-1] * field


# -- the base class ---------------------------------------------------------------------


class Initializer(Configurable, Registrable):
    """Base class: a callable ``(shape, dtype) -> np.ndarray`` with a config.

    Subclasses implement ``__call__`` and list their constructor arguments in
    ``get_config``; defining one registers it, so a saved model finds it by class name.
    """


    def __call__(self, shape, dtype="float32") -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(shape, dtype)")


INITIALIZERS = Registry("initializer", base=Initializer)


class _RandomInitializer(Initializer, register=False):
    """An initializer with a ``seed``: its own generator if seeded, else the global one."""

    def __init__(self, seed=None):
        self.seed = check_number(type(self).__name__, "seed", seed, minimum=0, integer=True, none_ok=True)

    def _rng(self) -> np.random.Generator:
        # looked up at every call: dl_tensor.set_random_seed replaces the global generator
        if self.seed is not None:
            return np.random.default_rng(self.seed)
        return dt_random.get_rng()

    def _prepare(self, shape, dtype):
        name = type(self).__name__
        return check_shape(name, "shape", shape), check_dtype(name, "dtype", dtype)

    def get_config(self) -> dict:
        return {"seed": self.seed}


def _truncated_standard_normal(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Standard normal values in [-2, 2]: entries outside are redrawn until none are left."""
    z = rng.standard_normal(math.prod(shape))  # (n,) float64
    bad = np.flatnonzero(np.abs(z) > 2.0)  # indices to redraw (about 4.6 % at first)
    while bad.size:
        z[bad] = rng.standard_normal(bad.size)
        bad = bad[np.abs(z[bad]) > 2.0]  # only the fresh draws can still be out of range
    return z.reshape(shape)  # (n,) -> shape


# -- constant initializers --------------------------------------------------------------


class Constant(Initializer):
    """Every entry equal to ``value``, or a whole array of values.

    The second edition loads pretrained word vectors this way:
    ``Embedding(10000, 100, embeddings_initializer=Constant(embedding_matrix), trainable=False)``.
    An array must broadcast to the weight's shape; it is saved in the config as nested lists.

    Args:
        value: a Python number, or an array (nested lists) of numbers.

    Examples:
        >>> print(Constant(0.5)((2, 3)))
        [[0.5 0.5 0.5]
         [0.5 0.5 0.5]]
        >>> print(Constant([[1, 2], [3, 4]])((2, 2)))
        [[1. 2.]
         [3. 4.]]
    """

    def __init__(self, value=0.0):
        name = type(self).__name__
        if np.ndim(value) == 0:
            self.value = check_number(name, "value", value)
        else:
            array = np.asarray(value)
            if array.dtype.kind not in "fiub" or not np.isfinite(array).all():
                raise ValueError(f"{name}: value must be finite numbers, got an array of {array.dtype} "
                                 f"{'with non-finite entries' if array.dtype.kind in 'fiub' else ''}".rstrip())
            self.value = array

    def __call__(self, shape, dtype="float32") -> np.ndarray:
        name = type(self).__name__
        shape = check_shape(name, "shape", shape)
        dtype = check_dtype(name, "dtype", dtype, "fiub")
        if isinstance(self.value, np.ndarray):
            try:
                return np.broadcast_to(self.value, shape).astype(dtype)  # a fresh array of the weight's shape
            except ValueError:
                raise ValueError(f"{name}: a value of shape {self.value.shape} does not fit a weight of shape "
                                 f"{shape}") from None
        return np.full(shape, self.value, dtype=dtype)

    def get_config(self) -> dict:
        return {"value": self.value.tolist() if isinstance(self.value, np.ndarray) else self.value}


class Zeros(Constant):
    """All zeros: the default for biases.

    Examples:
        >>> print(Zeros()((3,)))
        [0. 0. 0.]
    """

    def __init__(self):
        super().__init__(0.0)

    def get_config(self) -> dict:
        return {}


class Ones(Constant):
    """All ones (e.g. the ``gamma`` scale of ``BatchNormalization``).

    Examples:
        >>> print(Ones()((3,)))
        [1. 1. 1.]
    """

    def __init__(self):
        super().__init__(1.0)

    def get_config(self) -> dict:
        return {}


# -- plain random initializers ----------------------------------------------------------


class RandomNormal(_RandomInitializer):
    """Values drawn from a normal distribution N(mean, stddev^2).

    Args:
        mean: mean of the distribution.
        stddev: standard deviation (>= 0).
        seed: None (global generator) or an int (same values at every call).

    Examples:
        >>> w = RandomNormal(stddev=0.05, seed=1)((2, 3))
        >>> w.shape, w.dtype, bool((w == RandomNormal(stddev=0.05, seed=1)((2, 3))).all())
        ((2, 3), dtype('float32'), True)
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        name = type(self).__name__
        self.mean = check_number(name, "mean", mean)
        self.stddev = check_number(name, "stddev", stddev, minimum=0)

    def __call__(self, shape, dtype="float32") -> np.ndarray:
        shape, dtype = self._prepare(shape, dtype)
        z = self._rng().standard_normal(shape)  # float64, then one cast
        return np.asarray(self.mean + self.stddev * z, dtype)  # an array even for shape ()

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_RandomInitializer):
    """Values drawn uniformly from [minval, maxval] (maxval itself only by float rounding).

    Args:
        minval: lower bound.
        maxval: upper bound (>= minval).
        seed: None (global generator) or an int (same values at every call).

    Examples:
        >>> w = RandomUniform(-1.0, 1.0)((100,))
        >>> bool(w.min() >= -1.0 and w.max() <= 1.0), w.dtype
        (True, dtype('float32'))
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        name = type(self).__name__
        self.minval = check_number(name, "minval", minval)
        self.maxval = check_number(name, "maxval", maxval)
        if self.maxval < self.minval:
            raise ValueError(f"{name}: argument `maxval` ({maxval!r}) must be >= `minval` ({minval!r})")

    def __call__(self, shape, dtype="float32") -> np.ndarray:
        shape, dtype = self._prepare(shape, dtype)
        return np.asarray(self._rng().uniform(self.minval, self.maxval, size=shape), dtype)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(_RandomInitializer):
    """Normal values N(mean, stddev^2) with those beyond 2 stddev from the mean redrawn.

    The result lies in [mean - 2 stddev, mean + 2 stddev]; its standard deviation is
    about 0.88 stddev (the truncation removes the tails).

    Args:
        mean: mean of the distribution.
        stddev: standard deviation before truncation (>= 0).
        seed: None (global generator) or an int (same values at every call).

    Examples:
        >>> w = TruncatedNormal(stddev=1.0)((1000,))
        >>> bool(abs(w).max() <= 2.0)
        True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        name = type(self).__name__
        self.mean = check_number(name, "mean", mean)
        self.stddev = check_number(name, "stddev", stddev, minimum=0)

    def __call__(self, shape, dtype="float32") -> np.ndarray:
        shape, dtype = self._prepare(shape, dtype)
        z = _truncated_standard_normal(self._rng(), shape)
        return np.asarray(self.mean + self.stddev * z, dtype)  # an array even for shape ()

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


# -- variance scaling -------------------------------------------------------------------


class VarianceScaling(_RandomInitializer):
    """Random values with variance ``scale / fan``, the fan chosen by ``mode``.

    With ``n = fan_in``, ``fan_out`` or ``(fan_in + fan_out) / 2``:

    * ``"truncated_normal"``: normal truncated at 2 stddev, with stddev
      ``sqrt(scale / n) / 0.8796...`` so that the *truncated* values have variance ``scale / n``;
    * ``"untruncated_normal"``: normal with stddev ``sqrt(scale / n)``;
    * ``"uniform"``: uniform in [-limit, limit], ``limit = sqrt(3 * scale / n)``.

    Args:
        scale: positive scaling factor (2 suits ReLU layers, 1 tanh/linear ones).
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        distribution: ``"truncated_normal"``, ``"untruncated_normal"`` or ``"uniform"``.
        seed: None (global generator) or an int (same values at every call).

    Examples:
        >>> init = VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform")
        >>> w = init((50, 10))     # limit = sqrt(3 * 2 / 50)
        >>> bool(abs(w).max() <= (6 / 50) ** 0.5)
        True
    """

    MODES = ("fan_in", "fan_out", "fan_avg")
    DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        name = type(self).__name__
        self.scale = check_number(name, "scale", scale, minimum=0, min_inclusive=False)
        self.mode = check_choice(name, "mode", mode, self.MODES)
        self.distribution = check_choice(name, "distribution", distribution, self.DISTRIBUTIONS)

    def __call__(self, shape, dtype="float32") -> np.ndarray:
        shape, dtype = self._prepare(shape, dtype)
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, fan)
        rng = self._rng()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            w = rng.uniform(-limit, limit, size=shape)
        elif self.distribution == "untruncated_normal":
            w = math.sqrt(variance) * rng.standard_normal(shape)
        else:
            w = (math.sqrt(variance) / TRUNCATED_STD) * _truncated_standard_normal(rng, shape)
        return np.asarray(w, dtype)  # an array even for shape ()

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


class _PresetVarianceScaling(VarianceScaling, register=False):
    """A ``VarianceScaling`` whose scale, mode and distribution are fixed by the class."""

    PRESET: tuple = ()

    def __init__(self, seed=None):
        scale, mode, distribution = self.PRESET
        super().__init__(scale, mode, distribution, seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class GlorotUniform(_PresetVarianceScaling):
    """Glorot (Xavier) uniform: uniform in ±sqrt(6 / (fan_in + fan_out)); Keras's default kernel.

    Examples:
        >>> w = GlorotUniform(seed=0)((300, 100))
        >>> bool(abs(w).max() <= (6 / 400) ** 0.5)
        True
    """

    PRESET = (1.0, "fan_avg", "uniform")


class GlorotNormal(_PresetVarianceScaling):
    """Glorot (Xavier) normal: truncated normal with variance 2 / (fan_in + fan_out).

    Examples:
        >>> GlorotNormal(seed=0)((3, 4)).shape
        (3, 4)
    """

    PRESET = (1.0, "fan_avg", "truncated_normal")


class HeNormal(_PresetVarianceScaling):
    """He normal: truncated normal with variance 2 / fan_in (suits ReLU layers).

    Examples:
        >>> HeNormal(seed=0)((3, 3, 16, 32)).shape
        (3, 3, 16, 32)
    """

    PRESET = (2.0, "fan_in", "truncated_normal")


class HeUniform(_PresetVarianceScaling):
    """He uniform: uniform in ±sqrt(6 / fan_in).

    Examples:
        >>> bool(abs(HeUniform(seed=0)((24, 8))).max() <= 0.5)
        True
    """

    PRESET = (2.0, "fan_in", "uniform")


class LecunNormal(_PresetVarianceScaling):
    """LeCun normal: truncated normal with variance 1 / fan_in (the partner of ``selu``).

    Examples:
        >>> LecunNormal(seed=0)((5,)).dtype
        dtype('float32')
    """

    PRESET = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_PresetVarianceScaling):
    """LeCun uniform: uniform in ±sqrt(3 / fan_in).

    Examples:
        >>> bool(abs(LecunUniform(seed=0)((12, 4))).max() <= 0.5)
        True
    """

    PRESET = (1.0, "fan_in", "uniform")


# -- orthogonal -------------------------------------------------------------------------


class Orthogonal(_RandomInitializer):
    """A random (semi-)orthogonal matrix times ``gain``, e.g. for recurrent kernels.

    The shape is viewed as a matrix of ``prod(shape[:-1])`` rows and ``shape[-1]``
    columns. A Gaussian matrix is factored as Q R; multiplying each column of Q by the
    sign of R's diagonal makes Q uniformly distributed among orthogonal matrices. Tall
    matrices get orthonormal columns (``W.T @ W = gain^2 I``), wide ones orthonormal rows
    (``W @ W.T = gain^2 I``).

    Args:
        gain: multiplier of the orthogonal matrix.
        seed: None (global generator) or an int (same values at every call).

    Examples:
        >>> w = Orthogonal(seed=0)((4, 3))            # 4 rows, 3 orthonormal columns
        >>> bool(np.allclose(w.T @ w, np.eye(3), atol=1e-6))   # (3, 4) @ (4, 3) -> (3, 3)
        True
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = check_number(type(self).__name__, "gain", gain)

    def __call__(self, shape, dtype="float32") -> np.ndarray:
        shape, dtype = self._prepare(shape, dtype)
        if len(shape) < 2:
            raise ValueError(
                f"Orthogonal: argument `shape` must have rank >= 2 (a matrix or a stack of them), got {shape!r}"
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        if rows == 0 or cols == 0:
            return np.zeros(shape, dtype)
        big, small = max(rows, cols), min(rows, cols)
        a = self._rng().standard_normal((big, small))  # (big, small)
        q, r = np.linalg.qr(a)  # q: (big, small) orthonormal columns, r: (small, small)
        q = q * np.where(np.diag(r) >= 0, 1.0, -1.0)  # (big, small) * (small,): fix column signs
        if rows < cols:
            q = q.T  # (small, big) = (rows, cols): orthonormal rows
        return (self.gain * q).reshape(shape).astype(dtype)  # (rows, cols) -> shape

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


# -- names: one-line facades over INITIALIZERS ---------------------------------------------


def get(identifier):
    """The initializer for a layer's ``kernel_initializer=`` / ``bias_initializer=``.

    A name (``"glorot_uniform"`` or ``"GlorotUniform"``) gives a new instance, a
    ``serialize`` dict the initializer it describes; None, an ``Initializer`` or a function
    ``(shape, dtype) -> array`` is returned as it is.

    Examples:
        >>> get("he_normal"), get({"class_name": "Constant", "config": {"value": 2.0}})
        (HeNormal(seed=None), Constant(value=2.0))
    """
    return INITIALIZERS.get(identifier)


def serialize(initializer) -> dict:
    """An initializer as ``{"class_name": ..., "config": {...}}`` (what ``get`` accepts back).

    Examples:
        >>> serialize(RandomNormal(stddev=0.1))
        {'class_name': 'RandomNormal', 'config': {'mean': 0.0, 'stddev': 0.1, 'seed': None}}
    """
    return INITIALIZERS.serialize(initializer)


def deserialize(config, custom_objects: dict | None = None):
    """The initializer ``serialize`` described (your own classes are found by name, or in ``custom_objects``)."""
    return INITIALIZERS.deserialize(config, custom_objects)
