"""Intermediate activations: what each layer makes of one input (the book's first technique).

``activations(model, x, names)`` runs one forward pass of a sub-model whose outputs are the
named layers' outputs, and returns them by name. ``plot_activations`` draws, for each
layer, every channel of its output as a small grey image, side by side, as the book does:
early layers keep most of the picture (edges, colours), deeper ones grow abstract and
sparse (many channels stay blank: the pattern they look for is not in this input).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from dl_tensor import no_grad

from .submodel import as_batch, find_layer, layer_names, layer_output_model, model_inputs, output_shape


def activations(model, x, layer_names=None) -> dict:
    """The outputs of the named layers for input ``x``, in one forward pass (inference mode).

    Args:
        model: a built dl_layers model (Sequential or functional) with one input.
        x: one sample (e.g. an image ``(h, w, c)``) or a batch ``(n, h, w, c)``.
        layer_names: a name, a list of names, or None for every layer.

    Returns:
        ``{name: array}``, each array with the batch axis: e.g. ``(n, h', w', channels)``.

    Examples:
        >>> import numpy as np
        >>> from dl_layers import Dense, Input, Model
        >>> inputs = Input(shape=(6, 6, 3))
        >>> hidden = Dense(4, activation="relu", name="pixels")(inputs)   # a 1x1 convolution
        >>> model = Model(inputs, Dense(2, name="scores")(hidden))
        >>> {name: a.shape for name, a in activations(model, np.ones((6, 6, 3)), "pixels").items()}
        {'pixels': (1, 6, 6, 4)}
    """
    names = _names(model, layer_names, "activations")
    sub = layer_output_model(model, names, "activations")
    batch = as_batch(model, x, "activations", "x")
    with no_grad():
        outputs = sub(batch, training=False)
    outputs = outputs if isinstance(outputs, list | tuple) else [outputs]
    return {name: np.asarray(out.data) for name, out in zip(names, outputs)}


def _names(model, names, what: str) -> list:
    model_inputs(model, what)
    if names is None:
        return layer_names(model)
    names = [names] if isinstance(names, str) else list(names)
    if not names:
        raise ValueError(f"{what}: layer_names is empty; the model's layers: {layer_names(model)}")
    for name in names:
        find_layer(model, name, what)
    return names


def channel_images(activation: np.ndarray) -> np.ndarray:
    """One sample's activation as a stack of displayable channel images, as the book scales them.

    Each channel is standardised (mean 0, std 1), then scaled to mean 128 and std 64 and
    clipped to [0, 255]: weak and strong channels become equally visible. A constant
    channel stays a flat grey.

    Args:
        activation: ``(h, w, channels)`` (an image layer), ``(time, features)`` (a sequence)
            or ``(units,)`` (a dense layer).

    Returns:
        uint8 ``(channels, h, w)``; a sequence gives one ``(1, time, features)`` image and a
        dense layer one ``(1, 1, units)`` strip.

    Examples:
        >>> channel_images(np.arange(8.0).reshape(2, 2, 2)).shape
        (2, 2, 2)
    """
    a = np.asarray(activation, dtype=np.float64)
    if a.ndim == 3:
        stack = np.moveaxis(a, -1, 0)  # (h, w, c) -> (c, h, w)
    elif a.ndim == 2:
        stack = a[None]  # (time, features) -> (1, time, features)
    elif a.ndim == 1:
        stack = a[None, None]  # (units,) -> (1, 1, units)
    else:
        raise ValueError(f"channel_images: expected one sample's activation of rank 1 to 3, got shape {a.shape}")
    mean = stack.mean(axis=(1, 2), keepdims=True)
    std = stack.std(axis=(1, 2), keepdims=True)
    scaled = (stack - mean) / np.where(std > 0, std, 1.0) * 64.0 + 128.0
    return np.clip(scaled, 0, 255).astype(np.uint8)


def tile(images: np.ndarray, images_per_row: int = 16, gap: int = 1, fill=255) -> np.ndarray:
    """Lay ``(n, h, w)`` images out in one grid image, ``images_per_row`` per row, with lines
    of ``gap`` pixels between them; gaps and the missing cells of the last row hold ``fill``
    (white for uint8; NaN, drawn as background, for floats).

    Examples:
        >>> tile(np.zeros((5, 2, 3), np.uint8), images_per_row=2, gap=1).shape
        (8, 7)
    """
    n, h, w = images.shape
    cols = max(1, min(images_per_row, n))
    rows = -(-n // cols)  # ceil
    dtype = np.result_type(images.dtype, np.min_scalar_type(fill))
    padded = np.full((rows * cols, h + gap, w + gap), fill, dtype=dtype)
    padded[:n, :h, :w] = images
    grid = padded.reshape(rows, cols, h + gap, w + gap)  # (rows, cols, h+gap, w+gap)
    grid = grid.transpose(0, 2, 1, 3).reshape(rows * (h + gap), cols * (w + gap))  # (rows*(h+gap), cols*(w+gap))
    return grid[: grid.shape[0] - gap, : grid.shape[1] - gap]


def plot_activations(model, x, layer_names=None, images_per_row=16, max_channels=64, index=0, cmap="viridis",
                     figsize=None):
    """The book's picture of intermediate activations: per layer, every channel as an image.

    Args:
        model: a built dl_layers model with one input.
        x: one sample or a batch; ``index`` picks the sample of a batch shown.
        layer_names: a name, a list, or None for every layer.
        images_per_row: channels per row of each layer's grid.
        max_channels: at most this many channels per layer (the first ones).
        cmap: a matplotlib colour map ("viridis", as the book; "gray"...).
        figsize: default from the number of layers.

    Returns:
        A Figure with one panel per layer, titled with the layer name and its output shape.

    Examples:
        >>> from dl_layers import Dense, Input, Model
        >>> inputs = Input(shape=(6, 6, 3))
        >>> model = Model(inputs, Dense(5, activation="relu", name="pixels")(inputs))
        >>> fig = plot_activations(model, np.random.default_rng(0).random((6, 6, 3)))
        >>> [ax.get_title() for ax in fig.axes]
        ['pixels (6, 6, 5)']
    """
    if images_per_row < 1 or max_channels < 1:
        raise ValueError(f"plot_activations: images_per_row and max_channels must be >= 1, got {images_per_row} "
                         f"and {max_channels}")
    outputs = activations(model, x, layer_names)
    n = next(iter(outputs.values())).shape[0]
    if not -n <= index < n:
        raise IndexError(f"plot_activations: index {index} is out of range for a batch of {n}")
    grids = {}
    for name, out in outputs.items():
        images = channel_images(out[index])[:max_channels]
        grids[name] = tile(images.astype(np.float32), images_per_row, fill=np.nan)  # gaps drawn as background
    heights = [max(g.shape[0] / max(g.shape[1], 1), 0.08) for g in grids.values()]
    if figsize is None:
        figsize = (10.0, min(sum(10.0 * h + 0.5 for h in heights), 40.0))
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(len(grids), 1, squeeze=False, height_ratios=heights)[:, 0]
    for ax, (name, grid) in zip(axes, grids.items()):
        shape = output_shape(find_layer(model, name, "plot_activations"))[1:]
        ax.imshow(grid, cmap=cmap, vmin=0, vmax=255, aspect="auto" if grid.shape[0] < 3 else "equal",
                  interpolation="nearest")
        ax.set_title(f"{name} {shape}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig
