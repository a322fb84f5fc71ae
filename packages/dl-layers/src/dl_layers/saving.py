"""Saving and loading: weights as ``.npz``, architectures as JSON. Never pickle, never eval.

* ``model.save_weights(path)`` writes every weight, in ``model.weights`` order, to an
  ``.npz`` archive with the weights' paths (``dense/kernel``...). ``load_weights`` checks
  the count and every shape *before* touching the model, and names the layer that does
  not fit.
* ``model.save(path)`` writes one zip file: ``config.json`` (the architecture: each layer's
  class name and ``get_config()``, and for functional models the graph of calls),
  ``model.weights.npz`` and, if the model is compiled with built-in pieces,
  ``compile.json``. ``load_model`` rebuilds layers from a registry of layer classes
  (every ``Layer`` subclass registers itself; pass ``custom_objects`` for others).

All writes go to a temporary file that replaces the target only once complete.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict

import numpy as np

from . import losses as losses_module
from . import metrics as metrics_module
from . import nest, optimizers
from .layer import LAYER_REGISTRY, Layer
from .symbolic import KerasTensor
from .utils import atomic_write

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
        with np.load(source, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as err:
        raise ValueError(f"{what}: {label} is not a readable dl-book weights file "
                         f"(corrupted, truncated, or another format): {err}") from None


def _assign_weights(model, arrays: dict, what: str, label: str) -> None:
    if "paths" not in arrays:
        hint = " (a file written by model.save? load it with load_model)" if "config.json" in str(arrays) else ""
        raise ValueError(f"{what}: {label} is not a dl-book weights file: it has no weight paths{hint}")
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
        if value.shape != var.shape:
            layer = var.path.split("/")[0]
            raise ValueError(
                f"{what}: layer '{layer}' expects '{var.path}' of shape {var.shape}, but {label} has "
                f"'{path}' of shape {value.shape}"
            )
        values.append(value)
    for var, value in zip(weights, values):  # all checked: now assign
        var.assign(value)


def load_weights(model, filepath) -> None:
    """Read weights written by ``save_weights`` into ``model`` (all or nothing)."""
    arrays = _read_npz(filepath, "load_weights", f"'{filepath}'")
    _assign_weights(model, arrays, "load_weights", f"'{filepath}'")


# -- architecture -----------------------------------------------------------------------------


def registered_name(cls) -> str:
    """The key under which ``cls`` can be found again in the layer registry."""
    name = cls.__name__
    if LAYER_REGISTRY.get(name) is cls:
        return name
    key = f"{cls.__module__}.{cls.__qualname__}"
    LAYER_REGISTRY[key] = cls
    return key


def serialize_layer(layer: Layer) -> dict:
    """``{"class_name", "config"}`` of a layer (models included)."""
    return {"class_name": registered_name(type(layer)), "config": layer.get_config()}


def deserialize_layer(config: dict, custom_objects=None) -> Layer:
    """Rebuild a layer from ``serialize_layer``'s output."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"load_model: expected a layer config with a class_name, got {config!r}")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or LAYER_REGISTRY.get(name)
    if cls is None:
        raise ValueError(
            f"load_model: unknown layer class {name!r}; define (import) that Layer subclass before loading, "
            "or pass custom_objects={'" + name + "': TheClass}"
        )
    from .model import Model

    if issubclass(cls, Model):
        return cls.from_config(config["config"], custom_objects)
    return cls.from_config(config["config"])


def _refs(structure, node_ids: dict):
    def ref(kt: KerasTensor):
        layer_name, k = node_ids[id(kt.node)]
        return {"__keras_tensor__": [layer_name, k, kt.index]}

    if isinstance(structure, KerasTensor):
        return ref(structure)
    if isinstance(structure, list | tuple):
        return [_refs(s, node_ids) for s in structure]
    return {key: _refs(s, node_ids) for key, s in structure.items()}


def _resolve(structure, produced: dict):
    if isinstance(structure, dict) and "__keras_tensor__" in structure:
        layer_name, k, index = structure["__keras_tensor__"]
        return nest.flatten(produced[(layer_name, k)])[index]
    if isinstance(structure, list):
        return [_resolve(s, produced) for s in structure]
    return {key: _resolve(s, produced) for key, s in structure.items()}


def functional_config(model) -> dict:
    """The architecture of a functional model: its layers and the calls between them."""
    graph = model._graph
    if graph is None:
        raise NotImplementedError(
            f"Model '{model.name}' is a subclassed model: its call() is code, which dl-book never saves; "
            "use save_weights, or build it with the functional API"
        )
    node_ids, counts = {}, defaultdict(int)
    for kt in graph.flat_inputs:
        node_ids[id(kt.node)] = (kt.node.layer.name, 0)
    nodes = []
    for node in graph.nodes:
        try:
            json.dumps(node.kwargs)
        except TypeError:
            raise ValueError(f"Model '{model.name}': the call of '{node.layer.name}' has arguments that cannot be "
                             f"saved as JSON: {node.kwargs!r}") from None
        nodes.append({"layer": node.layer.name, "inputs": _refs(node.inputs, node_ids), "kwargs": node.kwargs})
        node_ids[id(node)] = (node.layer.name, counts[node.layer.name])
        counts[node.layer.name] += 1
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": [serialize_layer(layer) for layer in graph.layers],
        "nodes": nodes,
        "inputs": _refs(graph.inputs, node_ids),
        "outputs": _refs(graph.outputs, node_ids),
    }


def functional_from_config(config: dict, custom_objects=None):
    """Rebuild a functional model: create the layers, then replay every call in order."""
    from .functional import InputLayer
    from .model import Model

    layers = {}
    for layer_config in config["layers"]:
        layer = deserialize_layer(layer_config, custom_objects)
        layers[layer.name] = layer
    produced, counts = {}, defaultdict(int)
    for layer in layers.values():
        if isinstance(layer, InputLayer):
            produced[(layer.name, 0)] = layer.output
    for node in config["nodes"]:
        layer = layers.get(node["layer"])
        if layer is None:
            raise ValueError(f"load_model: the graph calls an unknown layer {node['layer']!r}")
        outputs = layer(_resolve(node["inputs"], produced), **node.get("kwargs", {}))
        produced[(layer.name, counts[layer.name])] = outputs
        counts[layer.name] += 1
    return Model(_resolve(config["inputs"], produced), _resolve(config["outputs"], produced),
                 name=config.get("name"), trainable=config.get("trainable", True))


# -- whole models -------------------------------------------------------------------------


def _compile_config(model):
    if not model.compiled:
        return None
    try:
        raw = model._compile_config

        def loss_item(item):
            return item if isinstance(item, str) or item is None else losses_module.serialize(losses_module.get(item))

        def metric_item(item):
            return item if isinstance(item, str) else metrics_module.serialize(metrics_module.get(item))

        loss = nest.map_structure(loss_item, raw["loss"]) if raw["loss"] is not None else None
        metrics = nest.map_structure(metric_item, raw["metrics"]) if raw["metrics"] is not None else None
        config = {"optimizer": optimizers.serialize(model.optimizer), "loss": loss, "metrics": metrics,
                  "loss_weights": raw["loss_weights"]}
        json.dumps(config)
        return config
    except (ValueError, TypeError, NotImplementedError):
        return None  # custom pieces: the model is saved uncompiled


def save_model(model, filepath) -> None:
    """Write architecture, weights and (built-in) compile settings of ``model`` to one file."""
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
        custom_objects: ``{class name: class}`` for layers defined outside dl-book packages
            that are not imported yet.
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
    model = deserialize_layer(config, custom_objects)
    arrays = _read_npz(io.BytesIO(weights_bytes), "load_model", label)
    _assign_weights(model, arrays, "load_model", label)
    if compile and compile_config is not None:
        def loss_item(item):
            return losses_module.get(item) if isinstance(item, dict) else item

        def metric_item(item):
            return metrics_module.deserialize(item) if isinstance(item, dict) else item

        loss = compile_config["loss"]
        loss = {k: loss_item(v) for k, v in loss.items()} if isinstance(loss, dict) else (
            [loss_item(v) for v in loss] if isinstance(loss, list) else loss_item(loss))
        metrics = compile_config["metrics"]
        if metrics is not None:
            metrics = {k: [metric_item(m) for m in v] if isinstance(v, list) else metric_item(v)
                       for k, v in metrics.items()} if isinstance(metrics, dict) else [
                [metric_item(m) for m in v] if isinstance(v, list) else metric_item(v) for v in metrics]
        model.compile(optimizer=optimizers.get(compile_config["optimizer"]), loss=loss, metrics=metrics,
                      loss_weights=compile_config.get("loss_weights"))
    return model
