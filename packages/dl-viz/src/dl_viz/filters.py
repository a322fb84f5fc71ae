"""Filter patterns: the input each filter responds to most (the book's second technique).

Start from a grey image with a little noise and climb the gradient of one filter's mean
activation *with respect to the input image*: the weights stay fixed, the image changes.
Each step adds the gradient, normalised to unit L2 norm and scaled by the learning rate
(the book's recipe: the step size no longer depends on how large the gradient happens to
be). After a few dozen steps the image shows the pattern the filter detects: colours and
edges in the first layers, textures deeper in.
"""

from __future__ import annotations

import numpy as np

from dl_tensor import Tensor, grad, random

from .figure_utils import new_grid
from .submodel import as_batch, find_layer, layer_output_model, model_inputs, output_shape


def filter_pattern(model, layer_name, filter_index, steps=30, learning_rate=10.0, size=None, border=2, seed=None,
                   image=None, clip=None):
    """Gradient ascent in input space: the image that maximises one filter's mean activation.

    Args:
        model: a built dl_layers model with one image-like input.
        layer_name: the layer whose filter (output channel) is studied.
        filter_index: which channel of that layer's output.
        steps: gradient-ascent steps (30, as the book).
        learning_rate: the length of each step (the gradient is L2-normalised first).
        size: ``(height, width)`` of the image when the model's input leaves them open
            (None axes); by default the model's input size.
        border: pixels left out at each spatial edge of the activation, as the book does,
            so that the pattern is not made of border effects (only if the map is large enough).
        seed: seed of the starting noise (default: dl_tensor's generator).
        image: a starting image instead of noise (same shape as one input sample).
        clip: ``(low, high)``: keep the image within the model's input range after each
            step (not in the book; it stops a filter that likes brightness from
            answering "brighter everywhere"), or None.

    Returns:
        float32 ``(h, w, c)``: the raw image found (``deprocess_image`` makes it displayable).

    Examples:
        >>> from dl_layers import Dense, Input, Model
        >>> inputs = Input(shape=(8, 8, 3))
        >>> model = Model(inputs, Dense(4, activation="relu", name="pixels")(inputs))
        >>> filter_pattern(model, "pixels", 2, steps=5, seed=0).shape
        (8, 8, 3)
    """
    what = "filter_pattern"
    layer = find_layer(model, layer_name, what)
    _check_filter(layer, filter_index, what)
    extractor = layer_output_model(model, layer_name, what)
    if image is None:
        image = _start_image(model, size, seed, what)
    x = as_batch(model, image, what).copy()  # (1, h, w, c)
    if steps < 0 or learning_rate <= 0:
        raise ValueError(f"{what}: steps must be >= 0 and learning_rate > 0, got {steps} and {learning_rate}")
    for _ in range(int(steps)):
        img = Tensor(x, requires_grad=True)
        loss = mean_filter_activation(extractor(img, training=False), filter_index, border)
        (g,) = grad(loss, [img])
        g = g.data
        x += learning_rate * g / np.sqrt(max(float(np.sum(g * g)), 1e-12))  # one L2-normalised step
        if clip is not None:
            np.clip(x, clip[0], clip[1], out=x)
    return x[0]


def mean_filter_activation(activation, filter_index, border=2):
    """The quantity gradient ascent maximises: the mean of channel ``filter_index`` of a
    ``(batch, h, w, channels)`` activation, ``border`` pixels off each edge (when the map is
    larger than twice the border), or of a ``(batch, ..., channels)`` activation of another rank.

    Examples:
        >>> import numpy as np
        >>> from dl_tensor import Tensor
        >>> a = Tensor(np.arange(2 * 6 * 6 * 3, dtype=np.float32).reshape(2, 6, 6, 3))
        >>> float(mean_filter_activation(a, 1, border=2).data) == float(a.data[:, 2:4, 2:4, 1].mean())
        True
    """
    if activation.ndim == 4 and border > 0 and min(activation.shape[1:3]) > 2 * border:
        return activation[:, border:-border, border:-border, filter_index].mean()
    return activation[..., filter_index].mean()


def _check_filter(layer, filter_index, what):
    shape = output_shape(layer)
    channels = shape[-1]
    if len(shape) < 2 or channels is None:
        raise ValueError(f"{what}: layer '{layer.name}' has output shape {shape}; it needs a last (channel) axis")
    if not isinstance(filter_index, int | np.integer) or not 0 <= filter_index < channels:
        raise ValueError(f"{what}: filter_index must be an integer in [0, {channels}) for layer '{layer.name}' "
                         f"({channels} filters), got {filter_index!r}")
    return channels


def _start_image(model, size, seed, what, start=(0.4, 0.6)):
    """The book's start: uniform noise in [0.4, 0.6], the size of one input sample."""
    shape = list(model_inputs(model, what)[0].shape[1:])  # (h, w, c) with None for open axes
    open_axes = [i for i, d in enumerate(shape) if d is None]
    if open_axes:
        if size is None or len(size) != len(open_axes):
            raise ValueError(f"{what}: the model's input {tuple(shape)} leaves {len(open_axes)} axes open; "
                             f"give size= with {len(open_axes)} numbers")
        for i, d in zip(open_axes, size):
            shape[i] = int(d)
    elif size is not None and tuple(size) != tuple(shape[: len(size)]):
        raise ValueError(f"{what}: size={tuple(size)} does not match the model's input {tuple(shape)}")
    rng = np.random.default_rng(seed) if seed is not None else random.get_rng()
    return rng.uniform(start[0], start[1], size=shape).astype(np.float32)


def deprocess_image(image, crop=0) -> np.ndarray:
    """A raw pattern made displayable, as the book does: standardise, scale to mean 128 and
    std 64, clip to [0, 255], cut ``crop`` pixels off each edge.

    Args:
        image: ``(h, w, c)`` or ``(h, w)`` floats.
        crop: border pixels to drop (the book drops 25 of its 200).

    Returns:
        uint8 array of the same rank.

    Examples:
        >>> deprocess_image(np.linspace(0.0, 1.0, 48).reshape(4, 4, 3), crop=1).shape
        (2, 2, 3)
    """
    a = np.asarray(image, dtype=np.float64)
    if a.ndim not in (2, 3):
        raise ValueError(f"deprocess_image: expected an image (h, w) or (h, w, c), got shape {a.shape}")
    std = a.std()
    a = (a - a.mean()) / (std if std > 0 else 1.0) * 64.0 + 128.0
    a = np.clip(a, 0, 255).astype(np.uint8)
    if crop:
        if 2 * crop >= min(a.shape[:2]):
            raise ValueError(f"deprocess_image: crop={crop} leaves nothing of a {a.shape[:2]} image")
        a = a[crop:-crop, crop:-crop]
    return a


def plot_filters(model, layer_name, filter_indices=None, steps=30, learning_rate=10.0, size=None, ncols=8, crop=0,
                 seed=0, panel_size=1.4, clip=None, start=(0.4, 0.6)):
    """A grid of filter patterns of one layer (the first 16 filters by default).

    Args:
        model: a built dl_layers model with one image-like input.
        layer_name: the layer whose filters are drawn.
        filter_indices: which filters (default: up to the first 16).
        steps: gradient-ascent steps per filter (as ``filter_pattern``).
        learning_rate: the length of each step (as ``filter_pattern``).
        size: ``(height, width)`` of the images when the model's input leaves them open (as
            ``filter_pattern``).
        ncols: panels per row.
        crop: border pixels dropped from each displayed pattern.
        seed: the starting noise of filter ``i`` uses seed ``seed + i``.
        panel_size: the size of each panel, in inches.
        clip: ``(low, high)`` range the images are kept in, or None (as ``filter_pattern``).
        start: the range of the uniform starting noise (the book's (0.4, 0.6) by default).

    Returns:
        A Figure with one panel per filter, titled with its index.

    Examples:
        >>> from dl_layers import Dense, Input, Model
        >>> inputs = Input(shape=(6, 6, 3))
        >>> model = Model(inputs, Dense(4, activation="relu", name="pixels")(inputs))
        >>> len(plot_filters(model, "pixels", steps=3).axes)
        4
    """
    layer = find_layer(model, layer_name, "plot_filters")
    channels = _check_filter(layer, 0, "plot_filters")
    indices = list(range(min(channels, 16))) if filter_indices is None else [int(i) for i in filter_indices]
    fig, axes = new_grid(len(indices), ncols, panel_size=panel_size, title=f"filter patterns of '{layer_name}'")
    for ax, index in zip(axes, indices):
        noise = _start_image(model, size, seed + index, "plot_filters", start)
        pattern = filter_pattern(model, layer_name, index, steps=steps, learning_rate=learning_rate, image=noise,
                                 clip=clip)
        shown = deprocess_image(pattern, crop=crop)
        ax.imshow(shown[..., 0] if shown.ndim == 3 and shown.shape[-1] == 1 else shown,
                  cmap="gray" if shown.ndim == 2 or shown.shape[-1] == 1 else None)
        ax.set_title(str(index), fontsize=8)
    return fig
