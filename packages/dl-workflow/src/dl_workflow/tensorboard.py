"""``TensorBoard``: the curves, weight histograms and a model summary as TensorBoard event files.

The book launches ``tensorboard --logdir`` on the folder a ``TensorBoard`` callback writes to.
The events are written through tensorboardX (an optional extra: ``pip install
dl-workflow[tensorboard]``), so TensorBoard itself reads them.
"""

from __future__ import annotations

import os
import secrets
import time

import numpy as np

from dl_layers.atomic import atomic_write
from dl_layers.callbacks import Callback
from dl_layers.checks import check_bool, check_number

from .file_paths import check_path

__all__ = ["TensorBoard"]


# -- TensorBoard --------------------------------------------------------------------------------


def _tensorboardx():
    """tensorboardX's modules, imported only when a TensorBoard callback is made (an optional extra)."""
    try:
        import tensorboardX  # noqa: F401  (the package first: a cached submodule must not hide its absence)
        from tensorboardX import event_file_writer, summary
        from tensorboardX.proto import event_pb2
    except ImportError as err:
        raise ImportError("TensorBoard needs tensorboardX: pip install dl-workflow[tensorboard]") from err
    return event_file_writer, summary, event_pb2


class _EventFile:
    """One event file of a run folder, written synchronously: what ``add`` wrote is in the file
    after ``flush`` (tensorboardX's SummaryWriter writes from a background queue, which its
    ``flush`` does not wait for). The name gets the process id and a random tag, so that two
    runs started in the same second never write to the same file."""

    def __init__(self, folder: str, tbx):
        os.makedirs(folder, exist_ok=True)
        self.folder = folder
        event_file_writer, self._summary, self._event_pb2 = tbx
        suffix = f".{os.getpid()}.{secrets.token_hex(4)}"
        self._writer = event_file_writer.EventsWriter(os.path.join(folder, "events"), suffix)
        self.closed = False

    def add(self, summary, step: int) -> None:
        self._writer.write_event(self._event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary))

    def scalar(self, tag: str, value: float, step: int) -> None:
        self.add(self._summary.scalar(tag, float(value)), step)

    def histogram(self, tag: str, values: np.ndarray, step: int) -> None:
        self.add(self._summary.histogram(tag, values, bins=30), step)  # 30 buckets, as tf.summary.histogram

    def text(self, tag: str, text: str, step: int) -> None:
        self.add(self._summary.text(tag, text), step)

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._writer.close()

    def __del__(self):  # a fit that raised never reached on_train_end: close the file when forgotten
        if not getattr(self, "closed", True):
            self.close()


class TensorBoard(Callback):
    """Write the curves (and weight histograms) as TensorBoard event files.

    As Keras does, ``log_dir/train`` gets the training values and ``log_dir/validation`` the
    validation ones, under the same tags so TensorBoard draws them on one chart:
    ``epoch_loss``, ``epoch_accuracy``, ... (the ``val_`` prefix dropped), one point per
    epoch. Look at them with ``tensorboard --logdir log_dir``. Each fit adds new event files;
    they are flushed at the end of every epoch, so a crash keeps the curves so far. The
    records are written with tensorboardX, an optional extra
    (``pip install dl-workflow[tensorboard]``).

    Args:
        log_dir: the folder for the event files (created if needed).
        histogram_freq: every this many epochs, a histogram of every weight (tag
            ``<layer>/<weight>/histogram``, in ``train``); 0 for none.
        write_graph: there is no TensorFlow graph to draw; True writes the model's
            ``summary()`` table as a text entry (tag "keras", TensorBoard's Text tab) instead.
        write_images: not supported: must be False.
        write_steps_per_second: also log ``epoch_steps_per_second``.
        update_freq: "epoch", or "batch" / an integer N: also write ``batch_<name>`` every
            (N) batches, at the global batch index.
        profile_batch: not supported: must be 0.
        embeddings_freq: every this many epochs, write the weights of each layer that has an
            ``embeddings`` weight for TensorBoard's projector (``train/<epoch>/<layer>/``);
            0 for never.
        embeddings_metadata: a file with one label per row of the embeddings (one per line), or
            ``{layer name: file}``; None for none.

    Raises:
        ImportError: tensorboardX is not installed (raised when the callback is created).

    Examples:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from dl_layers import Dense, Sequential
        >>> model = Sequential([Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> x = np.arange(20, dtype="float32").reshape(10, 2) / 20
        >>> log_dir = tempfile.mkdtemp()
        >>> _ = model.fit(x, x[:, :1], epochs=2, verbose=0, validation_split=0.2, callbacks=[TensorBoard(log_dir)])
        >>> sorted(os.listdir(log_dir)), os.listdir(os.path.join(log_dir, "train"))[0].startswith("events.out")
        (['train', 'validation'], True)
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=False, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None):
        super().__init__()
        owner = "TensorBoard"
        self.log_dir = check_path(owner, "log_dir", log_dir)
        self.histogram_freq = check_number(owner, "histogram_freq", histogram_freq, minimum=0, integer=True)
        self.write_graph = check_bool(owner, "write_graph", write_graph)
        if check_bool(owner, "write_images", write_images):
            raise ValueError("TensorBoard: argument `write_images=True` is not supported (weights as images); "
                             "use histogram_freq for the weights' distributions")
        self.write_images = False
        self.write_steps_per_second = check_bool(owner, "write_steps_per_second", write_steps_per_second)
        if update_freq in ("epoch", "batch"):
            self.update_freq = 1 if update_freq == "batch" else "epoch"
        elif isinstance(update_freq, str):
            raise ValueError(f"TensorBoard: argument `update_freq` must be 'epoch', 'batch' or an integer >= 1, "
                             f"got {update_freq!r}")
        else:
            self.update_freq = check_number(owner, "update_freq", update_freq, minimum=1, integer=True)
        if profile_batch not in (0, None, (0, 0)):
            raise ValueError(f"TensorBoard: argument `profile_batch` must be 0: profiling is not supported, got "
                             f"{profile_batch!r}")
        self.embeddings_freq = check_number(owner, "embeddings_freq", embeddings_freq, minimum=0, integer=True)
        if embeddings_metadata is not None and not isinstance(embeddings_metadata, dict):
            embeddings_metadata = check_path(owner, "embeddings_metadata", embeddings_metadata)
        self.embeddings_metadata = embeddings_metadata
        self._tbx = _tensorboardx()  # fails now, not after the first epoch
        self._writers: dict[str, _EventFile] = {}
        self._global_batch = 0
        self._epoch_start = 0.0
        self._epoch_steps = 0

    def _writer(self, name: str) -> _EventFile:
        """The event file of ``log_dir/<name>`` ("train" or "validation"), opened at first use."""
        if name not in self._writers:
            self._writers[name] = _EventFile(os.path.join(self.log_dir, name), self._tbx)
        return self._writers[name]

    def on_train_begin(self, logs=None):
        self.on_train_end()  # a fit that raised never closed its files
        self._global_batch = 0
        if self.write_graph:
            lines = []
            self.model.summary(print_fn=lines.append)
            self._writer("train").text("keras", "\n".join("    " + line for line in lines), 0)  # preformatted

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()
        self._epoch_steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self._global_batch += 1
        self._epoch_steps += 1
        if self.update_freq != "epoch" and self._global_batch % self.update_freq == 0:
            writer = self._writer("train")
            for name, value in _scalars(logs):
                writer.scalar(f"batch_{name}", value, self._global_batch)

    def on_epoch_end(self, epoch, logs=None):
        for name, value in _scalars(logs):
            if name.startswith("val_"):
                self._writer("validation").scalar(f"epoch_{name[4:]}", value, epoch)
            else:
                self._writer("train").scalar(f"epoch_{name}", value, epoch)
        if self.write_steps_per_second:
            elapsed = max(time.perf_counter() - self._epoch_start, 1e-12)
            self._writer("train").scalar("epoch_steps_per_second", self._epoch_steps / elapsed, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_histograms(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._write_embeddings(epoch)
        for writer in self._writers.values():
            writer.flush()

    def _write_histograms(self, epoch: int) -> None:
        writer = self._writer("train")
        for weight in self.model.weights:
            values = np.asarray(weight.data, dtype=np.float64).reshape(-1)  # (size,)
            values = values[np.isfinite(values)]  # a histogram of NaNs has no range
            if values.size:
                writer.histogram(f"{weight.path}/histogram", values, epoch)

    def _metadata(self, layer, rows: int) -> list[str] | None:
        source = self.embeddings_metadata
        if isinstance(source, dict):
            source = source.get(layer.name)
        if source is None:
            return None
        with open(source, encoding="utf-8") as f:
            labels = f.read().splitlines()
        if len(labels) != rows:
            raise ValueError(f"TensorBoard: embeddings_metadata {source!r} has {len(labels)} lines, but layer "
                             f"'{layer.name}' has {rows} embeddings (one label per line expected)")
        return labels

    def _write_embeddings(self, epoch: int) -> None:
        """The projector's files: ``<step>/<layer>/tensors.tsv`` (one row per embedding), its
        ``metadata.tsv``, and an entry for each in ``projector_config.pbtxt``."""
        run = self._writer("train").folder
        entries = []
        for layer in self.model._flatten_layers(include_self=False):
            data = getattr(getattr(layer, "embeddings", None), "data", None)
            if data is None or np.ndim(data) != 2:
                continue
            labels = self._metadata(layer, len(data))
            subdir = f"{epoch:05d}/{layer.name}"
            os.makedirs(os.path.join(run, subdir), exist_ok=True)
            with atomic_write(os.path.join(run, subdir, "tensors.tsv"), "w", encoding="utf-8") as f:
                np.savetxt(f, np.asarray(data), delimiter="\t", fmt="%.8g")
            entry = f'embeddings {{\n  tensor_name: "{layer.name}:{epoch:05d}"\n  tensor_path: "{subdir}/tensors.tsv"\n'
            if labels is not None:
                with atomic_write(os.path.join(run, subdir, "metadata.tsv"), "w", encoding="utf-8") as f:
                    f.write("".join(label + "\n" for label in labels))
                entry += f'  metadata_path: "{subdir}/metadata.tsv"\n'
            entries.append(entry + "}\n")
        if entries:
            config = os.path.join(run, "projector_config.pbtxt")
            old = ""
            if os.path.exists(config):
                with open(config, encoding="utf-8") as f:
                    old = f.read()
            with atomic_write(config, "w", encoding="utf-8") as f:
                f.write(old + "".join(entries))

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}


def _scalars(logs):
    """The ``(name, float)`` pairs of the logs that are numbers."""
    for name, value in (logs or {}).items():
        try:
            yield name, float(value)
        except (TypeError, ValueError):
            continue
