"""Reliability across the packages: a checkpoint write that fails or dies halfway loses nothing,
memory stays flat while a GRU model trains, malformed inputs get only clear errors, and files
holding a pickle or cut short are refused without running anything."""

import pickle
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dl_layers as L
from dl_convnet import Conv2D, MaxPooling2D
from dl_sequence import GRU, LSTM, Conv1D, Embedding, GlobalMaxPooling1D
from dl_workflow import ModelCheckpoint

REPO = Path(__file__).resolve().parents[1]


def gru_model():
    model = L.Sequential([L.Input(shape=(20,), dtype="int64"), Embedding(50, 8), GRU(8),
                          L.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    return model


def gru_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, 50, (n, 20))
    return ids, (ids[:, 0] > 25).astype(np.float32)


def test_a_checkpoint_write_that_fails_halfway_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "best.keras"
    x, y = gru_data()
    model = gru_model()
    model.fit(x, y, epochs=1, verbose=0, callbacks=[ModelCheckpoint(path)])
    before = model.predict(x, verbose=0)

    model.fit(x, y, epochs=1, verbose=0)  # new weights, then a save that breaks after its first member
    original = zipfile.ZipFile.writestr
    written = []

    def failing_writestr(self, *args, **kwargs):
        if written:
            raise OSError("disk full (injected)")
        written.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing_writestr)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    monkeypatch.undo()

    assert written  # the failure came in the middle of the write, not before it
    np.testing.assert_array_equal(L.load_model(path).predict(x, verbose=0), before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.keras"]  # no half-written file left behind


def test_a_process_killed_while_writing_a_checkpoint_leaves_the_previous_one(tmp_path):
    """SIGKILL in the middle of the writer: nothing can clean up, yet the old file stays whole."""
    path, expected = tmp_path / "model.keras", tmp_path / "expected.npy"
    script = textwrap.dedent(f"""
        import os, signal, zipfile
        import numpy as np
        import dl_layers as L
        from dl_sequence import GRU, Embedding
        rng = np.random.default_rng(0)
        x = rng.integers(0, 50, (64, 20)); y = (x[:, 0] > 25).astype(np.float32)
        model = L.Sequential([L.Input(shape=(20,), dtype="int64"), Embedding(50, 8), GRU(8), L.Dense(1)])
        model.compile(optimizer="rmsprop", loss="mse")
        model.fit(x, y, epochs=1, verbose=0)
        model.save({str(path)!r})
        np.save({str(expected)!r}, model.predict(x, verbose=0))
        model.fit(x, y, epochs=1, verbose=0)
        original = zipfile.ZipFile.writestr
        def dying_writestr(self, *args, **kwargs):
            original(self, *args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)  # after the first member: the file is half written
        zipfile.ZipFile.writestr = dying_writestr
        model.save({str(path)!r})
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr
    leftovers = [p for p in tmp_path.iterdir() if p.name not in ("model.keras", "expected.npy")]
    assert leftovers  # the dead writer's temporary part is there (the next save removes it)...
    x, _ = gru_data()
    again = L.load_model(path)
    np.testing.assert_array_equal(again.predict(x, verbose=0), np.load(expected))  # ...and the file is whole

    gru_model_again = L.load_model(path)
    gru_model_again.save(path)  # the next save cleans up after the dead writer
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expected.npy", "model.keras"]


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def test_memory_stays_flat_over_200_training_steps_of_a_gru_model():
    x, y = gru_data(n=32 * 50, seed=1)
    model = L.Sequential([L.Input(shape=(20,), dtype="int64"), Embedding(50, 16), GRU(32, return_sequences=True),
                          GRU(16), L.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)  # 50 steps: caches and allocator pools settle
    start = _rss_mib()
    model.fit(x, y, epochs=4, batch_size=32, verbose=0)  # 200 more steps
    growth = _rss_mib() - start
    assert growth < 10, f"resident memory grew by {growth:.1f} MiB over 200 steps"


# -- malformed inputs -----------------------------------------------------------------------
def small_models():
    return {
        "mlp": L.Sequential([L.Input(shape=(8,)), L.Dense(4, activation="relu"), L.Dense(3, activation="softmax")]),
        "lstm": L.Sequential([L.Input(shape=(10,), dtype="int64"), Embedding(20, 4), LSTM(3),
                              L.Dense(1, activation="sigmoid")]),
        "conv1d": L.Sequential([L.Input(shape=(12, 3)), Conv1D(4, 3, activation="relu"), GlobalMaxPooling1D(),
                                L.Dense(1)]),
        "convnet": L.Sequential([L.Input(shape=(8, 8, 1)), Conv2D(4, 3, activation="relu"), MaxPooling2D(2),
                                 L.Flatten(), L.Dense(2, activation="softmax")]),
    }


MODELS = small_models()
for _model in MODELS.values():
    _model.compile("rmsprop", "mse")


@st.composite
def malformed(draw):
    """An input array that is wrong in one way or another for some of the models."""
    kind = draw(st.sampled_from(["shape", "nan", "empty", "text", "ids out of range", "ragged", "dtype"]))
    shape = tuple(draw(st.lists(st.integers(1, 13), min_size=1, max_size=5)))
    if kind == "shape":
        return np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    if kind == "nan":
        x = np.zeros(shape, np.float32)
        x.flat[draw(st.integers(0, x.size - 1))] = np.nan
        return x
    if kind == "empty":
        return np.zeros((0, *shape[1:]), np.float32)
    if kind == "text":
        return np.full(shape, "word")
    if kind == "ids out of range":
        return np.full((4, 10), draw(st.sampled_from([-1, 20, 10**6])))
    if kind == "ragged":
        return [[1] * draw(st.integers(1, 5)), [2] * draw(st.integers(6, 9))]
    return np.zeros(shape, dtype=draw(st.sampled_from([np.complex64, np.bool_, np.datetime64("2020-01-01").dtype])))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(malformed(), st.sampled_from(sorted(MODELS)), st.sampled_from(["fit", "predict", "evaluate"]))
def test_malformed_inputs_get_only_clear_errors(x, name, method):
    """Any malformed input either works (when it happens to be valid) or raises ValueError or
    TypeError whose message names the layer, the model, or what was wrong with the data."""
    model = MODELS[name]
    n = len(x)
    y = np.zeros((n, model.output_shape[-1]), np.float32)
    try:
        if method == "predict":
            model.predict(x, verbose=0)
        elif method == "fit":
            model.fit(x, y, epochs=1, verbose=0)
        else:
            model.evaluate(x, y, verbose=0)
    except (ValueError, TypeError) as err:
        message = str(err)
        assert any(s in message for s in ("Layer '", "Model '", "Sequential '", f"{method}:", "ragged",
                                          "mean_squared_error")), message


# -- files that are not what they claim ------------------------------------------------------
class _Trap:
    """Unpickling this would create a file: proof that nothing was unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_a_file_holding_a_pickle_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "unpickled"
    for name in ("model.keras", "weights.npz"):
        bad = tmp_path / name
        bad.write_bytes(pickle.dumps({"weights": _Trap(marker)}))
        with pytest.raises(ValueError):
            L.load_model(bad) if name.endswith(".keras") else gru_model().load_weights(bad)
    # an .npz whose array is a pickled object: NumPy could unpickle it; we must not
    with zipfile.ZipFile(tmp_path / "objects.npz", "w") as archive:
        with archive.open("arr_0.npy", "w") as member:
            np.lib.format.write_array(member, np.array([_Trap(marker)], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        gru_model().load_weights(tmp_path / "objects.npz")
    assert not marker.exists()


def test_a_truncated_model_file_is_refused_clearly(tmp_path):
    path = tmp_path / "model.keras"
    gru_model().save(path)
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 100):
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=str(path.name)):
            L.load_model(path)
