"""mnist.load_data / fashion_mnist.load_data, on tiny IDX files the tests write themselves.

Nothing touches the network: downloads come from a file:// URL or a local HTTP server on
127.0.0.1, with the module's BASE_URL and FILE_HASHES monkeypatched to the fixtures'.
"""

import hashlib
import http.server
import re
import shutil
import threading

import numpy as np
import pytest

from dl_convnet.datasets import fashion_mnist, mnist, write_idx
from dl_layers.utils import CACHE_DIR_ENV, HashMismatchError

MODULES = [pytest.param(mnist, id="mnist"), pytest.param(fashion_mnist, id="fashion_mnist")]
NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
N_TRAIN, N_TEST = 5, 3


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """No test may write into the real ~/.cache/dl-book."""
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))


def make_arrays(seed=0, n_train=N_TRAIN, n_test=N_TEST):
    rng = np.random.default_rng(seed)
    return {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def write_folder(folder, arrays, gzipped=("train-images-idx3-ubyte", "t10k-labels-idx1-ubyte")):
    """The four files in ``folder``, some gzipped (``.gz``), the others plain."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        write_idx(folder / (name + ".gz" if name in gzipped else name), array)
    return folder


def assert_loaded(result, arrays):
    (x_train, y_train), (x_test, y_test) = result
    for got, name in zip((x_train, y_train, x_test, y_test), NAMES, strict=True):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, arrays[name])


# ----------------------------------------------------------------------------- from a folder


@pytest.mark.parametrize("module", MODULES)
@pytest.mark.parametrize("gzipped", [(), tuple(NAMES), ("train-images-idx3-ubyte", "t10k-labels-idx1-ubyte")],
                         ids=["plain", "gzipped", "mixed"])
def test_loads_a_folder(tmp_path, module, gzipped):
    arrays = make_arrays()
    result = module.load_data(path=write_folder(tmp_path / "data", arrays, gzipped))
    assert_loaded(result, arrays)
    (x_train, y_train), (x_test, y_test) = result
    assert x_train.shape == (N_TRAIN, 28, 28) and y_train.shape == (N_TRAIN,)
    assert x_test.shape == (N_TEST, 28, 28) and y_test.shape == (N_TEST,)


def test_the_path_may_be_a_string(tmp_path):
    arrays = make_arrays()
    assert_loaded(mnist.load_data(path=str(write_folder(tmp_path / "data", arrays))), arrays)


@pytest.mark.parametrize("module", MODULES)
def test_missing_files_are_listed(tmp_path, module):
    folder = write_folder(tmp_path / "data", make_arrays())
    (folder / "train-labels-idx1-ubyte").unlink()
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError) as info:
        module.load_data(path=folder)
    message = str(info.value)
    assert message.startswith(f"{module.__name__.rsplit('.', 1)[1]}.load_data: ")
    assert "lacks train-labels-idx1-ubyte, t10k-labels-idx1-ubyte" in message
    assert "images" not in message.split("lacks")[1]
    assert ".gz" in message  # tells that either form is fine


def test_path_must_be_an_existing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="mnist.load_data: argument `path` must be an existing folder"):
        mnist.load_data(path=tmp_path / "nowhere")
    (tmp_path / "mnist.npz").write_bytes(b"")
    with pytest.raises(NotADirectoryError, match=r"must be a folder holding the four IDX files.*mnist.npz"):
        mnist.load_data(path=tmp_path / "mnist.npz")
    with pytest.raises(TypeError, match="argument `path` must be a folder path or None"):
        mnist.load_data(path=3)


@pytest.mark.parametrize("module", MODULES)
def test_label_and_image_counts_must_match(tmp_path, module):
    arrays = make_arrays()
    arrays["t10k-labels-idx1-ubyte"] = arrays["t10k-labels-idx1-ubyte"][:2]
    folder = write_folder(tmp_path / "data", arrays)
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte' holds 3 images but .*t10k-labels-idx1-ubyte.gz' "
                                         r"holds 2 labels"):
        module.load_data(path=folder)


@pytest.mark.parametrize("name, array, message", [
    ("train-images-idx3-ubyte", np.zeros((5, 28, 27), np.uint8), r"uint8 images of shape \(n, 28, 28\), "
                                                                  r"got uint8 values of shape \(5, 28, 27\)"),
    ("train-images-idx3-ubyte", np.zeros((5, 784), np.uint8), r"got uint8 values of shape \(5, 784\)"),
    ("t10k-images-idx3-ubyte", np.zeros((3, 28, 28), np.float32), "got float32 values"),
    ("train-labels-idx1-ubyte", np.zeros((5, 1), np.uint8), r"uint8 labels of shape \(n,\), got uint8 values of "
                                                            r"shape \(5, 1\)"),
    ("t10k-labels-idx1-ubyte", np.array([1, 10, 2], np.uint8), "labels 0 to 9, got 10"),
])
def test_contents_are_checked(tmp_path, name, array, message):
    arrays = make_arrays()
    arrays[name] = array
    with pytest.raises(ValueError, match=f"mnist.load_data: .*{name}.*{message}"):
        mnist.load_data(path=write_folder(tmp_path / "data", arrays))


def test_a_corrupted_file_is_named(tmp_path):
    folder = write_folder(tmp_path / "data", make_arrays())
    path = folder / "train-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte' is truncated.*expected 5 data bytes, got 4"):
        mnist.load_data(path=folder)


def test_fashion_mnist_class_names():
    assert len(fashion_mnist.CLASS_NAMES) == 10
    assert fashion_mnist.CLASS_NAMES[0] == "T-shirt/top" and fashion_mnist.CLASS_NAMES[9] == "Ankle boot"


@pytest.mark.parametrize("module", MODULES)
def test_the_published_files_are_named_with_md5s(module):
    assert sorted(module.FILE_HASHES) == sorted(name + ".gz" for name in NAMES)
    assert all(re.fullmatch("[0-9a-f]{32}", digest) for digest in module.FILE_HASHES.values())
    assert module.BASE_URL.startswith("https://") and module.BASE_URL.endswith("/")


# ----------------------------------------------------------------------------- downloading


def serve_from(tmp_path, monkeypatch, module, arrays, base_url=None):
    """Write the four .gz files into a source folder; point the module at it with their real MD5s."""
    source = write_folder(tmp_path / "source", arrays, gzipped=NAMES)
    hashes = {name + ".gz": hashlib.md5((source / (name + ".gz")).read_bytes()).hexdigest() for name in NAMES}
    monkeypatch.setattr(module, "BASE_URL", base_url or source.as_uri() + "/")
    monkeypatch.setattr(module, "FILE_HASHES", hashes)
    return source


@pytest.mark.parametrize("module", MODULES)
def test_downloads_into_the_cache_then_uses_it(tmp_path, monkeypatch, module, capsys):
    arrays = make_arrays(seed=1)
    source = serve_from(tmp_path, monkeypatch, module, arrays)
    assert_loaded(module.load_data(), arrays)
    cached = tmp_path / "cache" / module.CACHE_SUBDIR
    assert sorted(p.name for p in cached.iterdir()) == sorted(name + ".gz" for name in NAMES)
    assert capsys.readouterr().out.count("Downloading data from file://") == 4

    shutil.rmtree(source)  # the origin is gone: only the cache can answer now
    assert_loaded(module.load_data(), arrays)
    assert "Downloading" not in capsys.readouterr().out


def test_the_two_data_sets_have_their_own_cache_folders():
    assert mnist.CACHE_SUBDIR == "datasets/mnist"
    assert fashion_mnist.CACHE_SUBDIR == "datasets/fashion-mnist"


def test_a_download_with_the_wrong_md5_is_refused(tmp_path, monkeypatch):
    serve_from(tmp_path, monkeypatch, mnist, make_arrays())
    monkeypatch.setitem(mnist.FILE_HASHES, "t10k-images-idx3-ubyte.gz", "0" * 32)
    with pytest.raises(HashMismatchError, match="t10k-images-idx3-ubyte.gz"):
        mnist.load_data()
    assert not (tmp_path / "cache" / "datasets" / "mnist" / "t10k-images-idx3-ubyte.gz").exists()


class Server:
    """A local HTTP server on a free port that counts the requests it serves."""

    def __init__(self, root):
        self.requests = []
        requests = self.requests

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(root), **kwargs)

            def log_message(self, format, *args):  # quiet
                pass

            def do_GET(self):
                requests.append(self.path)
                super().do_GET()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server(tmp_path):
    (tmp_path / "source").mkdir()
    running = Server(tmp_path / "source")
    yield running
    running.stop()


def test_download_over_http_happens_once(tmp_path, monkeypatch, server):
    arrays = make_arrays(seed=2)
    serve_from(tmp_path, monkeypatch, fashion_mnist, arrays, base_url=server.url)
    assert_loaded(fashion_mnist.load_data(), arrays)
    assert sorted(server.requests) == sorted(f"/{name}.gz" for name in NAMES)
    assert_loaded(fashion_mnist.load_data(), arrays)
    assert len(server.requests) == 4  # the second call read the cache
