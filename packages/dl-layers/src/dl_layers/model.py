"""``Model``: layers plus the training loop (``compile``, ``fit``, ``evaluate``, ``predict``).

Three ways to make one, as in Keras:

* ``Sequential([...])``: a plain stack of layers (see ``sequential.py``);
* ``Model(inputs, outputs)``: the functional API, any graph of layers;
* a subclass of ``Model`` whose ``call`` you write yourself.

``fit`` repeats, for each batch: run the model (``training=True``), compute the loss,
``backward``, and let the optimizer move every trainable weight. Everything else --
batching, shuffling, validation, metrics, callbacks, progress bars -- is bookkeeping
around those four lines (``train_step``).
"""

from __future__ import annotations

import numpy as np

from dl_tensor import Tensor, no_grad

from . import nest, optimizers, saving, summary
from .callbacks import CallbackList, History, ProgbarLogger
from .compile_utils import CompiledLoss, CompiledMetrics, RunningMean, class_weights_to_sample_weights
from .data_adapter import is_batch_source, make_data, split_for_validation, unpack
from .functional import FunctionalGraph
from .layer import WEIGHTS_VERSION, Layer
from .symbolic import TensorSpec


class Model(Layer):
    """A group of layers with training and inference features.

    Args:
        inputs: for the functional API, the ``Input`` tensor(s) (one, a list or a dict).
        outputs: the output tensor(s) computed from them (one, a list or a dict).
        name: the model's name.

    Examples:
        >>> import numpy as np
        >>> from dl_layers import Dense, Input, Model
        >>> inputs = Input(shape=(4,))
        >>> outputs = Dense(1)(Dense(8, activation="relu")(inputs))
        >>> model = Model(inputs, outputs)
        >>> model.compile(optimizer="rmsprop", loss="mse")
        >>> model.predict(np.zeros((3, 4))).shape
        (3, 1)
    """

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._graph = None
        self.optimizer = None
        self.compiled_loss = None
        self.compiled_metrics = None
        self.stop_training = False
        self.history = None
        self._trainable_cache = (None, [])
        self._layers_cache = (None, [], [])
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError(f"Model '{self.name}': give both inputs and outputs for a functional model")
            self._set_graph(FunctionalGraph(inputs, outputs, self.name))

    def _set_graph(self, graph: FunctionalGraph) -> None:
        self._graph = graph
        self._graph_layers = list(graph.layers)
        self.built = True
        self._build_input_shape = nest.map_structure(lambda kt: kt.shape, graph.inputs)

    # -- structure ----------------------------------------------------------------------
    @property
    def layers(self) -> list:
        """The model's layers (for a functional model, its InputLayers first)."""
        return list(self._graph.layers) if self._graph is not None else self._sublayers()

    def get_layer(self, name=None, index=None) -> Layer:
        """A layer by name, or by position in ``layers``."""
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"Model '{self.name}': get_layer index {index} is out of range for "
                                 f"{len(self.layers)} layers")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"Model '{self.name}': no layer named {name!r}; layers: {[l.name for l in self.layers]}")

    def _require_graph(self, what: str) -> FunctionalGraph:
        if self._graph is None:
            raise AttributeError(f"Model '{self.name}' has no defined {what}: build it first (call it on data, "
                                 "or give the first layer an input_shape)")
        return self._graph

    @property
    def inputs(self) -> list:
        return list(self._require_graph("inputs").flat_inputs)

    @property
    def outputs(self) -> list:
        return list(self._require_graph("outputs").flat_outputs)

    @property
    def input(self):
        return self._require_graph("input").inputs

    @property
    def output(self):
        return self._require_graph("output").outputs

    @property
    def input_names(self) -> list:
        return self._require_graph("inputs").input_names()

    @property
    def output_names(self) -> list:
        if self._graph is None:
            return ["output"]
        return self._graph.output_names()

    # -- running ----------------------------------------------------------------------
    def call(self, inputs, training=None):
        graph = self._graph
        if graph is None:
            raise NotImplementedError(
                f"Model '{self.name}': subclass Model and write call(), or build it as Model(inputs, outputs)"
            )
        flat = self._flat_inputs(inputs)
        for kt, value in zip(graph.flat_inputs, flat):
            shape = value.shape
            if len(shape) != len(kt.shape) or any(e is not None and e != g for e, g in zip(kt.shape, shape)):
                raise ValueError(f"Model '{self.name}': input '{kt.node.layer.name}' expects shape {kt.shape}, "
                                 f"got {tuple(shape)}")
        return graph.run(flat, training)

    def _flat_inputs(self, inputs) -> list:
        graph = self._graph
        names = graph.input_names()
        if isinstance(inputs, dict):
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(f"Model '{self.name}': inputs {missing} are missing; expected keys {names}, "
                                 f"got {sorted(inputs)}")
            return [inputs[n] for n in names]
        flat = nest.flatten(inputs) if isinstance(inputs, list | tuple) else [inputs]
        if len(flat) != len(names):
            raise ValueError(f"Model '{self.name}' expects {len(names)} input(s) {names}, got {len(flat)}")
        return flat

    def compute_output_spec(self, inputs, **kwargs):
        graph = self._graph
        if graph is not None:
            flat = nest.flatten(inputs)
            if len(flat) == len(graph.flat_inputs) and all(
                len(a.shape) == len(b.shape) and all(x is None or y is None or x == y for x, y in zip(a.shape, b.shape))
                for a, b in zip(flat, graph.flat_inputs)
            ):
                return nest.map_structure(lambda kt: TensorSpec(kt.shape, kt.dtype), graph.outputs)
        return super().compute_output_spec(inputs, **kwargs)

    def build(self, input_shape=None):
        """Create the weights by running the model once on zeros of ``input_shape``."""
        if self._graph is None and input_shape is not None:
            zeros = np.zeros(tuple(1 if d is None else d for d in input_shape), np.float32)
            with no_grad():
                self.call(Tensor(zeros))
        self.built = True

    def summary(self, line_length=None, print_fn=None):
        """Print a table of the layers, their output shapes and parameter counts."""
        summary.print_summary(self, line_length=line_length, print_fn=print_fn)

    # -- compile ----------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, weighted_metrics=None,
                run_eagerly=None, jit_compile=None, steps_per_execution=None):
        """Choose the optimizer, the loss(es) and the metrics.

        Args:
            optimizer: name ("rmsprop", "adam", "sgd", ...) or an optimizer instance.
            loss: name ("mse", "sparse_categorical_crossentropy", ...), a Loss, a function
                ``fn(y_true, y_pred) -> per-sample losses``, or a list/dict per output.
            metrics: list of names ("accuracy", "mae", ...), Metric instances or
                functions; or a dict/list of lists per output.
            loss_weights: factors of the per-output losses in the total (list or dict).
            weighted_metrics: not supported (sample weights apply to metrics already).
            run_eagerly: accepted for Keras compatibility (everything runs eagerly).
            jit_compile: accepted for Keras compatibility (ignored).
            steps_per_execution: accepted for Keras compatibility (ignored).
        """
        if weighted_metrics is not None:
            raise ValueError("compile: weighted_metrics is not supported; sample weights already apply to metrics")
        self.optimizer = optimizers.get(optimizer)
        names = self.output_names
        self.compiled_loss = CompiledLoss(loss, loss_weights, names)
        self.compiled_metrics = CompiledMetrics(metrics, names, self.compiled_loss)
        if self._graph is not None:  # output shapes known: metric names are known now
            self.compiled_metrics.build(self._graph.flat_outputs)
        self._loss_trackers = {"loss": RunningMean(), **{n: RunningMean() for n in self.compiled_loss.names}}
        self._compile_config = {"loss": loss, "metrics": metrics, "loss_weights": loss_weights}

    @property
    def compiled(self) -> bool:
        return self.optimizer is not None

    def _assert_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(f"Model '{self.name}': call compile(optimizer=..., loss=...) before {what}()")

    @property
    def metrics_names(self) -> list:
        names = list(self._loss_trackers) if self.compiled else []
        if self.compiled_metrics is not None and self.compiled_metrics.metrics is not None:
            names += [name for _, name, _ in self.compiled_metrics.metrics]
        return names

    def reset_metrics(self) -> None:
        """Forget the running averages of the loss and metrics."""
        for tracker in self._loss_trackers.values():
            tracker.reset()
        self.compiled_metrics.reset()

    # -- one step -------------------------------------------------------------------------
    def _flat_outputs(self, y_pred) -> list:
        if isinstance(y_pred, dict):
            return [y_pred[n] for n in self.output_names]
        return nest.flatten(y_pred) if isinstance(y_pred, list | tuple) else [y_pred]

    def _flat_targets(self, y, what: str) -> list:
        names = self.output_names
        if y is None:
            return [None] * len(names)
        if isinstance(y, dict):
            unknown = sorted(set(y) - set(names))
            if unknown:
                raise ValueError(f"{what}: targets for unknown outputs {unknown}; outputs are {names}")
            return [y.get(n) for n in names]
        if len(names) > 1:
            if not isinstance(y, list | tuple) or len(y) != len(names):
                raise ValueError(f"{what}: the model has {len(names)} outputs {names}; give y as a list of "
                                 f"{len(names)} arrays or a dict keyed by output name")
            return list(y)
        if isinstance(y, list | tuple) and len(y) == 1 and not np.isscalar(y[0]):
            return [y[0]]
        return [y]

    def _trainable_variables(self) -> list:
        version, cached = self._trainable_cache
        if version != WEIGHTS_VERSION[0]:
            cached = self.trainable_weights
            self._trainable_cache = (WEIGHTS_VERSION[0], cached)
        return cached

    def _step_cache(self):
        """(every layer inside, every regularized weight), recomputed only after changes."""
        version, layers, regularized = self._layers_cache
        if version != WEIGHTS_VERSION[0]:
            layers = self._flatten_layers()
            regularized = [v for layer in layers for v in layer._own_variables() if v.regularizer is not None]
            self._layers_cache = (WEIGHTS_VERSION[0], layers, regularized)
        return layers, regularized

    def _clear_layer_losses(self) -> None:
        for layer in self._step_cache()[0]:
            if layer._losses:
                layer._losses.clear()

    @property
    def losses(self) -> list:
        """Weight penalties of every layer, plus ``add_loss`` terms of the last call."""
        layers, regularized = self._step_cache()
        out = [v.regularizer(v) for v in regularized]
        for layer in layers:
            if layer._losses:
                out.extend(layer._losses)
        return out

    def _total_loss(self, targets: list, y_pred, sample_weight):
        """(total loss, per-output losses, flat predictions, per-output sample weights)."""
        flat_pred = self._flat_outputs(y_pred)
        n = len(flat_pred)
        sw = [sample_weight] * n if not isinstance(sample_weight, list | tuple) else list(sample_weight)
        total, parts = self.compiled_loss(targets, flat_pred, sw)
        for extra in self.losses:  # weight penalties and add_loss() terms
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError(f"Model '{self.name}': there is no loss to minimise; pass loss= to compile()")
        return total, parts, flat_pred, sw

    def train_step(self, x, y=None, sample_weight=None) -> dict:
        """One optimisation step on one batch; returns the running logs."""
        self._clear_layer_losses()
        targets = self._flat_targets(y, "fit")
        y_pred = self(x, training=True)
        total, parts, flat_pred, sw = self._total_loss(targets, y_pred, sample_weight)
        variables = self._trainable_variables()
        if total.requires_grad:  # False when nothing in the model is trainable
            for v in variables:
                v.grad = None
            total.backward()
            self.optimizer.apply([v.grad for v in variables], variables)
        return self._update_logs(total, parts, targets, flat_pred, sw)

    def test_step(self, x, y=None, sample_weight=None) -> dict:
        """Loss and metrics on one batch, without training."""
        self._clear_layer_losses()
        targets = self._flat_targets(y, "evaluate")
        with no_grad():
            y_pred = self(x, training=False)
            total, parts, flat_pred, sw = self._total_loss(targets, y_pred, sample_weight)
        return self._update_logs(total, parts, targets, flat_pred, sw)

    def _update_logs(self, total, parts, targets: list, flat_pred, sw) -> dict:
        batch = len(flat_pred[0].data) if flat_pred[0].ndim else 1
        self._loss_trackers["loss"].update(total.item(), batch)
        for name, part in zip(self.compiled_loss.names, parts):
            self._loss_trackers[name].update(part.item(), batch)
        self.compiled_metrics.update(targets, [p.data for p in flat_pred], sw)
        return self._logs()

    def _logs(self) -> dict:
        logs = {name: tracker.result() for name, tracker in self._loss_trackers.items()}
        logs.update(self.compiled_metrics.results())
        return logs

    def predict_step(self, x):
        with no_grad():
            return self(x, training=False)

    # -- loops ----------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1):
        """Train for ``epochs`` passes over the data; return a ``History``.

        Args:
            x: input arrays (a list/dict for several inputs), or a generator/iterable of
                ``(x, y)`` or ``(x, y, sample_weight)`` batches.
            y: targets (a list/dict for several outputs); None when x yields batches.
            batch_size: samples per step (32 by default, for arrays).
            epochs: index of the last epoch (training starts at ``initial_epoch``).
            verbose: 0 silent, 1 a progress bar per epoch, 2 one line per epoch.
            callbacks: ``Callback`` instances.
            validation_split: fraction of the arrays, taken from the end before shuffling,
                held out for validation.
            validation_data: ``(x_val, y_val)``, ``(x_val, y_val, sample_weight)``, or a
                generator/iterable of batches.
            shuffle: reshuffle the arrays at each epoch.
            class_weight: ``{class id: weight}`` to weigh each sample's loss by its class.
            sample_weight: per-sample loss weights, shape (samples,).
            initial_epoch: epoch to start from (to resume training).
            steps_per_epoch: batches per epoch (needed for endless generators).
            validation_steps: batches per validation pass (for generators).
            validation_batch_size: batch size for validation arrays.
            validation_freq: validate every this many epochs.

        Returns:
            ``History``: ``history.history["loss"]``, ``["val_accuracy"]``, ... per epoch.
        """
        self._assert_compiled("fit")
        verbose = 1 if verbose == "auto" else int(verbose)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = split_for_validation(x, y, sample_weight, validation_split)
        if class_weight is not None:
            if y is None:
                raise ValueError("fit: class_weight needs array targets y")
            weights = class_weights_to_sample_weights(class_weight, nest.flatten(y)[0])
            sample_weight = weights if sample_weight is None else np.asarray(sample_weight) * weights
        train = make_data(x, y, sample_weight, batch_size, shuffle=shuffle, steps=steps_per_epoch, what="fit")
        val = None
        if validation_data is not None:
            if isinstance(validation_data, tuple | list) and not is_batch_source(validation_data):
                # (x_val, y_val[, sample_weight]); a list is read like a tuple, as Keras does
                vx, vy, vsw = unpack(tuple(validation_data), "fit (validation_data)")
            else:
                vx, vy, vsw = validation_data, None, None
            val_batch = validation_batch_size if is_batch_source(vx) else (validation_batch_size or batch_size)
            val = make_data(vx, vy, vsw, val_batch, steps=validation_steps, what="fit (validation_data)")

        history = History()
        extra = [ProgbarLogger(verbose)] if verbose else []
        cbs = CallbackList([*extra, *(callbacks or []), history], self,
                           {"epochs": epochs, "steps": train.steps, "verbose": verbose})
        self.stop_training = False
        self.history = history
        cbs.on_train_begin()
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            for step, (xb, yb, swb) in train.batches():
                cbs.on_train_batch_begin(step)
                logs = self.train_step(xb, yb, swb)
                cbs.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            logs = self._logs()
            if val is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._run_evaluation(val, cbs=None)
                logs.update({f"val_{k}": v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        return history

    def _run_evaluation(self, data, cbs) -> dict:
        self.reset_metrics()
        for step, (xb, yb, swb) in data.batches():
            if cbs is not None:
                cbs.on_test_batch_begin(step)
            logs = self.test_step(xb, yb, swb)
            if cbs is not None:
                cbs.on_test_batch_end(step, logs)
        return self._logs()

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False):
        """Loss and metrics on data, without training.

        Returns:
            the loss (a float) if there are no metrics, else ``[loss, *metrics]`` in
            ``metrics_names`` order; a dict with ``return_dict=True``.
        """
        self._assert_compiled("evaluate")
        data = make_data(x, y, sample_weight, batch_size, steps=steps, what="evaluate")
        cbs = CallbackList(callbacks or [], self, {"steps": data.steps, "verbose": verbose})
        cbs.on_test_begin()
        logs = self._run_evaluation(data, cbs)
        cbs.on_test_end(logs)
        if verbose:  # "auto" or 1 or 2: one summary line
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None):
        """The model's outputs on ``x``, as NumPy arrays (a list/dict for several outputs)."""
        data = make_data(x, None, None, batch_size, steps=steps, what="predict")
        cbs = CallbackList(callbacks or [], self, {"steps": data.steps, "verbose": verbose})
        cbs.on_predict_begin()
        chunks = []
        for step, (xb, _, _) in data.batches():
            cbs.on_predict_batch_begin(step)
            out = self.predict_step(xb)
            chunks.append(nest.map_structure(lambda t: t.data, out))
            cbs.on_predict_batch_end(step, {"outputs": chunks[-1]})
        cbs.on_predict_end()
        if not chunks:
            raise ValueError("predict: no batches to predict on")
        flat = [np.concatenate(parts, axis=0) for parts in zip(*[nest.flatten(c) for c in chunks])]
        return nest.pack_as(chunks[0], flat)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on one batch; returns its loss (and metrics)."""
        self._assert_compiled("train_on_batch")
        if class_weight is not None:
            weights = class_weights_to_sample_weights(class_weight, nest.flatten(y)[0])
            sample_weight = weights if sample_weight is None else np.asarray(sample_weight) * weights
        self.reset_metrics()
        (_, (xb, yb, swb)), = make_data(x, y, sample_weight, batch_size=_batch_len(x), what="train_on_batch").batches()
        return self._format(self.train_step(xb, yb, swb), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss (and metrics) on one batch, without training."""
        self._assert_compiled("test_on_batch")
        self.reset_metrics()
        (_, (xb, yb, swb)), = make_data(x, y, sample_weight, batch_size=_batch_len(x), what="test_on_batch").batches()
        return self._format(self.test_step(xb, yb, swb), return_dict)

    def predict_on_batch(self, x):
        """The outputs on one batch, as NumPy arrays."""
        return nest.map_structure(lambda t: t.data, self.predict_step(x))

    @staticmethod
    def _format(logs, return_dict):
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # -- saving ---------------------------------------------------------------------------
    def save_weights(self, filepath) -> None:
        """Write every weight to an ``.npz`` file (atomically: a crash never leaves half a file)."""
        saving.save_weights(self, filepath)

    def load_weights(self, filepath) -> None:
        """Read weights written by ``save_weights`` (checked against this model first)."""
        saving.load_weights(self, filepath)

    def save(self, filepath) -> None:
        """Write architecture (JSON), weights and compile settings to one file."""
        saving.save_model(self, filepath)

    def get_config(self) -> dict:
        return saving.functional_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        return saving.functional_from_config(config, custom_objects)


def _batch_len(x) -> int:
    leaves = nest.flatten(x)
    return max(len(leaves[0]), 1) if leaves and hasattr(leaves[0], "__len__") else 1

