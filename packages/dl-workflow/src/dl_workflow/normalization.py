"""Feature-wise normalization, with statistics learned from the training data only.

Features on very different scales (a crime rate near 0.1, a tax rate near 400) make a
network's updates lopsided, so each feature is brought to a common scale first: minus its
mean, over its standard deviation (or onto [0, 1] from its minimum and maximum). The
statistics are part of the model: they are computed on the training data once (``fit``) and
the very same numbers are applied to validation, test and production data (``transform``).
Computing them on all the data instead lets the validation data shape the preprocessing, a
quiet leak that makes the validation score look better than it will be.

``Normalizer`` follows scikit-learn's transformer protocol (``fit``, ``transform``,
``fit_transform``, ``inverse_transform``, ``get_params``, ``set_params``) without importing
it, and saves its statistics as JSON.

Examples:
    >>> import numpy as np
    >>> from dl_workflow.normalization import Normalizer
    >>> train = np.array([[1.0, 100.0], [3.0, 300.0]])
    >>> norm = Normalizer().fit(train)
    >>> norm.mean_, norm.std_
    (array([  2., 200.]), array([  1., 100.]))
    >>> norm.transform(np.array([[2.0, 400.0]]))
    array([[0., 2.]])
"""

from __future__ import annotations

import json
import os
import warnings

import numpy as np

from dl_layers.atomic import atomic_write
from dl_layers.checks import check_choice, check_number

__all__ = ["Normalizer"]

_METHODS = ("standard", "minmax")
_FORMAT = "dl_workflow.Normalizer"
_VERSION = 1


def _check_axis(owner: str, axis):
    if axis is None:
        return None
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise TypeError(f"{owner}: argument `axis` must be an integer (the feature axis) or None (one global "
                        f"statistic), got {axis!r}")
    return int(axis)


class Normalizer:
    """Per-feature (or global) standardization or min-max scaling.

    Args:
        method: ``"standard"``: ``(x - mean) / std`` (population std, ``ddof=0``, as
            scikit-learn's ``StandardScaler``); ``"minmax"``: ``(x - min) / (max - min)``,
            onto [0, 1] for the training data.
        axis: the feature axis, kept separate: one statistic per feature, computed over every
            other axis (the default -1 is the last axis: the columns of a table, the channels of
            ``(samples, timesteps, features)`` sequences). None: one statistic for the whole
            array (e.g. pixels, all scaled alike).
        epsilon: the smallest divisor: a feature whose spread (std, or max - min) is positive
            but below ``epsilon`` is divided by ``epsilon``. A constant feature (max == min in
            the training data) is divided by 1 instead, so it becomes 0 (and a warning names it).

    Attributes (after ``fit``):
        mean_: with ``"standard"``, the mean, shape ``(n_features,)`` (a 0-d array with
            ``axis=None``); float64.
        std_: with ``"standard"``, the standard deviation, the same shape.
        min_: with ``"minmax"``, the minimum, the same shape.
        max_: with ``"minmax"``, the maximum.
        scale_: the divisor actually used (std or range, guarded as described above).
        n_features_: the size of the feature axis at fit (None with ``axis=None``).

    Output dtype: float32 input gives float32 output (float64 gives float64); integer or bool
    input gives float32.

    Examples:
        >>> x = np.array([[0.0, 5.0], [10.0, 5.0]], dtype="float32")
        >>> norm = Normalizer(method="minmax")
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     z = norm.fit_transform(x)
        >>> print(caught[0].message)
        Normalizer: feature(s) [1] are constant in the training data; divided by 1 instead (becomes 0)
        >>> z
        array([[0., 0.],
               [1., 0.]], dtype=float32)
        >>> norm.inverse_transform(z)
        array([[ 0.,  5.],
               [10.,  5.]], dtype=float32)
    """

    def __init__(self, method: str = "standard", axis: int | None = -1, epsilon: float = 1e-7):
        self.method = check_choice("Normalizer", "method", method, _METHODS)
        self.axis = _check_axis("Normalizer", axis)
        self.epsilon = check_number("Normalizer", "epsilon", epsilon, minimum=0)
        self._reset()

    def _reset(self) -> None:
        self.n_features_ = None
        self.scale_ = None
        self._offset = None  # mean_ or min_: what transform subtracts
        self._fitted = False
        for name in ("mean_", "std_", "min_", "max_"):
            self.__dict__.pop(name, None)

    def __repr__(self) -> str:
        return f"Normalizer(method={self.method!r}, axis={self.axis!r}, epsilon={self.epsilon!r})"

    # -- scikit-learn's estimator protocol --------------------------------------------------
    def get_params(self, deep: bool = True) -> dict:
        """The constructor's arguments, as scikit-learn's ``get_params`` (``deep`` is ignored).

        Examples:
            >>> Normalizer(method="minmax").get_params()
            {'method': 'minmax', 'axis': -1, 'epsilon': 1e-07}
        """
        return {"method": self.method, "axis": self.axis, "epsilon": self.epsilon}

    def set_params(self, **params) -> Normalizer:
        """Change constructor arguments (checked as the constructor does); returns self. A
        fitted normalizer forgets its statistics: fit it again.

        Examples:
            >>> Normalizer().set_params(method="minmax").method
            'minmax'
        """
        unknown = sorted(set(params) - set(self.get_params()))
        if unknown:
            raise ValueError(f"Normalizer.set_params: unknown parameter(s) {unknown}; valid: "
                             f"{sorted(self.get_params())}")
        merged = {**self.get_params(), **params}
        fresh = Normalizer(**merged)  # checks every value before anything changes
        self.method, self.axis, self.epsilon = fresh.method, fresh.axis, fresh.epsilon
        self._reset()
        return self

    # -- fitting ------------------------------------------------------------------------------
    def _feature_axis(self, x: np.ndarray, what: str) -> int | None:
        """The feature axis of ``x`` as a non-negative int (None for global statistics)."""
        if self.axis is None:
            return None
        if x.ndim == 0 or not -x.ndim <= self.axis < x.ndim:
            raise ValueError(f"Normalizer.{what}: axis {self.axis} does not exist in x of shape {x.shape}")
        return self.axis % x.ndim

    @staticmethod
    def _as_array(x, what: str) -> np.ndarray:
        try:
            arr = np.asarray(x)
        except (TypeError, ValueError) as err:
            raise TypeError(f"Normalizer.{what}: x could not be read as an array ({err})") from None
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"Normalizer.{what}: x must hold numbers (bool, integer or float), got dtype {arr.dtype}")
        return arr

    def fit(self, x, y=None) -> Normalizer:
        """Compute the statistics of ``x``: the training data, and only the training data.

        Args:
            x: array of shape ``(samples, ..., features)`` (features on ``axis``).
            y: ignored (scikit-learn's protocol).

        Returns:
            self.

        Examples:
            >>> Normalizer().fit(np.array([[1.0], [2.0], [3.0], [4.0]])).std_
            array([1.118])
        """
        x = self._as_array(x, "fit")
        ax = self._feature_axis(x, "fit")
        if x.size == 0:
            raise ValueError(f"Normalizer.fit: x is empty (shape {x.shape}); fit needs training data")
        if x.dtype.kind == "f" and not np.isfinite(x).all():
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(x))[0])
            raise ValueError(f"Normalizer.fit: x contains NaN or an infinite value (first at index {bad}); "
                             "statistics would be NaN: fill or drop the missing values first")
        over = None if ax is None else tuple(i for i in range(x.ndim) if i != ax)  # every axis but the features
        lo = np.min(x, axis=over).astype(np.float64)  # (features,) or ()
        hi = np.max(x, axis=over).astype(np.float64)
        constant = lo == hi  # exact: no rounding involved
        self._reset()
        if self.method == "standard":
            mean = np.mean(x, axis=over, dtype=np.float64)
            mean = np.where(constant, lo, mean)  # a constant feature's mean is its value, exactly
            std = np.std(x, axis=over, dtype=np.float64)
            std = np.where(constant, 0.0, std)
            self.mean_, self.std_ = mean, std
            offset, spread = mean, std
        else:
            self.min_, self.max_ = lo, hi
            offset, spread = lo, hi - lo
        self.scale_ = np.where(constant, 1.0, np.maximum(spread, self.epsilon))
        self._offset = offset
        self.n_features_ = None if ax is None else int(x.shape[ax])
        self._fitted = True
        if constant.any():
            what = (f"feature(s) {np.flatnonzero(constant).tolist()} are" if ax is not None
                    else "x (axis=None: one global statistic) is")
            warnings.warn(f"Normalizer: {what} constant in the training data; divided by 1 instead (becomes 0)",
                          UserWarning, stacklevel=2)
        return self

    def _require_fitted(self, what: str) -> None:
        if not self._fitted:
            raise RuntimeError(f"Normalizer.{what}: this normalizer is not fitted yet; call fit(x_train) first")

    def _broadcast(self, stat: np.ndarray, x: np.ndarray, what: str) -> np.ndarray:
        """``stat`` shaped to broadcast against ``x`` along the feature axis, in x's dtype."""
        ax = self._feature_axis(x, what)
        if ax is not None and x.shape[ax] != self.n_features_:
            raise ValueError(f"Normalizer.{what}: x has {x.shape[ax]} features on axis {self.axis} (shape {x.shape}) "
                             f"but the normalizer was fitted on {self.n_features_}")
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
        if ax is None:
            return np.asarray(stat, dtype=dtype)
        shape = [1] * x.ndim
        shape[ax] = self.n_features_
        return np.asarray(stat, dtype=dtype).reshape(shape)  # (features,) -> (1, .., features, .., 1)

    def transform(self, x) -> np.ndarray:
        """Apply the fitted statistics to ``x`` (training, validation or test data alike).

        Args:
            x: array with the same number of features (on ``axis``) as at fit.

        Returns:
            the normalized array, shape of ``x``; float32 unless ``x`` is float64.
        """
        self._require_fitted("transform")
        x = self._as_array(x, "transform")
        offset, scale = self._broadcast(self._offset, x, "transform"), self._broadcast(self.scale_, x, "transform")
        return (x.astype(offset.dtype, copy=False) - offset) / scale

    def fit_transform(self, x, y=None) -> np.ndarray:
        """``fit(x)`` then ``transform(x)`` (for the training data)."""
        return self.fit(x).transform(x)

    def inverse_transform(self, z) -> np.ndarray:
        """Back to the original units: ``z * scale_ + mean_`` (or ``+ min_``).

        Examples:
            >>> norm = Normalizer().fit(np.array([[10.0], [20.0]]))
            >>> norm.inverse_transform(np.array([[1.0], [-1.0]]))
            array([[20.],
                   [10.]])
        """
        self._require_fitted("inverse_transform")
        z = self._as_array(z, "inverse_transform")
        offset, scale = self._broadcast(self._offset, z, "inverse_transform"), \
            self._broadcast(self.scale_, z, "inverse_transform")
        return z.astype(offset.dtype, copy=False) * scale + offset

    # -- saving ------------------------------------------------------------------------------
    def get_config(self) -> dict:
        """A JSON-able dict: the constructor's arguments, and the fitted statistics as lists
        (floats with ``axis=None``), or None before ``fit``.

        Examples:
            >>> Normalizer().fit(np.array([[1.0], [3.0]])).get_config()
            {'method': 'standard', 'axis': -1, 'epsilon': 1e-07, 'n_features': 1, 'mean': [2.0], 'std': [1.0]}
        """
        config = self.get_params()
        if not self._fitted:
            return {**config, "n_features": None}
        names = ("mean", "std") if self.method == "standard" else ("min", "max")
        stats = {name: getattr(self, name + "_").tolist() for name in names}  # lists, or floats for 0-d arrays
        return {**config, "n_features": self.n_features_, **stats}

    @classmethod
    def from_config(cls, config: dict) -> Normalizer:
        """A normalizer from ``get_config``'s dict (fitted if the dict has statistics).

        Examples:
            >>> norm = Normalizer.from_config({"method": "minmax", "axis": -1, "epsilon": 1e-7, "n_features": 2,
            ...                                "min": [0.0, 1.0], "max": [2.0, 5.0]})
            >>> norm.transform(np.array([[1.0, 3.0]]))
            array([[0.5, 0.5]])
        """
        where = "Normalizer.from_config"
        if not isinstance(config, dict):
            raise TypeError(f"{where}: expected a dict from get_config(), got {type(config).__name__}")
        missing = [k for k in ("method", "axis", "epsilon") if k not in config]
        if missing:
            raise ValueError(f"{where}: the config lacks {missing}; is it a Normalizer's config?")
        norm = cls(method=config["method"], axis=config["axis"], epsilon=config["epsilon"])
        names = ("mean", "std") if norm.method == "standard" else ("min", "max")
        present = [n for n in names if config.get(n) is not None]
        if not present:
            return norm  # not fitted
        if len(present) != 2:
            raise ValueError(f"{where}: a fitted config needs both {names[0]!r} and {names[1]!r}, got only {present}")
        n_features = config.get("n_features")
        stats = []
        for name in names:
            value = config[name]
            try:
                arr = np.asarray(value, dtype=np.float64)
            except (TypeError, ValueError):
                raise ValueError(f"{where}: {name!r} must be a list of numbers, got {value!r:.60}") from None
            if norm.axis is None:
                ok = arr.ndim == 0
                expected = "a number (axis=None)"
            else:
                ok = arr.ndim == 1 and isinstance(n_features, int) and len(arr) == n_features
                expected = f"a list of n_features={n_features!r} numbers"
            if not ok or not np.isfinite(arr).all():
                raise ValueError(f"{where}: {name!r} must be {expected}, finite, got {value!r:.60}")
            stats.append(arr)
        first, second = stats
        if norm.method == "standard":
            if (second < 0).any():
                raise ValueError(f"{where}: 'std' must not be negative, got {config['std']!r:.60}")
            norm.mean_, norm.std_ = first, second
            spread = second
        else:
            if (second < first).any():
                raise ValueError(f"{where}: 'max' must not be below 'min'")
            norm.min_, norm.max_ = first, second
            spread = second - first
        norm._offset = first
        norm.scale_ = np.where(spread == 0, 1.0, np.maximum(spread, norm.epsilon))
        norm.n_features_ = None if norm.axis is None else int(n_features)
        norm._fitted = True
        return norm

    def save(self, path: str | os.PathLike) -> None:
        """Write the config and statistics to a JSON file (atomically).

        Examples:
            >>> import os, tempfile
            >>> norm = Normalizer().fit(np.array([[1.0, 2.0], [3.0, 6.0]]))
            >>> with tempfile.TemporaryDirectory() as folder:
            ...     norm.save(os.path.join(folder, "norm.json"))
            ...     Normalizer.load(os.path.join(folder, "norm.json")).mean_
            array([2., 4.])
        """
        document = {"format": _FORMAT, "version": _VERSION, "config": self.get_config()}
        text = json.dumps(document, indent=1, allow_nan=False)
        with atomic_write(path, "w", encoding="utf-8") as f:
            f.write(text)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Normalizer:
        """A normalizer from a file written by ``save``; a truncated, damaged or foreign file
        gives a ``ValueError`` saying so."""
        where = f"Normalizer.load({os.fspath(path)!r})"
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except UnicodeDecodeError:
            raise ValueError(f"{where}: not a text file; expected the JSON written by Normalizer.save") from None
        try:
            document = json.loads(text, parse_constant=_refuse_constant)
        except (json.JSONDecodeError, ValueError) as err:
            raise ValueError(f"{where}: not valid JSON ({err}); the file may be truncated or not written by "
                             "Normalizer.save") from None
        if not isinstance(document, dict) or document.get("format") != _FORMAT:
            raise ValueError(f"{where}: not a Normalizer file (expected a JSON object with "
                             f"\"format\": \"{_FORMAT}\")")
        if document.get("version") != _VERSION:
            raise ValueError(f"{where}: unsupported version {document.get('version')!r} (this code reads "
                             f"version {_VERSION})")
        try:
            return cls.from_config(document.get("config"))
        except (TypeError, ValueError) as err:
            raise ValueError(f"{where}: the file's config is invalid: {err}") from None


def _refuse_constant(name: str):
    """JSON's NaN and Infinity are not statistics this class writes."""
    raise ValueError(f"unexpected {name}")

