"""The Jena climate loader on small CSV files written here (plain, zipped, in a folder), its errors,
and the download call (mocked: never the network)."""

import zipfile

import numpy as np
import pytest

from dl_sequence.datasets import jena_climate

HEADER = '"Date Time",' + ",".join(f'"{name}"' for name in jena_climate.COLUMNS)


def make_rows(n, seed=0):
    values = np.round(np.random.default_rng(seed).normal(size=(n, 14)) * 100, 2)
    times = np.datetime64("2009-01-01T00:10") + np.arange(n) * np.timedelta64(10, "m")
    lines = []
    for t, row in zip(times.astype("datetime64[s]").astype(str), values, strict=True):
        day, clock = t.split("T")
        y, m, d = day.split("-")
        lines.append(f"{d}.{m}.{y} {clock}," + ",".join(f"{v:.2f}" for v in row))
    return lines, values, times.astype("datetime64[s]")


def write_csv(folder, lines, header=HEADER, name="jena_climate_2009_2016.csv"):
    path = folder / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def test_reads_the_book_layout(tmp_path):
    lines, values, times = make_rows(50)
    header, float_data, timestamps = jena_climate.load_data(write_csv(tmp_path, lines))
    assert header == jena_climate.COLUMNS and header[1] == "T (degC)"
    assert float_data.dtype == np.float32 and float_data.shape == (50, 14)
    np.testing.assert_array_equal(float_data, values.astype(np.float32))
    np.testing.assert_array_equal(timestamps, times)
    # the first edition's own parsing, as a reference
    text = (tmp_path / "jena_climate_2009_2016.csv").read_text()
    book_lines = text.split("\n")[1:-1]
    book = np.zeros((len(book_lines), 14))
    for i, line in enumerate(book_lines):
        book[i, :] = [float(x) for x in line.split(",")[1:]]
    np.testing.assert_array_equal(float_data, book.astype(np.float32))


def test_zip_and_folder_paths(tmp_path):
    lines, values, _ = make_rows(5)
    csv = write_csv(tmp_path, lines)
    archive = tmp_path / "jena_climate_2009_2016.csv.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(csv, "jena_climate_2009_2016.csv")
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    csv.rename(moved / csv.name)
    for path in (archive, moved, archive):  # the zip is unpacked next to it once
        np.testing.assert_array_equal(jena_climate.load_data(path)[1], values.astype(np.float32))
    assert (tmp_path / "jena_climate_2009_2016.csv" / "jena_climate_2009_2016.csv").is_file()


def test_download_goes_through_get_file(tmp_path, monkeypatch):
    lines, values, _ = make_rows(3)
    folder = tmp_path / "jena_climate_2009_2016.csv"
    folder.mkdir()
    write_csv(folder, lines)
    calls = []

    def fake_get_file(fname, origin, **kwargs):
        calls.append((fname, origin, kwargs))
        return str(folder)

    monkeypatch.setattr(jena_climate, "get_file", fake_get_file)
    np.testing.assert_array_equal(jena_climate.load_data(cache_dir="/c")[1], values.astype(np.float32))
    assert calls == [("jena_climate_2009_2016.csv.zip",
                      "https://s3.amazonaws.com/keras-datasets/jena_climate_2009_2016.csv.zip",
                      dict(file_hash=None, cache_subdir="datasets", cache_dir="/c", extract=True))]


def test_crlf_and_trailing_blank_lines(tmp_path):
    lines, values, _ = make_rows(4)
    path = tmp_path / "jena_climate_2009_2016.csv"
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n\r\n").encode())
    np.testing.assert_array_equal(jena_climate.load_data(path)[1], values.astype(np.float32))


def test_errors_name_the_line(tmp_path):
    lines, _, _ = make_rows(6)
    bad = list(lines)
    bad[3] = bad[3].replace(bad[3].split(",")[5], "abc", 1)
    with pytest.raises(ValueError, match="line 5: 'abc' in column 5 is not a number"):
        jena_climate.load_data(write_csv(tmp_path, bad))
    short = list(lines)
    short[2] = ",".join(short[2].split(",")[:-1])
    with pytest.raises(ValueError, match="line 4: expected 15 comma-separated fields, got 14"):
        jena_climate.load_data(write_csv(tmp_path, short))
    extra = list(lines)
    extra[1] += ",7.0"
    with pytest.raises(ValueError, match="line 3: expected 15 comma-separated fields, got 16"):
        jena_climate.load_data(write_csv(tmp_path, extra))
    dates = list(lines)
    dates[4] = "2009-01-01 00:50:00" + dates[4][19:]
    with pytest.raises(ValueError, match="line 6: date '2009-01-01 00:50:00' is not dd.mm.yyyy HH:MM:SS"):
        jena_climate.load_data(write_csv(tmp_path, dates))
    dates[4] = "45.13.2009 00:50:00" + lines[4][19:]
    with pytest.raises(ValueError, match="a date is not valid"):
        jena_climate.load_data(write_csv(tmp_path, dates))


def test_errors_header_and_empty(tmp_path):
    lines, _, _ = make_rows(2)
    header = HEADER.replace(',"rh (%)"', "")
    with pytest.raises(ValueError, match=r"missing: \['rh \(%\)'\]"):
        jena_climate.load_data(write_csv(tmp_path, lines, header=header))
    (tmp_path / "jena_climate_2009_2016.csv").write_text("")
    with pytest.raises(ValueError, match="is empty"):
        jena_climate.load_data(tmp_path / "jena_climate_2009_2016.csv")
    (tmp_path / "jena_climate_2009_2016.csv").write_text(HEADER + "\n")
    with pytest.raises(ValueError, match="has a header but no data"):
        jena_climate.load_data(tmp_path / "jena_climate_2009_2016.csv")
    with pytest.raises(FileNotFoundError, match="no jena_climate_2009_2016.csv in"):
        jena_climate.load_data(tmp_path / "nothing_here")
