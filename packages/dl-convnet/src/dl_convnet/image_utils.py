"""Keras's image utilities: load an image file, turn it into an array and back, save it.

The book's listings call them as ``image.load_img(path, target_size=(150, 150))``,
``image.img_to_array(img)``, ``image.array_to_img(x)``::

    from dl_convnet import image_utils as image
    img = image.load_img("cat.1700.jpg", target_size=(150, 150))
    x = image.img_to_array(img)           # (150, 150, 3) float32, values 0..255

Images are read and written by Pillow, an optional dependency: ``pip install "dl-convnet[images]"``.
Arrays are ``(height, width, channels)``: 1 channel for grayscale, 3 for RGB, 4 for RGBA.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from dl_layers.atomic import atomic_write
from dl_layers.checks import check_bool, check_choice

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]

COLOR_MODES = {"grayscale": 1, "rgb": 3, "rgba": 4}
"""The ``color_mode`` names and the number of channels each gives."""

INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
"""The ``interpolation`` names of a resize (Pillow's resampling filters)."""

DATA_FORMATS = (None, "channels_last", "channels_first")

_GRAYSCALE_MODES = ("L", "I;16", "I")  # 8, 16 and 32-bit grayscale: kept as they are


def import_pil(owner: str):
    """Pillow's ``Image`` module, or an ImportError telling how to install it."""
    try:
        from PIL import Image
    except ImportError as err:
        raise ImportError(
            f'{owner} needs Pillow to read and write image files; install it with: pip install "dl-convnet[images]"'
        ) from err
    return Image


def _resampling(owner: str, interpolation) -> int:
    Image = import_pil(owner)
    check_choice(owner, "interpolation", interpolation, INTERPOLATIONS)
    return getattr(Image.Resampling, interpolation.upper())


def check_size(owner: str, name: str, size) -> tuple[int, int]:
    """``size`` as a ``(height, width)`` tuple of positive ints."""
    ok = (isinstance(size, tuple | list) and len(size) == 2
          and all(isinstance(d, int | np.integer) and not isinstance(d, bool) and d > 0 for d in size))
    if not ok:
        raise ValueError(f"{owner}: argument `{name}` must be (height, width), two positive integers, got {size!r}")
    return int(size[0]), int(size[1])


def _name(path) -> str:
    return repr(os.fspath(path)) if isinstance(path, str | os.PathLike) else f"the file object {path!r}"


def decode_image(owner: str, path):
    """The image at ``path`` (a path or a binary file object), fully read, as a PIL image."""
    Image = import_pil(owner)
    if isinstance(path, str | os.PathLike):
        if not Path(path).is_file():
            raise FileNotFoundError(f"{owner}: no image file at {os.fspath(path)!r}")
        with open(path, "rb") as f:
            content = f.read()
    elif hasattr(path, "read"):
        content = path.read()
    else:
        raise TypeError(f"{owner}: argument `path` must be a file path or a binary file object, got {path!r}")
    try:
        img = Image.open(io.BytesIO(content))
        img.load()  # decode now, so a truncated file fails here and not later
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:  # UnidentifiedImageError too
        raise ValueError(f"{owner}: cannot read {_name(path)} as an image "
                         f"({type(err).__name__}: {err}); is it an image file, complete?") from err
    return img


def _center_box(width: int, height: int, target_width: int, target_height: int) -> tuple[float, float, float, float]:
    """The largest box centred in a ``width x height`` image with the target's aspect ratio."""
    scale = min(width / target_width, height / target_height)
    crop_width, crop_height = target_width * scale, target_height * scale
    left, top = (width - crop_width) / 2, (height - crop_height) / 2
    return left, top, left + crop_width, top + crop_height


def resize_image(owner: str, img, size: tuple[int, int], interpolation: str, keep_aspect_ratio: bool = False):
    """``img`` resized to ``size`` (height, width), after a centre crop to its aspect ratio if asked."""
    resample = _resampling(owner, interpolation)
    height, width = size
    if img.size == (width, height):  # PIL sizes are (width, height)
        return img
    box = _center_box(*img.size, width, height) if keep_aspect_ratio else None
    return img.resize((width, height), resample=resample, box=box)


def convert_color(img, color_mode: str):
    """``img`` in the PIL mode of ``color_mode``: "L" (or 16/32-bit grayscale), "RGB" or "RGBA"."""
    if color_mode == "grayscale":
        return img if img.mode in _GRAYSCALE_MODES else img.convert("L")
    mode = color_mode.upper()
    return img if img.mode == mode else img.convert(mode)


def load_img(path, color_mode: str = "rgb", target_size=None, interpolation: str = "nearest",
             keep_aspect_ratio: bool = False):
    """Load an image file as a PIL image, converted to ``color_mode`` and resized to ``target_size``.

    Args:
        path: the file (a path, or a binary file object such as ``io.BytesIO``). Any
            format Pillow reads: PNG, JPEG, BMP, GIF (first frame)...
        color_mode: ``"rgb"`` (default), ``"rgba"`` or ``"grayscale"``.
        target_size: ``(height, width)`` to resize to, or None to keep the file's size.
        interpolation: the resize filter: ``"nearest"`` (default), ``"bilinear"``,
            ``"bicubic"``, ``"hamming"``, ``"box"`` or ``"lanczos"``.
        keep_aspect_ratio: crop the largest centred box with the aspect ratio of
            ``target_size`` before resizing, so the image is not stretched.

    Returns:
        A ``PIL.Image.Image``; ``img_to_array`` turns it into an array.

    Raises:
        ImportError: Pillow is not installed.
        ValueError: the file is not an image Pillow can decode (named), or an argument is bad.

    Examples:
        >>> import os, tempfile
        >>> import numpy as np
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "red.png")
        ...     save_img(path, np.full((40, 60, 3), [255, 0, 0], dtype=np.float32), scale=False)
        ...     img = load_img(path, target_size=(20, 30))
        ...     gray = load_img(path, color_mode="grayscale")
        >>> img.size, img.mode             # PIL sizes are (width, height)
        ((30, 20), 'RGB')
        >>> img_to_array(gray).shape
        (40, 60, 1)
    """
    check_choice("load_img", "color_mode", color_mode, tuple(COLOR_MODES))
    check_choice("load_img", "interpolation", interpolation, INTERPOLATIONS)
    check_bool("load_img", "keep_aspect_ratio", keep_aspect_ratio)
    size = None if target_size is None else check_size("load_img", "target_size", target_size)
    img = convert_color(decode_image("load_img", path), color_mode)
    if size is not None:
        img = resize_image("load_img", img, size, interpolation, keep_aspect_ratio)
    return img


def _check_data_format(owner: str, data_format) -> str:
    check_choice(owner, "data_format", data_format, DATA_FORMATS)
    return data_format or "channels_last"


def img_to_array(img, data_format=None, dtype="float32") -> np.ndarray:
    """A PIL image as an array ``(height, width, channels)``; grayscale gives 1 channel.

    Args:
        img: a PIL image, e.g. from ``load_img``.
        data_format: ``"channels_last"`` (default, ``(h, w, c)``) or ``"channels_first"``
            (``(c, h, w)``).
        dtype: the array's dtype; values stay as in the image (0..255 for 8-bit images).

    Examples:
        >>> from PIL import Image
        >>> x = img_to_array(Image.new("RGB", (4, 2), color=(255, 128, 0)))
        >>> x.shape, x.dtype, x[0, 0]
        ((2, 4, 3), dtype('float32'), array([255., 128.,   0.], dtype=float32))
        >>> img_to_array(Image.new("L", (4, 2)), dtype="uint8").shape
        (2, 4, 1)
    """
    Image = import_pil("img_to_array")
    data_format = _check_data_format("img_to_array", data_format)
    if not isinstance(img, Image.Image):
        raise TypeError(f"img_to_array: argument `img` must be a PIL image (from load_img), got {type(img).__name__}")
    try:
        dtype = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"img_to_array: argument `dtype` must be a NumPy dtype such as 'float32', "
                        f"got {dtype!r}") from err
    x = np.asarray(img, dtype=dtype)
    if x.ndim == 2:  # grayscale: (h, w) -> (h, w, 1)
        x = x[:, :, np.newaxis]
    if data_format == "channels_first":  # (h, w, c) -> (c, h, w)
        x = x.transpose(2, 0, 1)
    return x


def array_to_img(x, data_format=None, scale: bool = True, dtype=None):
    """An array ``(height, width, channels)`` (1, 3 or 4 channels) as a PIL image.

    Args:
        x: the array (any real dtype, no NaN).
        data_format: ``"channels_last"`` (default) or ``"channels_first"`` (``(c, h, w)``).
        scale: map the array's min..max to 0..255 (as Keras does; a constant array becomes 0).
            With ``scale=False`` the values are taken as 0..255 and clipped to it, except
            that 1-channel arrays above 255 become 32-bit grayscale images (mode "I").
        dtype: accepted for Keras compatibility; unused.

    Returns:
        A PIL image of mode "L" (1 channel), "RGB" (3) or "RGBA" (4).

    Examples:
        >>> import numpy as np
        >>> img = array_to_img(np.linspace(-1, 1, 12, dtype=np.float32).reshape(2, 2, 3))
        >>> img.mode, img.size, img_to_array(img).min(), img_to_array(img).max()
        ('RGB', (2, 2), np.float32(0.0), np.float32(255.0))
        >>> array_to_img(np.full((2, 2, 1), 300.0), scale=False).mode
        'I'
    """
    Image = import_pil("array_to_img")
    data_format = _check_data_format("array_to_img", data_format)
    check_bool("array_to_img", "scale", scale)
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"array_to_img: argument `x` must hold real numbers, got dtype {x.dtype}")
    if x.ndim != 3:
        raise ValueError(f"array_to_img: argument `x` must have rank 3 (height, width, channels), "
                         f"got shape {x.shape} (rank {x.ndim})")
    if data_format == "channels_first":  # (c, h, w) -> (h, w, c)
        x = x.transpose(1, 2, 0)
    channels = x.shape[2]
    if channels not in (1, 3, 4):
        raise ValueError(f"array_to_img: argument `x` must have 1, 3 or 4 channels (grayscale, RGB, RGBA), "
                         f"got shape {x.shape} with {channels} channels")
    x = x.astype(np.float64)
    if not np.isfinite(x).all():
        raise ValueError("array_to_img: argument `x` contains NaN or infinite values")
    if scale:
        x = x - x.min()
        if x.max() > 0:
            x = x * (255.0 / x.max())
    # Pillow reads the mode from the array: (h, w) int32 -> "I", (h, w) uint8 -> "L",
    # (h, w, 3) uint8 -> "RGB", (h, w, 4) uint8 -> "RGBA"
    if channels == 1 and x.max() > 255:  # 16 or 32-bit grayscale, e.g. from a 16-bit PNG
        return Image.fromarray(np.rint(x[:, :, 0]).astype(np.int32))
    x = np.rint(np.clip(x, 0, 255)).astype(np.uint8)
    return Image.fromarray(x[:, :, 0] if channels == 1 else x)  # (h, w, 1) -> (h, w)


def _file_format(Image, path, file_format) -> str:
    if file_format is not None:
        if not isinstance(file_format, str):
            raise TypeError(f"save_img: argument `file_format` must be a format name such as 'png', "
                            f"got {file_format!r}")
        return file_format.upper()
    extension = Path(path).suffix.lower()
    formats = Image.registered_extensions()  # {".png": "PNG", ".jpg": "JPEG", ...}
    if extension not in formats:
        raise ValueError(f"save_img: cannot tell the image format from the extension of {os.fspath(path)!r}; "
                         f"pass file_format, e.g. file_format='png'")
    return formats[extension]


def save_img(path, x, data_format=None, file_format=None, scale: bool = True, **kwargs) -> None:
    """Save an array ``(height, width, channels)`` as an image file, all-or-nothing.

    The file is written to a temporary name and renamed into place once complete.

    Args:
        path: the file to write; its folder must exist.
        x: the array (see ``array_to_img``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        file_format: e.g. ``"png"`` or ``"jpeg"``; default: from the extension of ``path``.
        scale: map the array's min..max to 0..255 (see ``array_to_img``).
        **kwargs: passed to Pillow's ``Image.save``, e.g. ``quality=95`` for JPEG.

    Examples:
        >>> import os, tempfile
        >>> import numpy as np
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "gradient.png")
        ...     save_img(path, np.arange(6, dtype=np.float32).reshape(2, 3, 1))
        ...     img_to_array(load_img(path, color_mode="grayscale"))[:, :, 0]
        array([[  0.,  51., 102.],
               [153., 204., 255.]], dtype=float32)
    """
    Image = import_pil("save_img")
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"save_img: argument `path` must be a file path, got {path!r}")
    file_format = _file_format(Image, path, file_format)
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "JPEG":  # JPEG has no alpha channel
        img = img.convert("RGB")
    with atomic_write(path) as f:
        try:
            img.save(f, format=file_format, **kwargs)
        except KeyError as err:  # Pillow's error for an unknown format name
            raise ValueError(f"save_img: unknown file_format {file_format!r} for Pillow") from err
