"""Saving and loading: weights as ``.npz``, architectures as JSON. Never pickle, never eval.

* ``model.save_weights(path)`` writes every weight, in ``model.weights`` order, to an
  ``.npz`` archive with the weights' paths (``dense/kernel``...). ``load_weights`` checks
  the count, every shape and every value (numbers, real, castable to the weight's dtype)
  *before* touching the model, and names the layer that does not fit: all or nothing.
* ``model.save(path)`` writes one zip file: ``config.json`` (the architecture: each layer's
  class name and ``get_config()``, and for functional models the graph of calls),
  ``model.weights.npz`` and, if the model is compiled with pieces that can be named,
  ``compile.json``. ``load_model`` rebuilds layers through the layer registry (every
  ``Layer`` subclass registers itself; pass ``custom_objects`` for classes not imported).

All writes go through ``atomic_write``: a temporary file replaces the target only once complete.
"""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np

from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers
from .atomic import atomic_write
from .registry import custom_object_scope, deserialize_layer, serialize_layer

FORMAT = "dl-book model"
FORMAT_VERSION = 1
_WEIGHTS_MEMBER = "model.weights.npz"


# -- weights ------------------------------------------------------------------------------


def _weights_archive(model) -> dict:
    weights = model.weights
    arrays = {f"weight_{i:04d}": v.data for i, v in enumerate(weights)}
    arrays["paths"] = np.array([v.path for v in weights], dtype=str)
    return arrays


def save_weights(model, filepath) -> None:
    """Write ``model``'s weights to ``filepath`` (.npz), atomically."""
    arrays = _weights_archive(model)
    with atomic_write(filepath, "wb") as f:
        np.savez(f, **arrays)


def _read_npz(source, what: str, label: str) -> dict:
    try:
        with open(source, "rb") if not hasattr(source, "read") else source as f:
            loaded = np.load(f, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):  # a .npy array, not an archive of weights
                raise ValueError(f"it holds one {type(loaded).__name__}, not an .npz archive of weights")
            with loaded:
                return {key: loaded[key] for key in loaded.files}
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as err:
        raise ValueError(f"{what}: {label} is not a readable dl-book weights file "
                         f"(corrupted, truncated, or another format): {err}") from None


def _assign_weights(model, arrays: dict, what: str, label: str) -> None:
    if "paths" not in arrays:
        raise ValueError(f"{what}: {label} is not a dl-book weights file: it has no weight paths "
                         "(a file written by model.save? load it with load_model)")
    paths = [str(p) for p in arrays["paths"]]
    weights = model.weights
    if len(paths) != len(weights):
        raise ValueError(
            f"{what}: {label} holds {len(paths)} weights but model '{model.name}' has {len(weights)}"
            + ("" if weights else " (is the model built? call it on data or give it an input shape first)")
        )
    values = []
    for i, (var, path) in enumerate(zip(weights, paths)):
        key = f"weight_{i:04d}"
        if key not in arrays:
            raise ValueError(f"{what}: {label} is missing {key} ({path})")
        value = arrays[key]
        layer = var.path.split("/")[0]
        if value.shape != var.shape:
            raise ValueError(
                f"{what}: layer '{layer}' expects '{var.path}' of shape {var.shape}, but {label} has "
                f"'{path}' of shape {value.shape}"
            )
        real = value.dtype.kind in "biuf"  # not strings, objects or complex numbers
        if not real or (value.dtype.kind == "f" and var.dtype.kind != "f"):
            raise ValueError(
                f"{what}: layer '{layer}' expects '{var.path}' of dtype {var.dtype}, but {label} has '{path}' of "
                f"dtype {value.dtype}, which cannot be cast to it (the file's values must be real numbers)"
            )
        values.append(value)
    for var, value in zip(weights, values):  # all checked: now assign
        var.assign(value)


def load_weights(model, filepath) -> None:
    """Read weights written by ``save_weights`` into ``model`` (all or nothing)."""
    arrays = _read_npz(filepath, "load_weights", f"'{filepath}'")
    _assign_weights(model, arrays, "load_weights", f"'{filepath}'")


# -- compile settings -----------------------------------------------------------------------

# A loss or metric is saved by name if it was given by name ("mse", "accuracy"), else as
# its registry config {"class_name": ..., "config": ...}. Per-output settings given as a
# dict are wrapped in {"per_output": {...}}, so they cannot be mistaken for a config.


def _save_items(value, serialize):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):
        return {"per_output": {name: _save_items(v, serialize) for name, v in value.items()}}
    if isinstance(value, list | tuple):
        return [_save_items(v, serialize) for v in value]
    return serialize(value)


def _load_items(value, deserialize):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return [_load_items(v, deserialize) for v in value]
    if set(value) == {"per_output"}:
        return {name: _load_items(v, deserialize) for name, v in value["per_output"].items()}
    return deserialize(value)


def _compile_config(model) -> dict | None:
    """The compile settings as JSON, or None when a piece cannot be named (a plain
    function, a lambda): the model is then saved uncompiled."""
    if not model.compiled:
        return None
    raw = model._compile_config
    try:
        config = {
            "optimizer": optimizers.serialize(model.optimizer),
            "loss": _save_items(raw["loss"], lambda item: losses_module.serialize(losses_module.get(item))),
            "metrics": _save_items(raw["metrics"], lambda item: metrics_module.serialize(metrics_module.get(item))),
            "loss_weights": raw["loss_weights"],
        }
        json.dumps(config)
    except (ValueError, TypeError, NotImplementedError):
        return None
    return config


# -- whole models -------------------------------------------------------------------------


def save_model(model, filepath) -> None:
    """Write architecture, weights and (nameable) compile settings of ``model`` to one file."""
    config = serialize_layer(model)
    compile_config = _compile_config(model)
    weights = io.BytesIO()
    np.savez(weights, **_weights_archive(model))
    metadata = {"format": FORMAT, "format_version": FORMAT_VERSION, "class_name": config["class_name"]}
    with atomic_write(filepath, "wb") as f, zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("metadata.json", json.dumps(metadata, indent=2))
        archive.writestr("config.json", json.dumps(config, indent=2))
        if compile_config is not None:
            archive.writestr("compile.json", json.dumps(compile_config, indent=2))
        archive.writestr(_WEIGHTS_MEMBER, weights.getvalue())


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002 (Keras's name)
    """Rebuild a model written by ``model.save``: architecture, weights, and compile settings.

    Args:
        filepath: the file written by ``save``.
        custom_objects: ``{class name: class}`` (or function) for your own layers, losses
            or metrics that are not imported yet.
        compile: compile the model again with the saved optimizer, loss and metrics.
    """
    label = f"'{filepath}'"
    try:
        archive = zipfile.ZipFile(filepath)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, OSError) as err:
        raise ValueError(f"load_model: {label} is not a dl-book model file (not a zip archive): {err}") from None
    with archive:
        try:
            metadata = json.loads(archive.read("metadata.json"))
            if metadata.get("format") != FORMAT:
                raise ValueError(f"unexpected format {metadata.get('format')!r}")
            config = json.loads(archive.read("config.json"))
            weights_bytes = archive.read(_WEIGHTS_MEMBER)
            compile_config = json.loads(archive.read("compile.json")) if "compile.json" in archive.namelist() else None
        except (KeyError, ValueError, zipfile.BadZipFile, EOFError, OSError) as err:
            raise ValueError(f"load_model: {label} is not a complete dl-book model file: {err}") from None
    with custom_object_scope(custom_objects):
        try:
            model = deserialize_layer(config)
        except ValueError as err:
            raise ValueError(f"load_model: {err}") from None
        arrays = _read_npz(io.BytesIO(weights_bytes), "load_model", label)
        _assign_weights(model, arrays, "load_model", label)
        if compile and compile_config is not None:
            model.compile(optimizer=optimizers.deserialize(compile_config["optimizer"]),
                          loss=_load_items(compile_config["loss"], losses_module.deserialize),
                          metrics=_load_items(compile_config["metrics"], metrics_module.deserialize),
                          loss_weights=compile_config.get("loss_weights"))
    return model
