"""What ``compile`` sets up: the loss of each output, their weights, and the metrics.

A model may have several outputs (a list, or a dict named after the layers that produce
them); ``loss``, ``loss_weights`` and ``metrics`` may then be given once for all outputs,
as a list in output order, or as a dict keyed by output name. A subclassed model's
outputs are only known when it first runs, so both objects below finish setting
themselves up on the first predictions they see.

``CompiledLoss`` and ``CompiledMetrics`` are what Keras 2 exposes as
``model.compiled_loss`` and ``model.compiled_metrics``, which the book's custom
``train_step`` calls: ``loss = self.compiled_loss(y, y_pred)`` and
``self.compiled_metrics.update_state(y, y_pred)``.
"""

from __future__ import annotations

import numpy as np

from . import losses as losses_module
from . import metrics as metrics_module
from . import nest


def per_output(arg_name: str, value, output_names: list, default=None) -> list:
    """``value`` spread over the outputs: one for all, a list in order, or a dict by name."""
    n = len(output_names)
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(output_names))
        if unknown:
            raise ValueError(f"compile: {arg_name} has keys {unknown} that are not outputs; outputs: {output_names}")
        return [value.get(name, default) for name in output_names]
    if isinstance(value, list | tuple) and (n > 1 or arg_name == "loss_weights"):
        if len(value) != n:
            raise ValueError(f"compile: {arg_name} has {len(value)} entries for {n} outputs {output_names}")
        return list(value)
    return [value] * n


def output_names_of(y_pred, known: list | None) -> list:
    """Names of the outputs in ``y_pred``: dict keys, ``known`` names, or output_1, output_2..."""
    if isinstance(y_pred, dict):
        return list(y_pred)
    n = len(nest.flatten(y_pred)) if isinstance(y_pred, list | tuple) else 1
    if known is not None and len(known) == n:
        return list(known)
    return ["output"] if n == 1 else [f"output_{i + 1}" for i in range(n)]


def flat_outputs(y_pred, names: list) -> list:
    """The model's outputs as a list in ``names`` order."""
    if isinstance(y_pred, dict):
        return [y_pred[n] for n in names]
    return nest.flatten(y_pred) if isinstance(y_pred, list | tuple) else [y_pred]


def flat_targets(y, names: list, what: str) -> list:
    """Targets as a list in output order (None for outputs without targets)."""
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


def flat_weights(sample_weight, n: int) -> list:
    """Per-output sample weights: one array for every output, or a list of them."""
    if isinstance(sample_weight, list | tuple):
        return list(sample_weight)
    return [sample_weight] * n


class CompiledLoss:
    """The total loss: ``sum(loss_weight_i * loss_i(y_true_i, y_pred_i))`` over the outputs,
    plus the regularization terms; calling it also updates the running averages reported
    as ``loss`` (and ``<output>_loss`` for several outputs).

    Args:
        loss: what ``compile`` got: one loss, a list, or a dict by output name.
        loss_weights: factors of the per-output losses (list or dict).
        output_names: the outputs' names if known now (functional models), else None.
    """

    def __init__(self, loss, loss_weights=None, output_names: list | None = None):
        self.raw, self.raw_weights = loss, loss_weights
        self.output_names = None
        self.what = "fit"  # the model says "evaluate" while evaluating, for messages
        self.tracker = metrics_module.Mean(name="loss")
        self.output_trackers = []
        if output_names is not None:
            self.build(output_names)

    def build(self, output_names: list) -> None:
        """Resolve the losses and weights per output, now that the outputs are known."""
        self.output_names = list(output_names)
        raw = per_output("loss", self.raw, self.output_names)
        self.losses = [losses_module.get(item) if item is not None else None for item in raw]
        weights = (per_output("loss_weights", self.raw_weights, self.output_names, default=1.0)
                   if self.raw_weights is not None else [1.0] * len(self.output_names))
        self.weights = [1.0 if w is None else float(w) for w in weights]
        if len(self.output_names) > 1:
            self.output_trackers = [metrics_module.Mean(name=f"{name}_loss")
                                    for name, loss in zip(self.output_names, self.losses) if loss is not None]

    @property
    def metrics(self) -> list:
        """The running averages: ``loss``, then one per output that has a loss."""
        return [self.tracker, *self.output_trackers]

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        """The total loss (a scalar Tensor) of one batch; None if there is nothing to minimise."""
        if self.output_names is None:
            self.build(output_names_of(y_pred, None))
        preds = flat_outputs(y_pred, self.output_names)
        targets = flat_targets(y_true, self.output_names, self.what)
        weights = flat_weights(sample_weight, len(preds))
        total, parts = None, []
        for i, loss in enumerate(self.losses):
            if loss is None:
                continue
            if targets[i] is None:
                raise ValueError(f"{self.what}: no targets given for output '{self.output_names[i]}', which has a "
                                 "loss; pass y (or a generator yielding (x, y) batches)")
            value = loss(targets[i], preds[i], weights[i])
            parts.append(value)
            term = value if self.weights[i] == 1.0 else value * self.weights[i]
            total = term if total is None else total + term
        for extra in regularization_losses or ():  # weight penalties and add_loss() terms
            total = extra if total is None else total + extra
        if total is not None:
            batch = len(preds[0].data) if preds[0].ndim else 1
            self.tracker.update_state(total.item(), sample_weight=batch)
            for tracker, part in zip(self.output_trackers, parts):
                tracker.update_state(part.item(), sample_weight=batch)
        return total


class CompiledMetrics:
    """The metrics of every output, created when the first predictions show their shapes.

    ``update_state(y_true, y_pred, sample_weight=None)`` adds a batch; ``metrics`` lists
    the ``Metric`` objects, each named as it appears in the logs (``accuracy``, or
    ``department_accuracy`` for an output named ``department``).
    """

    def __init__(self, metrics, compiled_loss: CompiledLoss, output_names: list | None = None):
        if metrics is not None and not isinstance(metrics, list | tuple | dict):
            raise ValueError(f"compile: metrics must be a list (or a dict by output name), got {metrics!r}")
        for item in nest.flatten(metrics):  # unknown names fail now, not at the first batch
            if item is not None and not isinstance(item, metrics_module.Metric):
                metrics_module.get(item)
        self.raw = metrics
        self.compiled_loss = compiled_loss
        self.output_names = output_names
        self._metrics = None  # [(output index, Metric)], made by build

    def build(self, y_pred) -> None:
        """Create the metric objects for outputs shaped like ``y_pred`` (arrays or tensors)."""
        names = self.compiled_loss.output_names or output_names_of(y_pred, self.output_names)
        if self.compiled_loss.output_names is None:
            self.compiled_loss.build(names)
        preds = flat_outputs(y_pred, names)
        self._metrics = []
        if self.raw is None:
            return
        if isinstance(self.raw, dict):
            spec = per_output("metrics", self.raw, names, default=[])
        elif self.raw and all(isinstance(m, list | tuple) for m in self.raw) and len(names) > 1:
            spec = per_output("metrics", list(self.raw), names)
        else:
            spec = [list(self.raw)] * len(names)  # the same metrics for every output
        for i, items in enumerate(spec):
            loss = self.compiled_loss.losses[i]
            for item in items if isinstance(items, list | tuple) else [items]:
                metric = metrics_module.get(item, loss=loss, output_shape=tuple(preds[i].shape))
                if len(names) > 1:  # per-output metrics are logged as "<output>_<metric>"
                    if any(m is metric for _, m in self._metrics):  # one instance shared by two outputs
                        metric = type(metric).from_config(metric.get_config())
                    metric.name = f"{names[i]}_{metric.name}"
                self._metrics.append((i, metric))

    @property
    def metrics(self) -> list:
        """The ``Metric`` objects, in the order of the logs (empty before the first batch)."""
        return [m for _, m in self._metrics or []]

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Add one batch to every metric (``y_pred``: arrays or Tensors)."""
        if self._metrics is None:
            self.build(y_pred)
        names = self.compiled_loss.output_names
        preds = flat_outputs(y_pred, names)
        targets = flat_targets(y_true, names, self.compiled_loss.what)
        weights = flat_weights(sample_weight, len(preds))
        for i, metric in self._metrics:
            if targets[i] is not None:
                p = preds[i]
                metric.update_state(targets[i], p.data if hasattr(p, "data") else p, sample_weight=weights[i])

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()


def class_weights_to_sample_weights(class_weight: dict, y, num_classes: int | None = None,
                                    what: str = "fit") -> np.ndarray:
    """Per-sample weights from ``{class id: weight}`` and the targets (ids, one-hot or 0/1).

    ``num_classes`` (the model's number of classes, when known) bounds the class ids; a key
    naming a class that does not exist is an error, not silently ignored.
    """
    y = np.asarray(y)
    if y.ndim >= 2 and y.shape[-1] > 1:
        ids = y.argmax(axis=-1)  # one-hot (batch, classes) -> (batch,)
        num_classes = num_classes or y.shape[-1]
    else:
        ids = np.rint(y).astype(np.int64)  # ids, or 0/1 targets
    ids = ids.reshape(len(y), -1)[:, 0]  # (batch,) or (batch, 1) -> (batch,)
    if num_classes is None:
        num_classes = int(ids.max(initial=0)) + 1
    table = np.ones(max(num_classes, int(ids.max(initial=0)) + 1), np.float32)
    for cls, w in class_weight.items():
        if isinstance(cls, bool) or not isinstance(cls, int | np.integer) or not 0 <= cls < num_classes:
            raise ValueError(f"{what}: class_weight has the key {cls!r}, but the classes are the ids "
                             f"0..{num_classes - 1}")
        table[cls] = w
    return table[ids]
