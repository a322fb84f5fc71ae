"""The limits of deep learning, made visible and measured (chapter 8 of the first edition).

A model maps inputs to outputs by a smooth geometric transformation fitted to its training
data; it does not understand them. Two ways to see it:

* **Adversarial examples.** Move each input value by a tiny ``epsilon`` in the direction
  that raises the loss most (the sign of the loss's gradient with respect to the input:
  the *fast gradient sign method*). The change is too small to see, yet accuracy falls
  as ``epsilon`` grows, and inputs are classified wrongly with high confidence.
* **Confidence far from the training data.** A softmax classifier always picks a class.
  Shown noise, or pictures of another kind, it often answers as confidently as on its
  test data: its confidence says nothing about whether the input is like anything it saw.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from dl_layers import losses
from dl_tensor import Tensor, grad, no_grad

from .figure_utils import new_axes
from .submodel import as_batch, model_inputs


def _loss(model, loss):
    """The loss as a ``Loss`` (its ``call`` gives per-sample values): ``loss``, else the model's
    compiled loss, else sparse categorical cross-entropy."""
    if loss is None:
        loss = getattr(model, "loss", None)
        if isinstance(loss, dict | list | tuple):
            raise ValueError(f"model '{model.name}' was compiled with one loss per output; give loss= for the one "
                             "output dl-viz looks at")
        if loss is None:
            loss = "sparse_categorical_crossentropy"
    loss = losses.get(loss)
    if not isinstance(loss, losses.Loss):
        raise TypeError(f"loss must be a loss name, a Loss or a function (y_true, y_pred), got {loss!r}")
    return loss


def input_gradient(model, x, y, loss=None) -> np.ndarray:
    """d loss / d input for a batch: how each input value should move to raise the loss.

    Args:
        model: a built dl_layers model with one input.
        x: a batch (or one sample) of inputs.
        y: their labels (class indices by default; whatever ``loss`` takes).
        loss: a loss name or object; default the model's compiled loss, else
            "sparse_categorical_crossentropy".

    Returns:
        float32 array shaped like the batch of ``x``.

    Examples:
        >>> from dl_layers import Dense, Sequential
        >>> model = Sequential([Dense(3, activation="softmax", input_shape=(4,))])
        >>> input_gradient(model, np.ones((2, 4)), np.array([0, 2])).shape
        (2, 4)
    """
    batch = as_batch(model, x, "input_gradient", "x")
    labels = np.asarray(y)
    if labels.ndim == 0:
        labels = labels[None]
    if labels.shape[0] != batch.shape[0]:
        raise ValueError(f"input_gradient: {batch.shape[0]} inputs but {labels.shape[0]} labels")
    inputs = Tensor(batch, requires_grad=True)
    per_sample = _loss(model, loss).call(labels, model(inputs, training=False))  # (n,), whatever the reduction
    (g,) = grad(per_sample.sum(), [inputs])  # a sample's input only moves its own loss: each its own gradient
    return g.data


def adversarial_example(model, x, label, epsilon, loss=None, clip=None) -> np.ndarray:
    """The fast gradient sign method: ``x + epsilon * sign(d loss / d x)``.

    Args:
        model: a trained dl_layers classifier with one input.
        x: one input or a batch.
        label: its true label(s).
        epsilon: the size of the change of every input value (e.g. 0.1 for pixels in [0, 1]).
        loss: as ``input_gradient``.
        clip: ``(low, high)`` to keep the result a valid input (e.g. ``(0, 1)``), or None.

    Returns:
        The perturbed input(s), shaped and typed like ``x`` (float32).

    Examples:
        >>> from dl_layers import Dense, Sequential
        >>> model = Sequential([Dense(3, activation="softmax", input_shape=(4,))])
        >>> x = np.full(4, 0.5)
        >>> x_adv = adversarial_example(model, x, 1, epsilon=0.1, clip=(0, 1))
        >>> x_adv.shape, round(float(np.abs(x_adv - x).max()), 4)
        ((4,), 0.1)
    """
    if not np.isscalar(epsilon) or epsilon < 0:
        raise ValueError(f"adversarial_example: epsilon must be a number >= 0, got {epsilon!r}")
    single = np.ndim(x) == len(model_inputs(model, "adversarial_example")[0].shape) - 1
    batch = as_batch(model, x, "adversarial_example", "x")
    moved = batch + np.float32(epsilon) * np.sign(input_gradient(model, batch, label, loss))
    if clip is not None:
        low, high = clip
        moved = np.clip(moved, low, high)
    moved = moved.astype(np.float32)
    return moved[0] if single else moved


def predict_batches(model, x, batch_size=256) -> np.ndarray:
    """The model's outputs for ``x`` in batches, in inference mode, without a graph."""
    batch = as_batch(model, x, "predict_batches", "x")
    with no_grad():
        return np.concatenate([np.asarray(model(batch[i:i + batch_size], training=False).data)
                               for i in range(0, len(batch), batch_size)])


def adversarial_accuracy(model, x, y, epsilons, loss=None, clip=None, batch_size=256) -> np.ndarray:
    """Accuracy on adversarial versions of ``(x, y)``, one figure per epsilon.

    Args:
        model: a trained classifier.
        x: inputs ``(n, ...)``.
        y: integer labels ``(n,)``.
        epsilons: the perturbation sizes (0 gives the plain accuracy).
        loss: as ``adversarial_example``.
        clip: as ``adversarial_example``.
        batch_size: inputs per gradient computation.

    Returns:
        float ``(len(epsilons),)``: the fraction classified correctly at each epsilon.

    Examples:
        >>> from dl_layers import Dense, Sequential
        >>> model = Sequential([Dense(2, activation="softmax", input_shape=(3,))])
        >>> adversarial_accuracy(model, np.eye(3), np.array([0, 1, 0]), [0.0, 0.5]).shape
        (2,)
    """
    batch = as_batch(model, x, "adversarial_accuracy", "x")
    labels = np.asarray(y)
    if labels.ndim != 1 or labels.shape[0] != batch.shape[0] or labels.dtype.kind not in "iu":
        raise ValueError(f"adversarial_accuracy: y must be {batch.shape[0]} integer labels, got shape "
                         f"{labels.shape} of dtype {labels.dtype}")
    accuracies = []
    for eps in np.atleast_1d(np.asarray(epsilons, dtype=np.float64)):
        correct = 0
        for i in range(0, len(batch), batch_size):
            xb, yb = batch[i:i + batch_size], labels[i:i + batch_size]
            moved = adversarial_example(model, xb, yb, float(eps), loss, clip) if eps > 0 else xb
            correct += int(np.sum(predict_batches(model, moved, batch_size).argmax(axis=-1) == yb))
        accuracies.append(correct / len(batch))
    return np.array(accuracies)


def prediction_confidence(model, x, from_logits=False, batch_size=256) -> np.ndarray:
    """How sure the model says it is: the top class probability for each input, ``(n,)``.

    Args:
        model: a classifier; x: inputs ``(n, ...)``.
        from_logits: apply a softmax to the model's outputs first.

    Examples:
        >>> from dl_layers import Dense, Sequential
        >>> model = Sequential([Dense(4, activation="softmax", input_shape=(2,))])
        >>> prediction_confidence(model, np.zeros((3, 2)))
        array([0.25, 0.25, 0.25], dtype=float32)
    """
    probs = predict_batches(model, x, batch_size).astype(np.float32)
    if from_logits:
        shifted = probs - probs.max(axis=-1, keepdims=True)
        probs = np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)
    return probs.max(axis=-1)


def plot_adversarial_accuracy(epsilons, accuracies, baseline=None, ax=None, figsize=(5, 3.5)):
    """Accuracy against epsilon (a line with markers), with an optional chance level.

    Examples:
        >>> fig = plot_adversarial_accuracy([0.0, 0.1, 0.2], [0.98, 0.6, 0.1], baseline=0.1)
        >>> len(fig.axes[0].lines)
        2
    """
    eps, acc = np.asarray(epsilons, dtype=float), np.asarray(accuracies, dtype=float)
    if eps.shape != acc.shape or eps.ndim != 1:
        raise ValueError(f"plot_adversarial_accuracy: epsilons and accuracies must be two equal-length lists, got "
                         f"shapes {eps.shape} and {acc.shape}")
    fig, ax = new_axes(ax, figsize)
    ax.plot(eps, acc, "o-", label="model")
    if baseline is not None:
        ax.axhline(baseline, color="grey", linestyle=":", label="chance")
    ax.set_xlabel("epsilon (change of each input value)")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.02)
    ax.legend()
    ax.set_title("accuracy on adversarial inputs")
    return fig


def plot_adversarial(model, x, label, epsilon, class_names=None, clip=(0.0, 1.0), loss=None, figsize=(8, 3)):
    """One input, the change, and the adversarial input, each titled with the prediction.

    Returns:
        A Figure of three panels: the original (prediction and confidence), the change
        ``x_adv - x`` (scaled to be visible), the adversarial input (its prediction).

    Examples:
        >>> from dl_layers import Dense, Flatten, Sequential
        >>> model = Sequential([Flatten(input_shape=(4, 4, 1)), Dense(2, activation="softmax")])
        >>> len(plot_adversarial(model, np.full((4, 4, 1), 0.5), 0, 0.05).axes)
        3
    """
    x = np.asarray(x, dtype=np.float32)
    x_adv = adversarial_example(model, x, label, epsilon, loss, clip)
    probs = predict_batches(model, np.stack([x, x_adv]))
    names = class_names if class_names is not None else [str(i) for i in range(probs.shape[-1])]
    if len(names) != probs.shape[-1]:
        raise ValueError(f"plot_adversarial: {len(names)} class_names for {probs.shape[-1]} classes")
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(1, 3)
    panels = [(x, f"original: {names[probs[0].argmax()]} ({probs[0].max():.0%})"),
              (x_adv - x, f"change (epsilon {epsilon:g})"),
              (x_adv, f"adversarial: {names[probs[1].argmax()]} ({probs[1].max():.0%})")]
    for ax, (img, title) in zip(axes, panels):
        img = img[..., 0] if img.ndim == 3 and img.shape[-1] == 1 else img
        if title.startswith("change"):
            ax.imshow(img, cmap="coolwarm", vmin=-abs(epsilon) or -1, vmax=abs(epsilon) or 1)
        else:
            ax.imshow(np.clip(img, 0, 1), cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=1)
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def plot_confidence(confidences, bins=20, ax=None, figsize=(6, 3.5)):
    """Histograms of top-class confidence for several sets of inputs (test data, noise...).

    Args:
        confidences: ``{name: array of confidences}`` (from ``prediction_confidence``).

    Examples:
        >>> fig = plot_confidence({"test": np.array([0.9, 0.98]), "noise": np.array([0.8, 0.96])})
        >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        ['test (mean 0.94)', 'noise (mean 0.88)']
    """
    if not isinstance(confidences, dict) or not confidences:
        raise ValueError("plot_confidence: give a non-empty dict {name: confidences}")
    fig, ax = new_axes(ax, figsize)
    edges = np.linspace(0.0, 1.0, bins + 1)
    for name, values in confidences.items():
        values = np.asarray(values, dtype=float)
        ax.hist(values, bins=edges, alpha=0.5, label=f"{name} (mean {values.mean():.2f})")
    ax.set_xlabel("confidence (top class probability)")
    ax.set_ylabel("inputs")
    ax.legend()
    return fig
