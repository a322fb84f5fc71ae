"""What ``compile`` sets up: the loss of each output, their weights, and the metrics.

A model may have several outputs (a list or a dict, named after the layers that produce
them); ``loss``, ``loss_weights`` and ``metrics`` may then be given once for all outputs,
as a list in output order, or as a dict keyed by output name.
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


class RunningMean:
    """Weighted running mean of scalars (the epoch's average loss)."""

    def __init__(self):
        self.total, self.count = 0.0, 0.0

    def update(self, value: float, weight: float = 1.0) -> None:
        self.total += value * weight
        self.count += weight

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0

    def reset(self) -> None:
        self.total, self.count = 0.0, 0.0


class CompiledLoss:
    """The total loss: ``sum(loss_weight_i * loss_i(y_true_i, y_pred_i))`` over the outputs."""

    def __init__(self, loss, loss_weights, output_names: list):
        self.output_names = list(output_names)
        raw = per_output("loss", loss, self.output_names)
        self.losses = [losses_module.get(item) if item is not None else None for item in raw]
        weights = per_output("loss_weights", loss_weights, self.output_names, default=1.0) \
            if loss_weights is not None else [1.0] * len(self.output_names)
        self.weights = [1.0 if w is None else float(w) for w in weights]
        self.raw = loss

    @property
    def names(self) -> list:
        """Log names of the per-output losses (only for several outputs)."""
        if len(self.output_names) == 1:
            return []
        return [f"{name}_loss" for name, loss in zip(self.output_names, self.losses) if loss is not None]

    def __call__(self, y_true: list, y_pred: list, sample_weight: list):
        """(total scalar Tensor or None, [per-output scalar Tensors])."""
        total, parts = None, []
        for i, loss in enumerate(self.losses):
            if loss is None:
                continue
            if y_true[i] is None:
                raise ValueError(f"fit: no targets given for output '{self.output_names[i]}', which has a loss")
            value = loss(y_true[i], y_pred[i], sample_weight[i])
            parts.append(value)
            term = value if self.weights[i] == 1.0 else value * self.weights[i]
            total = term if total is None else total + term
        return total, parts


class CompiledMetrics:
    """The metrics of every output, created when the first predictions show their shapes."""

    def __init__(self, metrics, output_names: list, compiled_loss: CompiledLoss):
        self.output_names = list(output_names)
        self.raw = metrics
        self.compiled_loss = compiled_loss
        self.metrics = None  # [(output index, log name, Metric)]
        if metrics is not None and not isinstance(metrics, list | tuple | dict):
            raise ValueError(f"compile: metrics must be a list (or a dict by output name), got {metrics!r}")
        for item in nest.flatten(metrics):  # unknown names fail now, not at the first batch
            if item is not None and not isinstance(item, metrics_module.Metric):
                metrics_module.get(item)

    def build(self, y_pred: list) -> None:
        self.metrics = []
        if self.raw is None:
            return
        if isinstance(self.raw, dict):
            spec = per_output("metrics", self.raw, self.output_names, default=[])
        elif self.raw and all(isinstance(m, list | tuple) for m in self.raw) and len(self.output_names) > 1:
            spec = per_output("metrics", list(self.raw), self.output_names)
        else:
            spec = [list(self.raw)] * len(self.output_names)  # the same metrics for every output
        for i, items in enumerate(spec):
            items = items if isinstance(items, list | tuple) else [items]
            loss = self.compiled_loss.losses[i]
            for item in items:
                metric = metrics_module.get(item, loss=loss, output_shape=tuple(y_pred[i].shape))
                name = metric.name if len(self.output_names) == 1 else f"{self.output_names[i]}_{metric.name}"
                self.metrics.append((i, name, metric))

    def update(self, y_true: list, y_pred: list, sample_weight: list) -> None:
        if self.metrics is None:
            self.build(y_pred)
        for i, _, metric in self.metrics:
            if y_true[i] is not None:
                metric.update_state(y_true[i], y_pred[i], sample_weight=sample_weight[i])

    def results(self) -> dict:
        return {name: float(metric.result()) for _, name, metric in self.metrics or []}

    def reset(self) -> None:
        for _, _, metric in self.metrics or []:
            metric.reset_state()


def class_weights_to_sample_weights(class_weight: dict, y) -> np.ndarray:
    """Per-sample weights from ``{class: weight}`` and the targets (ids, one-hot or 0/1)."""
    y = np.asarray(y)
    if y.ndim >= 2 and y.shape[-1] > 1:
        ids = y.argmax(axis=-1)  # one-hot (batch, classes) -> (batch,)
    else:
        ids = np.rint(y).astype(np.int64)  # ids, or 0/1 targets
    ids = ids.reshape(len(y), -1)[:, 0]  # (batch,) or (batch, 1) -> (batch,)
    table = np.ones(max(int(ids.max(initial=0)), max(class_weight, default=0)) + 1, np.float32)
    for cls, w in class_weight.items():
        if not isinstance(cls, int | np.integer) or cls < 0:
            raise ValueError(f"fit: class_weight keys must be class ids (ints >= 0), got {cls!r}")
        table[cls] = w
    return table[ids]
