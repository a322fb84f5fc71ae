"""``Model``: layers plus the training loop (``compile``, ``fit``, ``evaluate``, ``predict``).

Three ways to make one, as in Keras:

* ``Sequential([...])``: a plain stack of layers (see ``sequential.py``);
* ``Model(inputs, outputs)``: the functional API, any graph of layers;
* a subclass of ``Model`` whose ``call`` you write yourself.

``fit`` repeats, for each batch, ``train_step(data)``: run the model (``training=True``),
compute the loss, ``backward``, and let the optimizer move every trainable weight.
Everything else -- batching, shuffling, validation, metrics, callbacks, progress bars --
is bookkeeping around those four lines. ``train_step`` and ``test_step`` take Keras's
``data`` (``(x, y)`` or ``(x, y, sample_weight)``) and return the logs as a dict, so the
book's custom training steps run under ``fit`` unchanged.
"""

from __future__ import annotations

import numpy as np

from dl_tensor import Tensor, flushing_denormals, no_grad

from . import nest, optimizers, saving, summary
from .callbacks import CallbackList, History, ProgbarLogger
from .checks import check_number
from .compile_utils import CompiledLoss, CompiledMetrics, class_weights_to_sample_weights
from .data_adapter import is_batch_source, make_data, split_for_validation, to_arrays, unpack
from .functional import FunctionalGraph
from .layer import Layer, wrap_shapes
from .symbolic import TensorSpec, is_symbolic


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

    accepts_text = True  # the first layer decides what the data may be

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._graph = None
        self.optimizer = None
        self.compiled_loss = None
        self.compiled_metrics = None
        self.stop_training = False
        self.history = None
        object.__setattr__(self, "_step_layers", None)  # the model's layers, listed once per step (not tracked)
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

    def _known_output_names(self) -> list | None:
        """The outputs' names if the model's structure tells them (None for a subclassed model)."""
        return self._graph.output_names() if self._graph is not None else None

    @property
    def output_names(self) -> list | None:
        """The outputs' names (layer names, or dict keys); a subclassed model's are known once
        it has run under ``fit`` or ``evaluate`` (output_1, output_2, ... or its dict keys)."""
        names = self._known_output_names()
        if names is None and self.compiled_loss is not None:
            return self.compiled_loss.output_names
        return names

    # -- running ----------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        if not isinstance(inputs, Tensor) and not is_symbolic(inputs):
            inputs = self._as_input_arrays(inputs)
        return super().__call__(inputs, *args, **kwargs)

    def _as_input_arrays(self, inputs):
        """Data passed straight to the model, read as ``predict`` reads it: nested lists of
        numbers make one array, and a one-element list is the array for a one-input model."""
        inputs = to_arrays(inputs)
        single = self._graph is None or len(self._graph.flat_inputs) == 1
        if single and isinstance(inputs, list | tuple) and len(inputs) == 1:
            return inputs[0]
        return inputs

    def call(self, inputs, training=None):
        graph = self._graph
        if graph is None:
            raise NotImplementedError(
                f"Model '{self.name}': subclass Model and write call(), or build it as Model(inputs, outputs)"
            )
        flat = self._flat_inputs(inputs)
        for i, (kt, value) in enumerate(zip(graph.flat_inputs, flat)):
            if kt.dtype == "string" and kt.shape[1:] == (1,) and value.ndim == 1:
                flat[i] = value = value.reshape(-1, 1)  # (batch,) texts -> (batch, 1), as Keras reads them
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

    def _maybe_build(self, input_shape) -> None:
        # a subclassed model's sub-layers build themselves when call() first uses them
        if not self.built:
            self._build_input_shape = input_shape
            self.built = True

    def build(self, input_shape=None):
        """Create the weights by running the model once on zeros of ``input_shape``
        (a shape with the batch axis, or a list/dict of them for several inputs)."""
        if self._graph is None and input_shape is not None:
            if isinstance(input_shape, list) and all(d is None or isinstance(d, int) for d in input_shape):
                input_shape = tuple(input_shape)  # [None, 3] is one shape, not a list of two

            def zeros(leaf):
                return Tensor(np.zeros(tuple(1 if d is None else d for d in leaf.shape), np.float32))

            with no_grad():
                self.call(nest.map_structure(zeros, wrap_shapes(input_shape)))
            self._build_input_shape = input_shape
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
        names = self._known_output_names()
        self.compiled_loss = CompiledLoss(loss, loss_weights, names)
        self.compiled_metrics = CompiledMetrics(metrics, self.compiled_loss, names)
        if self._graph is not None:  # output shapes known: the metric objects can be made now
            self.compiled_metrics.build([TensorSpec(kt.shape, kt.dtype) for kt in self._graph.flat_outputs]
                                        if len(names) > 1 else TensorSpec(self._graph.flat_outputs[0].shape))
        self.loss = loss
        self._compile_config = {"loss": loss, "metrics": metrics, "loss_weights": loss_weights}

    @property
    def compiled(self) -> bool:
        return self.optimizer is not None

    def get_compile_config(self) -> dict | None:
        """The ``loss``, ``metrics`` and ``loss_weights`` given to ``compile`` (None before it), as
        Keras 3's ``get_compile_config``: enough to score something else the same way.

        Examples:
            >>> from dl_layers import Dense, Sequential
            >>> model = Sequential([Dense(1, input_shape=(2,))])
            >>> model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
            >>> model.get_compile_config()
            {'loss': 'mse', 'metrics': ['mae'], 'loss_weights': None}
        """
        return dict(self._compile_config) if self.compiled else None

    def _assert_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(f"Model '{self.name}': call compile(optimizer=..., loss=...) before {what}()")

    @property
    def metrics(self) -> list:
        """The model's ``Metric`` objects: the loss average(s), then the compiled metrics.
        ``fit`` and ``evaluate`` reset them at the start of every epoch or evaluation;
        override this property (as the book does) when ``train_step`` uses metrics of its own."""
        if not self.compiled:
            return []
        return [*self.compiled_loss.metrics, *self.compiled_metrics.metrics]

    @property
    def metrics_names(self) -> list:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        """Forget the running averages of the loss and metrics."""
        for metric in self.metrics:
            metric.reset_state()

    # -- one step ------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The scalar loss of one batch: the compiled losses plus ``self.losses`` (weight
        penalties and ``add_loss`` terms); updates the ``loss`` average."""
        total = self.compiled_loss(y, y_pred, sample_weight, regularization_losses=self._step_losses())
        if total is None:
            raise ValueError(f"Model '{self.name}': there is no loss to minimise; pass loss= to compile()")
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Update the compiled metrics with one batch; return the logs of every metric."""
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        """``{name: value}`` of every metric in ``self.metrics``, as Python floats."""
        return {m.name: float(m.result()) for m in self.metrics}

    def train_step(self, data) -> dict:
        """One optimisation step on one batch ``data = (x, y)`` or ``(x, y, sample_weight)``;
        returns the logs. Override it to train differently (GANs, custom losses)."""
        x, y, sample_weight = unpack(data, "fit")
        y_pred = self(x, training=True)
        loss = self.compute_loss(x, y, y_pred, sample_weight)
        variables = self.trainable_weights
        if loss.requires_grad:  # False when nothing in the model is trainable
            for v in variables:
                v.grad = None
            loss.backward()
            self.optimizer.apply([v.grad for v in variables], variables)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data) -> dict:
        """Loss and metrics on one batch, without training; returns the logs."""
        x, y, sample_weight = unpack(data, "evaluate")
        with no_grad():
            y_pred = self(x, training=False)
            self.compute_loss(x, y, y_pred, sample_weight, training=False)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """The outputs on one batch (``data`` is x, or a tuple whose first item is x)."""
        x, _, _ = unpack(data, "predict")
        with no_grad():
            return self(x, training=False)

    def _step_losses(self) -> list:
        """``self.losses``, from the layers ``_run_step`` listed (one walk over the model per step)."""
        layers = self._step_layers if self._step_layers is not None else self._flatten_layers()
        out = [v.regularizer(v) for layer in layers for v in layer._own_variables() if v.regularizer is not None]
        return out + [loss for layer in layers for loss in layer._losses]

    def _run_step(self, step_fn, batch, what: str) -> dict:
        layers = self._flatten_layers()
        object.__setattr__(self, "_step_layers", layers)  # a plain attribute: not a sub-layer list to track
        for layer in layers:  # add_loss() terms of the previous call are forgotten
            if layer._losses:
                layer._losses.clear()
        if self.compiled_loss is not None:
            self.compiled_loss.what = what
        x, y, sample_weight = batch  # Keras's data: (x,), (x, y) or (x, y, sample_weight)
        data = (x,) if y is None and sample_weight is None else (x, y) if sample_weight is None else batch
        try:
            logs = step_fn(data)
        finally:
            object.__setattr__(self, "_step_layers", None)
        if not isinstance(logs, dict):
            raise TypeError(f"Model '{self.name}': {step_fn.__name__} must return a dict of logs "
                            f"({{'loss': ...}}), got {type(logs).__name__}")
        return logs

    # -- loops ----------------------------------------------------------------------------
    @flushing_denormals()  # a fresh ``with flushing_denormals():`` around each call
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

        Training flushes denormal numbers to zero (``dl_tensor.flushing_denormals``), as
        TensorFlow does under Keras: gradients of about 1e-38 and below would otherwise make
        the matrix products tens of times slower. The setting before ``fit`` is restored after it.
        """
        self._assert_compiled("fit")
        epochs = check_number("fit", "epochs", epochs, minimum=0, integer=True)
        initial_epoch = check_number("fit", "initial_epoch", initial_epoch, minimum=0, integer=True)
        validation_freq = check_number("fit", "validation_freq", validation_freq, minimum=1, integer=True)
        verbose = 1 if verbose == "auto" else int(verbose)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = split_for_validation(x, y, sample_weight, validation_split)
        if class_weight is not None:
            sample_weight = self._class_sample_weights(class_weight, y, sample_weight, "fit")
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
                           {"epochs": epochs, "steps": train.steps, "verbose": verbose,
                            "do_validation": val is not None, "validation_freq": validation_freq})
        self.stop_training = False
        self.history = history
        cbs.on_train_begin()
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            for step, batch in train.batches():
                cbs.on_train_batch_begin(step)
                logs = self._run_step(self.train_step, batch, "fit")
                cbs.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            logs = _floats(logs)
            if val is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._run_evaluation(val, cbs=None)
                logs.update({f"val_{k}": v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        return history

    def _class_sample_weights(self, class_weight, y, sample_weight, what: str):
        if y is None:
            raise ValueError(f"{what}: class_weight needs array targets y")
        outputs = self._graph.flat_outputs if self._graph is not None else None
        units = outputs[0].shape[-1] if outputs and outputs[0].shape else None
        num_classes = None if units is None else (2 if units == 1 else units)
        weights = class_weights_to_sample_weights(class_weight, nest.flatten(y)[0], num_classes, what)
        return weights if sample_weight is None else np.asarray(sample_weight) * weights

    def _run_evaluation(self, data, cbs) -> dict:
        self.reset_metrics()
        logs = {}
        for step, batch in data.batches():
            if cbs is not None:
                cbs.on_test_batch_begin(step)
            logs = self._run_step(self.test_step, batch, "evaluate")
            if cbs is not None:
                cbs.on_test_batch_end(step, logs)
        return _floats(logs)

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
        return self._format(logs, return_dict)

    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None):
        """The model's outputs on ``x``, as NumPy arrays (a list/dict for several outputs)."""
        data = make_data(x, None, None, batch_size, steps=steps, what="predict")
        cbs = CallbackList(callbacks or [], self, {"steps": data.steps, "verbose": verbose})
        cbs.on_predict_begin()
        chunks = []
        for step, (xb, _, _) in data.batches():
            cbs.on_predict_batch_begin(step)
            out = self.predict_step((xb,))
            chunks.append(nest.map_structure(lambda t: t.data, out))
            cbs.on_predict_batch_end(step, {"outputs": chunks[-1]})
        cbs.on_predict_end()
        if not chunks:
            raise ValueError("predict: no batches to predict on")
        flat = [np.concatenate(parts, axis=0) for parts in zip(*[nest.flatten(c) for c in chunks])]
        return nest.pack_as(chunks[0], flat)

    # -- the first edition's names for fit/evaluate/predict on generators ----------------------
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Keras 2's ``fit_generator``: ``fit`` on a generator of ``(x, y)`` batches (the queue
        and worker arguments are accepted and ignored: batches are drawn in this process)."""
        if class_weight is not None:
            raise ValueError("fit_generator: class_weight needs array targets; yield (x, y, sample_weight) batches")
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
                        callbacks=callbacks, validation_data=validation_data, validation_steps=validation_steps,
                        shuffle=shuffle, initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0):
        """Keras 2's ``evaluate_generator``: ``evaluate`` on a generator of ``(x, y)`` batches."""
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0):
        """Keras 2's ``predict_generator``: ``predict`` on a generator of batches."""
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on one batch; returns its loss (and metrics)."""
        self._assert_compiled("train_on_batch")
        if class_weight is not None:
            sample_weight = self._class_sample_weights(class_weight, y, sample_weight, "train_on_batch")
        self.reset_metrics()
        data = make_data(x, y, sample_weight, batch_size=_batch_len(x), what="train_on_batch")
        ((_, batch),) = data.batches()
        return self._format(_floats(self._run_step(self.train_step, batch, "fit")), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss (and metrics) on one batch, without training."""
        self._assert_compiled("test_on_batch")
        self.reset_metrics()
        data = make_data(x, y, sample_weight, batch_size=_batch_len(x), what="test_on_batch")
        ((_, batch),) = data.batches()
        return self._format(_floats(self._run_step(self.test_step, batch, "evaluate")), return_dict)

    def predict_on_batch(self, x):
        """The outputs on one batch, as NumPy arrays."""
        return nest.map_structure(lambda t: t.data, self.predict_step((x,)))

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
        if self._graph is None:
            raise NotImplementedError(
                f"Model '{self.name}' is a subclassed model: its call() is code, which dl-book never saves; "
                "use save_weights, or build it with the functional API"
            )
        return {"name": self.name, "trainable": self.trainable, **self._graph.get_config()}

    @classmethod
    def from_config(cls, config: dict):
        inputs, outputs = FunctionalGraph.from_config(config)
        return cls(inputs, outputs, name=config.get("name"), trainable=config.get("trainable", True))


def _floats(logs: dict) -> dict:
    """Logs as Python floats (a custom train_step may return arrays or Tensors)."""
    return {k: float(v) for k, v in logs.items()}


def _batch_len(x) -> int:
    leaves = nest.flatten(x)
    return max(len(leaves[0]), 1) if leaves and hasattr(leaves[0], "__len__") else 1

