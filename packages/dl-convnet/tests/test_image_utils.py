"""load_img, img_to_array, array_to_img, save_img, on small images the tests draw with Pillow."""

import io
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from dl_convnet.image_utils import array_to_img, img_to_array, load_img, save_img

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def stripes(path, colours, height=10, stripe_width=10, mode="RGB", file_format=None):
    """An image of vertical stripes, one per colour, left to right; saved to ``path``."""
    img = Image.new(mode, (stripe_width * len(colours), height))
    for i, colour in enumerate(colours):
        img.paste(colour, (i * stripe_width, 0, (i + 1) * stripe_width, height))
    img.save(path, format=file_format)
    return path


def leftovers(folder) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(".part")]


# ----------------------------------------------------------------------------- load_img


def test_load_img_keeps_size_and_converts_to_rgb(tmp_path):
    path = stripes(tmp_path / "flag.png", [RED, GREEN, BLUE], height=4)
    img = load_img(path)
    assert img.mode == "RGB" and img.size == (30, 4)
    x = img_to_array(img)
    assert x.shape == (4, 30, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(x[0, [0, 15, 29]], [RED, GREEN, BLUE])


def test_target_size_is_height_then_width(tmp_path):
    path = stripes(tmp_path / "flag.png", [RED, BLUE], height=40, stripe_width=30)  # 40 high, 60 wide
    x = img_to_array(load_img(str(path), target_size=(20, 30)))
    assert x.shape == (20, 30, 3)
    np.testing.assert_array_equal(x[:, :15], np.broadcast_to(RED, (20, 15, 3)))  # nearest keeps the colours exact
    np.testing.assert_array_equal(x[:, 15:], np.broadcast_to(BLUE, (20, 15, 3)))


def test_interpolation_changes_the_resize(tmp_path):
    path = stripes(tmp_path / "flag.png", [(0, 0, 0), (255, 255, 255)] * 3, height=6, stripe_width=1)
    nearest = img_to_array(load_img(path, target_size=(6, 4)))
    bilinear = img_to_array(load_img(path, target_size=(6, 4), interpolation="bilinear"))
    assert set(np.unique(nearest)) <= {0.0, 255.0}  # only the image's own values
    assert not set(np.unique(bilinear)) <= {0.0, 255.0}  # blends of them


def test_color_modes(tmp_path):
    path = stripes(tmp_path / "flag.png", [RED, GREEN], height=2)
    gray = load_img(path, color_mode="grayscale")
    assert gray.mode == "L"
    x = img_to_array(gray)
    assert x.shape == (2, 20, 1)
    assert x[0, 0, 0] == 76 and x[0, 10, 0] == 150  # ITU-R 601 luma of pure red and pure green
    rgba = img_to_array(load_img(path, color_mode="rgba"))
    assert rgba.shape == (2, 20, 4) and (rgba[..., 3] == 255).all()
    gray_path = stripes(tmp_path / "gray.png", [0, 200], height=2, mode="L")
    rgb = img_to_array(load_img(gray_path))
    assert rgb.shape == (2, 20, 3)
    np.testing.assert_array_equal(rgb[0, 10], [200, 200, 200])


def test_keep_aspect_ratio_crops_the_centre(tmp_path):
    path = stripes(tmp_path / "wide.png", [RED, GREEN, BLUE], height=10)  # 10 high, 30 wide
    cropped = img_to_array(load_img(path, target_size=(5, 5), keep_aspect_ratio=True))
    np.testing.assert_array_equal(cropped, np.broadcast_to(GREEN, (5, 5, 3)))  # only the middle stripe
    squeezed = img_to_array(load_img(path, target_size=(5, 5)))
    assert (squeezed[0, 0] == RED).all() and (squeezed[0, -1] == BLUE).all()


def test_load_img_reads_a_file_object(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), GREEN).save(buffer, format="PNG")
    buffer.seek(0)
    assert img_to_array(load_img(buffer)).shape == (2, 3, 3)


def test_gif_and_bmp_and_jpeg(tmp_path):
    for name in ("a.gif", "a.bmp", "a.jpg"):
        stripes(tmp_path / name, [RED, BLUE], height=8, stripe_width=8)
        x = img_to_array(load_img(tmp_path / name))
        assert x.shape == (8, 16, 3)
        assert x[4, 2, 0] > 200 and x[4, 13, 2] > 200  # lossy JPEG: close to red, then blue


def test_a_file_that_is_not_an_image_is_named(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    with pytest.raises(ValueError, match=r"load_img: cannot read '.*notes.png' as an image"):
        load_img(path)


def test_a_truncated_image_is_named(tmp_path):
    path = tmp_path / "cut.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ValueError, match=r"load_img: cannot read '.*cut.png' as an image"):
        load_img(path)


def test_load_img_argument_errors(tmp_path):
    path = stripes(tmp_path / "a.png", [RED])
    with pytest.raises(FileNotFoundError, match="load_img: no image file at .*missing.png"):
        load_img(tmp_path / "missing.png")
    with pytest.raises(ValueError, match=r"load_img: argument `color_mode` must be one of 'grayscale', 'rgb', "
                                         r"'rgba', got 'rgb8'"):
        load_img(path, color_mode="rgb8")
    with pytest.raises(ValueError, match="load_img: argument `interpolation` must be one of"):
        load_img(path, target_size=(2, 2), interpolation="cubic")
    for bad in [(10,), (0, 3), (2.5, 3), 10, "10x10"]:
        with pytest.raises(ValueError, match=r"load_img: argument `target_size` must be \(height, width\)"):
            load_img(path, target_size=bad)
    with pytest.raises(TypeError, match="load_img: argument `path` must be a file path or a binary file object"):
        load_img(42)


# ----------------------------------------------------------------------------- img_to_array


def test_img_to_array_dtype_and_layout():
    img = Image.new("RGB", (5, 2), (10, 20, 30))
    x = img_to_array(img, dtype="uint8")
    assert x.dtype == np.uint8 and x.shape == (2, 5, 3)
    first = img_to_array(img, data_format="channels_first")
    assert first.shape == (3, 2, 5)
    np.testing.assert_array_equal(first[:, 0, 0], [10, 20, 30])
    assert img_to_array(Image.new("L", (5, 2))).shape == (2, 5, 1)


def test_img_to_array_errors():
    with pytest.raises(TypeError, match="img_to_array: argument `img` must be a PIL image.*got ndarray"):
        img_to_array(np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="img_to_array: argument `data_format` must be one of"):
        img_to_array(Image.new("L", (2, 2)), data_format="channels_middle")
    with pytest.raises(TypeError, match="img_to_array: argument `dtype` must be a NumPy dtype"):
        img_to_array(Image.new("L", (2, 2)), dtype="floaty")


# ----------------------------------------------------------------------------- array_to_img


def test_scale_maps_min_max_to_0_255():
    x = np.array([[[-2.0], [0.0]], [[1.0], [2.0]]])  # (2, 2, 1)
    img = array_to_img(x)
    assert img.mode == "L" and img.size == (2, 2)
    np.testing.assert_array_equal(np.asarray(img), [[0, 128], [191, 255]])  # (x + 2) / 4 * 255, rounded


def test_a_constant_array_scales_to_zero():
    np.testing.assert_array_equal(np.asarray(array_to_img(np.full((2, 3, 3), 7.0))), 0)


def test_without_scale_values_are_clipped_to_0_255():
    x = np.array([[[-10.0, 100.4, 300.0]]])  # (1, 1, 3)
    np.testing.assert_array_equal(np.asarray(array_to_img(x, scale=False)), [[[0, 100, 255]]])


def test_channels_give_the_mode():
    assert array_to_img(np.zeros((2, 2, 1))).mode == "L"
    assert array_to_img(np.zeros((2, 2, 3))).mode == "RGB"
    assert array_to_img(np.zeros((2, 2, 4))).mode == "RGBA"
    big = array_to_img(np.full((2, 2, 1), 1000.0), scale=False)
    assert big.mode == "I" and np.asarray(big)[0, 0] == 1000
    first = array_to_img(np.zeros((3, 4, 5)), data_format="channels_first")
    assert first.mode == "RGB" and first.size == (5, 4)


def test_round_trip_through_an_image():
    x = np.random.default_rng(0).integers(0, 256, (4, 5, 3)).astype(np.float32)
    np.testing.assert_array_equal(img_to_array(array_to_img(x, scale=False)), x)


@pytest.mark.parametrize("x, error, message", [
    (np.zeros((4, 4)), ValueError, r"must have rank 3 \(height, width, channels\), got shape \(4, 4\) \(rank 2\)"),
    (np.zeros((1, 4, 4, 3)), ValueError, "must have rank 3.*rank 4"),
    (np.zeros((4, 4, 2)), ValueError, r"must have 1, 3 or 4 channels.*got shape \(4, 4, 2\) with 2 channels"),
    (np.zeros((4, 4, 5)), ValueError, "must have 1, 3 or 4 channels.*with 5 channels"),
    (np.full((2, 2, 3), np.nan), ValueError, "contains NaN or infinite values"),
    (np.array([[["a"]]]), TypeError, "must hold real numbers"),
])
def test_array_to_img_errors(x, error, message):
    with pytest.raises(error, match=f"array_to_img: argument `x` {message}"):
        array_to_img(x)


# ----------------------------------------------------------------------------- save_img


@pytest.mark.parametrize("name", ["x.png", "x.bmp", "x.PNG"])
def test_save_img_lossless_round_trip(tmp_path, name):
    x = np.random.default_rng(1).integers(0, 256, (6, 7, 3)).astype(np.float32)
    save_img(tmp_path / name, x, scale=False)
    np.testing.assert_array_equal(img_to_array(load_img(tmp_path / name)), x)
    assert leftovers(tmp_path) == []


def test_save_img_scales_by_default(tmp_path):
    save_img(tmp_path / "x.png", np.array([[[0.0], [0.5]], [[0.25], [1.0]]]))
    np.testing.assert_array_equal(img_to_array(load_img(tmp_path / "x.png", color_mode="grayscale"))[..., 0],
                                  [[0, 128], [64, 255]])


def test_save_img_file_format(tmp_path):
    save_img(tmp_path / "picture", np.zeros((3, 3, 3)), file_format="png")
    assert (tmp_path / "picture").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    save_img(tmp_path / "transparent.jpg", np.zeros((3, 3, 4)))  # JPEG has no alpha: dropped
    assert Image.open(tmp_path / "transparent.jpg").mode == "RGB"
    save_img(tmp_path / "q.jpg", np.zeros((3, 3, 3)), quality=50)  # kwargs reach Pillow
    with pytest.raises(ValueError, match=r"save_img: cannot tell the image format from the extension of "
                                         r"'.*picture.xyz'; pass file_format"):
        save_img(tmp_path / "picture.xyz", np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match="save_img: unknown file_format 'NOPE'"):
        save_img(tmp_path / "x.png", np.zeros((3, 3, 3)), file_format="nope")
    assert leftovers(tmp_path) == []


def test_save_img_is_all_or_nothing(tmp_path, monkeypatch):
    path = tmp_path / "x.png"
    save_img(path, np.zeros((3, 3, 3)))
    before = path.read_bytes()

    def broken_save(self, fp, *args, **kwargs):
        fp.write(b"half an image")
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        save_img(path, np.ones((3, 3, 3)))
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


# ----------------------------------------------------------------------------- without Pillow


@pytest.fixture
def no_pillow(monkeypatch):
    """Make ``from PIL import Image`` fail, as it does when Pillow is not installed."""
    for name in [name for name in sys.modules if name == "PIL" or name.startswith("PIL.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "PIL", None)


@pytest.mark.parametrize("call", [
    lambda path: load_img(path),
    lambda path: img_to_array(object()),
    lambda path: array_to_img(np.zeros((2, 2, 3))),
    lambda path: save_img(path, np.zeros((2, 2, 3))),
], ids=["load_img", "img_to_array", "array_to_img", "save_img"])
def test_without_pillow_the_error_says_how_to_install_it(tmp_path, call, no_pillow):
    path = tmp_path / "x.png"
    with pytest.raises(ImportError, match=r'needs Pillow.*install it with: pip install "dl-convnet\[images\]"'):
        call(path)
    assert not path.exists()


def test_pillow_is_imported_lazily():
    """Without Pillow the modules still import (and the IDX loaders work): only image files need it."""
    code = ("import sys; sys.modules['PIL'] = None; "
            "import dl_convnet.image_utils, dl_convnet.image_dataset, dl_convnet.datasets")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
