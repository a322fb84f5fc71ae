"""Grad-CAM: which parts of an image led the model to its decision (the book's third technique).

Take the output of a layer with spatial axes, ``A`` of shape ``(h, w, channels)``, and the
score of one class. The gradient of the score with respect to ``A``, averaged over the
spatial axes, says how much each channel matters for that class. Weighting every channel
of ``A`` by its importance and averaging over channels gives a ``(h, w)`` map of "how
intensely the input activates the class" at each place; negative values (evidence
against the class) are cut to zero and the map is scaled to [0, 1].

``overlay_heatmap`` upsamples the map to the image and blends it in, coloured, as the
book's pictures of the African elephants.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps

from dl_layers import Model
from dl_tensor import Tensor, grad

from .figure_utils import new_axes
from .submodel import as_batch, find_layer, layer_names, model_inputs, output_shape


def grad_cam(model, image, layer_name, class_index=None, return_scores=False):
    """The Grad-CAM class activation map of one image at one layer.

    Args:
        model: a built dl_layers model with one image input ``(h, w, c)`` and one output
            of class scores or probabilities ``(classes,)``.
        image: one image ``(h, w, c)`` (or a batch of one).
        layer_name: a layer whose output has spatial axes ``(batch, h', w', channels)``,
            usually the last convolution.
        class_index: the class to explain; None for the top predicted class.
        return_scores: also return the model's output for the image.

    Returns:
        float32 ``(h', w')`` in [0, 1] at the layer's resolution (all zeros if nothing in
        the image speaks for the class); with ``return_scores``, ``(heatmap, scores)``.

    Examples:
        >>> from dl_layers import Dense, Input, Lambda, Model
        >>> inputs = Input(shape=(4, 4, 1))
        >>> features = Dense(2, activation="relu", name="pixels")(inputs)         # (None, 4, 4, 2)
        >>> pooled = Lambda(lambda t: t.mean(axis=(1, 2)), name="gap")(features)  # (None, 2)
        >>> model = Model(inputs, Dense(3, activation="softmax")(pooled))
        >>> grad_cam(model, np.ones((4, 4, 1)), "pixels").shape
        (4, 4)
    """
    what = "grad_cam"
    layer = find_layer(model, layer_name, what)
    shape = output_shape(layer)
    if len(shape) != 4:
        spatial = [name for name in layer_names(model) if len(_shape_or_none(model, name)) == 4]
        raise ValueError(f"{what}: layer '{layer_name}' has output shape {shape}, without spatial axes "
                         f"(batch, height, width, channels); layers with them: {spatial}")
    batch = as_batch(model, image, what)
    if batch.shape[0] != 1:
        raise ValueError(f"{what}: explains one image at a time, got a batch of {batch.shape[0]}")
    outputs = model.outputs
    if len(outputs) != 1:
        raise ValueError(f"{what}: model '{model.name}' has {len(outputs)} outputs; give a model with one")
    sub = Model(model_inputs(model, what)[0], [layer.output, outputs[0]], name=f"{model.name}_grad_cam")
    x = Tensor(batch, requires_grad=True)  # makes a graph even if every weight is frozen
    features, scores = sub(x, training=False)  # (1, h', w', channels), (1, classes)
    if scores.ndim != 2:
        raise ValueError(f"{what}: the model's output has shape {scores.shape}; expected class scores (1, classes)")
    classes = scores.shape[1]
    if class_index is None:
        class_index = int(np.argmax(scores.data[0]))
    elif not isinstance(class_index, int | np.integer) or not 0 <= class_index < classes:
        raise ValueError(f"{what}: class_index must be an integer in [0, {classes}), got {class_index!r}")
    (g,) = grad(scores[:, int(class_index)].sum(), [features])
    if g is None:
        raise ValueError(f"{what}: the output does not depend on layer '{layer_name}'")
    heatmap = cam_from_gradients(features.data[0], g.data[0])
    return (heatmap, scores.data[0].copy()) if return_scores else heatmap


def cam_from_gradients(features, gradients) -> np.ndarray:
    """The map from a layer's output ``(h, w, channels)`` and the gradient of the class
    score with respect to it (same shape): channels weighted by their mean gradient,
    averaged, negatives cut, scaled to [0, 1].

    Examples:
        >>> a = np.zeros((2, 2, 2)); a[0, 1, 0] = 3.0; a[1, 0, 1] = 1.0
        >>> cam_from_gradients(a, np.ones((2, 2, 2)))
        array([[0.    , 1.    ],
               [0.3333, 0.    ]], dtype=float32)
    """
    features = np.asarray(features, dtype=np.float64)
    gradients = np.asarray(gradients, dtype=np.float64)
    if features.ndim != 3 or features.shape != gradients.shape:
        raise ValueError(f"cam_from_gradients: expected features and gradients of one shape (h, w, channels), "
                         f"got {features.shape} and {gradients.shape}")
    weights = gradients.mean(axis=(0, 1))  # (channels,): how much each channel matters for the class
    cam = np.maximum((features * weights).mean(axis=-1), 0.0)  # (h, w)
    top = cam.max()
    return (cam / top if top > 0 else cam).astype(np.float32)


def _shape_or_none(model, name):
    try:
        return output_shape(find_layer(model, name, "grad_cam"))
    except (ValueError, AttributeError):
        return ()


def resize_bilinear(image, size) -> np.ndarray:
    """Bilinear resampling of ``(h, w)`` or ``(h, w, c)`` to ``size = (H, W)`` (pixel
    centres aligned, as image libraries do); vectorised, no loop over pixels.

    Examples:
        >>> resize_bilinear(np.array([[0.0, 1.0]]), (1, 4))
        array([[0.  , 0.25, 0.75, 1.  ]])
    """
    a = np.asarray(image, dtype=np.float64)
    if a.ndim not in (2, 3):
        raise ValueError(f"resize_bilinear: expected (h, w) or (h, w, c), got shape {a.shape}")
    H, W = (int(s) for s in size)  # noqa: N806
    if H < 1 or W < 1:
        raise ValueError(f"resize_bilinear: size must be positive, got {tuple(size)}")

    def axis(n_in, n_out):
        pos = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)  # source coordinates
        lo = np.floor(pos).astype(np.intp)
        hi = np.minimum(lo + 1, n_in - 1)
        return lo, hi, pos - lo

    r0, r1, fr = axis(a.shape[0], H)
    c0, c1, fc = axis(a.shape[1], W)
    if a.ndim == 3:
        fr, fc = fr[:, None, None], fc[None, :, None]  # (H, 1, 1), (1, W, 1)
    else:
        fr, fc = fr[:, None], fc[None, :]  # (H, 1), (1, W)
    top = a[r0][:, c0] * (1 - fc) + a[r0][:, c1] * fc  # (H, W[, c])
    bottom = a[r1][:, c0] * (1 - fc) + a[r1][:, c1] * fc
    return top * (1 - fr) + bottom * fr


def overlay_heatmap(image, heatmap, alpha=0.4, colormap="jet") -> np.ndarray:
    """The heatmap upsampled to the image, coloured, and blended into it.

    Args:
        image: ``(h, w)``, ``(h, w, 1)`` or ``(h, w, 3)``; floats in [0, 1] or uint8/[0, 255].
        heatmap: ``(h', w')`` in [0, 1] (from ``grad_cam``).
        alpha: weight of the coloured heatmap (0: the image alone, 1: the heatmap alone).
        colormap: a matplotlib colour map name ("jet", as the book).

    Returns:
        uint8 RGB ``(h, w, 3)``.

    Examples:
        >>> overlay_heatmap(np.zeros((8, 8)), np.array([[0.0, 1.0], [0.5, 0.0]])).shape
        (8, 8, 3)
    """
    img = np.asarray(image, dtype=np.float64)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=-1)  # grey -> RGB (h, w, 3)
    if img.ndim != 3 or img.shape[-1] != 3:
        raise ValueError(f"overlay_heatmap: image must be (h, w), (h, w, 1) or (h, w, 3), got {np.shape(image)}")
    if np.asarray(image).dtype == np.uint8 or img.max() > 1.0:
        img = img / 255.0
    heat = np.asarray(heatmap, dtype=np.float64)
    if heat.ndim != 2:
        raise ValueError(f"overlay_heatmap: heatmap must be (h, w), got shape {heat.shape}")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"overlay_heatmap: alpha must be in [0, 1], got {alpha}")
    heat = np.clip(resize_bilinear(heat, img.shape[:2]), 0.0, 1.0)  # (h, w)
    coloured = colormaps[colormap](heat)[..., :3]  # (h, w, 3) RGB in [0, 1]
    blended = (1.0 - alpha) * np.clip(img, 0.0, 1.0) + alpha * coloured
    return np.round(blended * 255.0).astype(np.uint8)


def plot_grad_cam(image, heatmap, alpha=0.4, title=None, ax=None, figsize=(4, 4)):
    """Show ``overlay_heatmap(image, heatmap)`` in one panel; returns the Figure.

    Examples:
        >>> fig = plot_grad_cam(np.zeros((8, 8)), np.eye(2), title="class 1")
        >>> fig.axes[0].get_title()
        'class 1'
    """
    fig, ax = new_axes(ax, figsize)
    ax.imshow(overlay_heatmap(image, heatmap, alpha))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return fig
