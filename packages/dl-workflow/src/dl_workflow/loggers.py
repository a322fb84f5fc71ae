"""Training curves written to files that survive the process: CSV, and JSON lines.

``CSVLogger`` writes one row per epoch (Keras's callback); ``JSONLinesLogger`` one JSON object
per epoch per line, the format ``dl_viz.read_history`` plots. Both append and flush every
epoch, so a run killed half-way keeps every finished epoch, and both resume a file with
``append=True`` (``fit(..., initial_epoch=k)`` after a checkpoint).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os

import numpy as np

from dl_layers.atomic import atomic_write
from dl_layers.callbacks import Callback
from dl_layers.checks import check_bool

from .file_paths import check_path, require_folder

__all__ = ["CSVLogger", "JSONLinesLogger", "JSONLogger"]


# -- logs to files ----------------------------------------------------------------------------


def _drop_partial_last_line(path: str) -> int:
    """Cut a last line without its newline (left by a run killed while writing it); return the bytes cut."""
    with open(path, "r+b") as f:
        size = f.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return 0
        keep, end = 0, size
        while end > 0:  # read backwards in blocks: the file may be long, the last line is short
            start = max(0, end - 4096)
            f.seek(start)
            newline = f.read(end - start).rfind(b"\n")
            if newline >= 0:
                keep = start + newline + 1
                break
            end = start
        f.truncate(keep)
        return size - keep


def _append_line(path: str, text: str) -> None:
    """Append ``text`` and push it to the disk: a crash loses at most the line being written.

    A log grows by appending, so the atomic rename used for models does not fit here (it
    would rewrite the whole file every epoch); a line cut by a crash is removed by
    ``_drop_partial_last_line`` when the log is resumed.
    """
    with open(path, "a", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


class CSVLogger(Callback):
    """Write each epoch's logs as one row of a CSV file.

    The header is ``epoch`` (0-based) then the logged names, sorted; a value missing from an
    epoch's logs is written ``NA`` (as Keras does; pandas reads it as NaN). Each row is
    appended and flushed to the disk at the end of its epoch, and the file is not held open
    between epochs: a crash loses at most the epoch being written.

    With ``append=True`` an existing log is continued (for ``fit(..., initial_epoch=k)``
    after an interrupted run): its header is kept and not repeated, and a last line cut by a
    killed run is removed first. When a new name shows up (the resumed run adds validation,
    or ``fit(validation_freq=k)`` logs ``val_*`` from epoch k on), the file is rewritten once
    with the wider header (old rows get ``NA`` in the new columns), streamed row by row
    through an atomic rewrite, so the file stays one well-formed table.

    Args:
        filename: the CSV file (str or os.PathLike); its folder must exist.
        separator: the one-character field separator.
        append: continue an existing file instead of overwriting it.

    Raises:
        FileNotFoundError: at the start of training, if the folder of ``filename`` is missing.
        ValueError: with ``append=True``, an existing file whose header does not start with
            ``epoch`` (not a CSVLogger log, or another separator).

    Examples:
        >>> import os, tempfile
        >>> from pathlib import Path
        >>> import numpy as np
        >>> from dl_layers import Dense, Sequential
        >>> model = Sequential([Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        >>> x = np.arange(20, dtype="float32").reshape(10, 2) / 20
        >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
        >>> _ = model.fit(x, x[:, :1], epochs=2, verbose=0, callbacks=[CSVLogger(path)])
        >>> _ = model.fit(x, x[:, :1], epochs=3, initial_epoch=2, verbose=0, callbacks=[CSVLogger(path, append=True)])
        >>> [line.split(",")[0] for line in Path(path).read_text().splitlines()]
        ['epoch', '0', '1', '2']
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = check_path("CSVLogger", "filename", filename)
        if not isinstance(separator, str) or len(separator) != 1 or separator in "\r\n\"":
            raise ValueError(f"CSVLogger: argument `separator` must be one character (not a quote or a newline), "
                             f"got {separator!r}")
        self.sep = self.separator = separator
        self.append = check_bool("CSVLogger", "append", append)
        self.keys = None

    def _dialect(self) -> dict:
        return {"delimiter": self.separator, "lineterminator": "\n"}

    def _read_header(self) -> list[str] | None:
        with open(self.filename, encoding="utf-8", newline="") as f:
            first = f.readline()  # only the header: the file may be long
        if not first.strip():
            return None
        header = next(csv.reader([first], **self._dialect()))
        if not header or header[0] != "epoch":
            raise ValueError(f"CSVLogger: cannot append to {self.filename!r}: its header {first.strip()[:80]!r} does "
                             f"not start with 'epoch' (not a CSVLogger log, or not separated by {self.separator!r})")
        return header[1:]

    def on_train_begin(self, logs=None):
        require_folder("CSVLogger", "filename", self.filename)
        self.keys = None
        if self.append and os.path.exists(self.filename):
            _drop_partial_last_line(self.filename)
            self.keys = self._read_header()
        else:
            open(self.filename, "w", encoding="utf-8").close()  # an empty log: the header comes with the first row

    def _rewrite_with(self, keys: list[str]) -> None:
        """Rewrite the file with the header ``epoch, *keys``: old rows get NA in the new columns."""
        with (open(self.filename, encoding="utf-8", newline="") as src,
              atomic_write(self.filename, "w", encoding="utf-8") as dst):
            reader = csv.DictReader(src, **self._dialect())
            writer = csv.DictWriter(dst, ["epoch", *keys], restval="NA", extrasaction="ignore", **self._dialect())
            writer.writeheader()
            for row in reader:  # one row per epoch, streamed
                writer.writerow(row)

    @staticmethod
    def _value(value):
        if isinstance(value, str | int | float | np.integer | np.floating) and not isinstance(value, bool):
            return value
        return str(np.asarray(value).tolist())

    def on_epoch_end(self, epoch, logs=None):
        logs = {k: v for k, v in (logs or {}).items() if k != "epoch"}
        out = io.StringIO()
        writer = csv.writer(out, **self._dialect())
        if self.keys is None:
            self.keys = sorted(logs)
            writer.writerow(["epoch", *self.keys])
        elif set(logs) - set(self.keys):
            self.keys = sorted(set(self.keys) | set(logs))
            self._rewrite_with(self.keys)
        writer.writerow([epoch, *(self._value(logs[k]) if k in logs else "NA" for k in self.keys)])
        _append_line(self.filename, out.getvalue())


def _json_value(value):
    """A logged value as JSON: numbers as floats (null when NaN or infinite), strings as they are."""
    if isinstance(value, str | bool) or value is None:
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return number if math.isfinite(number) else None


class JSONLinesLogger(Callback):
    """Write each epoch's logs as one JSON object per line: the format ``dl_viz.read_history`` reads.

    Each line is ``{"epoch": 0, "loss": 0.71, "val_loss": 0.80, ...}``: ``epoch`` is 0-based,
    then the logged values in logged order, as floats. NaN and infinities are not valid JSON:
    they are written ``null`` (which ``read_history`` reads back as NaN). Each line is
    appended and flushed to the disk at the end of its epoch. With ``append=True`` an
    existing file is continued, after removing a last line cut by a killed run.
    ``JSONLogger`` is the same class.

    Args:
        filename: the file to write (str or os.PathLike, e.g. "history.jsonl"); its folder must exist.
        append: continue an existing file instead of overwriting it.

    Raises:
        FileNotFoundError: at the start of training, if the folder of ``filename`` is missing.

    Examples:
        >>> import json, os, tempfile
        >>> from pathlib import Path
        >>> import numpy as np
        >>> from dl_layers import Dense, Sequential
        >>> model = Sequential([Dense(1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> x = np.arange(20, dtype="float32").reshape(10, 2) / 20
        >>> path = os.path.join(tempfile.mkdtemp(), "history.jsonl")
        >>> _ = model.fit(x, x[:, :1], epochs=2, verbose=0, validation_split=0.2, callbacks=[JSONLinesLogger(path)])
        >>> rows = [json.loads(line) for line in Path(path).read_text().splitlines()]
        >>> [(row["epoch"], sorted(row)) for row in rows]
        [(0, ['epoch', 'loss', 'val_loss']), (1, ['epoch', 'loss', 'val_loss'])]
    """

    def __init__(self, filename, append=False):
        super().__init__()
        self.filename = check_path(type(self).__name__, "filename", filename)
        self.append = check_bool(type(self).__name__, "append", append)

    def on_train_begin(self, logs=None):
        require_folder(type(self).__name__, "filename", self.filename)
        if self.append and os.path.exists(self.filename):
            _drop_partial_last_line(self.filename)
        else:
            open(self.filename, "w", encoding="utf-8").close()  # an empty log

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": int(epoch)}
        row.update((str(k), _json_value(v)) for k, v in (logs or {}).items() if k != "epoch")
        _append_line(self.filename, json.dumps(row, allow_nan=False) + "\n")


JSONLogger = JSONLinesLogger
