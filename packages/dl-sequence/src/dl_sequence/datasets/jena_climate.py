"""The Jena climate series: 14 weather measurements every 10 minutes, 2009-2016 (Max Planck Institute
for Biogeochemistry, Jena), the data set of the book's forecasting examples.

``jena_climate_2009_2016.csv`` has a header line and one line per 10 minutes: the time
(``01.01.2009 00:10:00``, day first) and 14 numbers; the temperature is ``T (degC)``, column 1
of the numbers. Without ``path``, ``jena_climate_2009_2016.csv.zip`` (13 MB) is downloaded once
from Keras's data-set bucket into the cache (``dl_layers.file_utils.get_file``) and unpacked
safely. No checksum is published for it, so none is checked unless you pass ``file_hash``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from dl_layers.file_utils import extract_archive, get_file

__all__ = ["COLUMNS", "FILE_NAME", "ORIGIN", "load_data"]

ORIGIN = "https://s3.amazonaws.com/keras-datasets/jena_climate_2009_2016.csv.zip"
"""Where the zipped CSV is downloaded from (the first edition's address)."""

FILE_NAME = "jena_climate_2009_2016.csv"

COLUMNS = ["p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)", "VPact (mbar)",
           "VPdef (mbar)", "sh (g/kg)", "H2OC (mmol/mol)", "rho (g/m**3)", "wv (m/s)", "max. wv (m/s)", "wd (deg)"]
"""The 14 measurements, in the file's order (``COLUMNS[1]`` is the temperature)."""


def _csv_path(path, cache_dir, file_hash) -> Path:
    if path is None:
        folder = Path(get_file(FILE_NAME + ".zip", ORIGIN, file_hash=file_hash, cache_subdir="datasets",
                               cache_dir=cache_dir, extract=True))
    else:
        if not isinstance(path, str | os.PathLike):
            raise TypeError(f"jena_climate: path must be the CSV, its .zip or their folder, got {path!r}")
        folder = Path(path).expanduser()
        if folder.is_file() and folder.suffix.lower() == ".zip":
            target = folder.with_suffix("")  # jena_climate_2009_2016.csv.zip -> folder jena_climate_2009_2016.csv
            folder = target if target.is_dir() else Path(extract_archive(folder, target))
        elif folder.is_file():
            return folder
    if (folder / FILE_NAME).is_file():
        return folder / FILE_NAME
    raise FileNotFoundError(f"jena_climate: no {FILE_NAME} in {str(folder)!r}")


def _bad_line(lines: list[str], first: int, n_fields: int, where: str) -> str:
    """Why the first bad data line is bad (only run once parsing has failed)."""
    for number, line in enumerate(lines[first:], start=first + 1):
        fields = line.split(",")
        if len(fields) != n_fields:
            return f"{where}, line {number}: expected {n_fields} comma-separated fields, got {len(fields)}"
        for column, field in enumerate(fields[1:], start=1):
            try:
                float(field)
            except ValueError:
                return f"{where}, line {number}: {field.strip()!r} in column {column} is not a number"
    return f"{where}: could not be parsed"  # pragma: no cover - loadtxt and this scan agree


def _timestamps(stamps: list[str], where: str) -> np.ndarray:
    """``dd.mm.yyyy HH:MM:SS`` strings -> datetime64[s], by rearranging their characters."""
    raw = np.array(stamps, dtype="S19")
    chars = raw.view(np.uint8).reshape(len(raw), 19)  # (n,) of 19 bytes -> (n, 19)
    ok = (chars[:, [2, 5]] == ord(".")).all(axis=1) & (chars[:, 10] == ord(" ")) & (np.char.str_len(raw) == 19)
    if not ok.all():
        bad = int(np.argmin(ok))
        raise ValueError(f"{where}, line {bad + 2}: date {stamps[bad]!r} is not dd.mm.yyyy HH:MM:SS")
    iso = chars[:, [6, 7, 8, 9, 5, 3, 4, 2, 0, 1, 10, 11, 12, 13, 14, 15, 16, 17, 18]].copy()  # (n, 19): yyyy.mm.dd ...
    iso[:, [4, 7]] = ord("-")
    iso[:, 10] = ord("T")
    try:
        return iso.view("S19").ravel().astype("datetime64[s]")  # (n, 19) -> (n,)
    except ValueError as err:
        raise ValueError(f"{where}: a date is not valid ({err})") from err


def load_data(path=None, cache_dir=None, file_hash=None):
    """Load the Jena climate CSV: the column names, the measurements and the times.

    Args:
        path: ``jena_climate_2009_2016.csv``, its ``.zip`` (unpacked next to it once), or a
            folder holding the CSV. None: download the zip into the cache (once).
        cache_dir: the cache folder for the download (see ``get_file``).
        file_hash: the zip's expected SHA-256 or MD5, if you have one.

    Returns:
        ``(header, float_data, timestamps)``: the 14 column names (``header[i]`` names
        ``float_data[:, i]``), a float32 array ``(n, 14)``, and a ``datetime64[s]`` array ``(n,)``.

    Raises:
        ValueError: the file is empty, lacks some of the 14 columns (named), or holds a line
            with a wrong number of fields, a bad number or a bad date (its line number given).

    Examples:
        >>> import tempfile, pathlib
        >>> csv = pathlib.Path(tempfile.mkdtemp()) / "jena_climate_2009_2016.csv"
        >>> header = '"Date Time",' + ",".join(f'"{name}"' for name in COLUMNS)
        >>> rows = [f"01.01.2009 00:{m}0:00," + ",".join(str(i + m) for i in range(14)) for m in (1, 2)]
        >>> _ = csv.write_text("\\n".join([header, *rows]) + "\\n")
        >>> header, float_data, timestamps = load_data(csv)
        >>> header[1], float_data.shape, float_data.dtype, float_data[:, 1]
        ('T (degC)', (2, 14), dtype('float32'), array([2., 3.], dtype=float32))
        >>> print(timestamps)
        ['2009-01-01T00:10:00' '2009-01-01T00:20:00']
    """
    csv = _csv_path(path, cache_dir, file_hash)
    where = f"jena_climate: {str(csv)!r}"
    lines = csv.read_text(encoding="utf-8").splitlines()
    while lines and not lines[-1].strip():
        lines.pop()  # a trailing newline, or blank lines at the end
    if not lines:
        raise ValueError(f"{where} is empty")
    header = [name.strip().strip('"') for name in lines[0].split(",")]
    missing = [name for name in ["Date Time", *COLUMNS] if name not in header]
    if missing or header != ["Date Time", *COLUMNS]:
        raise ValueError(f"{where}: the header must be 'Date Time' and the 14 measurements in the file's order; "
                         + (f"missing: {missing}" if missing else f"got {header}"))
    if len(lines) == 1:
        raise ValueError(f"{where} has a header but no data")
    try:
        float_data = np.loadtxt(lines[1:], delimiter=",", usecols=range(1, 15), dtype=np.float32, ndmin=2)
    except ValueError as err:
        raise ValueError(_bad_line(lines, 1, 15, where)) from err
    if not all(line.count(",") == 14 for line in lines[1:]):  # loadtxt ignores columns past usecols
        raise ValueError(_bad_line(lines, 1, 15, where))
    timestamps = _timestamps([line[: line.index(",")] for line in lines[1:]], where)
    return COLUMNS.copy(), float_data, timestamps
