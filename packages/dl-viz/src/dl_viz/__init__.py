"""dl-viz: seeing what networks learn, on any dl-layers model, with matplotlib.

The book's three ways into a convnet (chapter 5): intermediate activations, filter
patterns and Grad-CAM heatmaps; training curves, embeddings and confusion matrices to
judge a model; drawings of a model's layer graph and of chapter 2's autodiff graph; and
the limits of deep learning (chapter 8 of the first edition), measured: adversarial
examples and confidence on inputs unlike the training data.

Every plotting function returns a matplotlib Figure and saves nothing unless asked:

    >>> import numpy as np
    >>> from dl_layers import Dense, Sequential
    >>> from dl_viz import activations, plot_history
    >>> model = Sequential([Dense(4, activation="relu", input_shape=(3,), name="hidden"), Dense(1)])
    >>> activations(model, np.ones((2, 3)), "hidden")["hidden"].shape
    (2, 4)
    >>> fig = plot_history({"loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.7, 0.8]})
    >>> type(fig).__name__
    'Figure'
"""

from .activations import activations, channel_images, plot_activations, tile
from .confusion import confusion_matrix, plot_confusion_matrix
from .embeddings import pca, plot_embeddings
from .figure_utils import new_axes, new_grid, save_figure
from .filters import deprocess_image, filter_pattern, mean_filter_activation, plot_filters
from .grad_cam import cam_from_gradients, grad_cam, overlay_heatmap, plot_grad_cam, resize_bilinear
from .graph_plot import graph_nodes, plot_graph
from .history import plot_history, read_history, smooth_curve
from .limits import (
    adversarial_accuracy,
    adversarial_example,
    input_gradient,
    plot_adversarial,
    plot_adversarial_accuracy,
    plot_confidence,
    prediction_confidence,
)
from .model_plot import layer_graph, plot_model
from .submodel import layer_names, layer_output_model

__version__ = "0.1.0"

__all__ = [
    "activations",
    "adversarial_accuracy",
    "adversarial_example",
    "cam_from_gradients",
    "channel_images",
    "confusion_matrix",
    "deprocess_image",
    "filter_pattern",
    "grad_cam",
    "graph_nodes",
    "input_gradient",
    "layer_graph",
    "layer_names",
    "layer_output_model",
    "mean_filter_activation",
    "new_axes",
    "new_grid",
    "overlay_heatmap",
    "pca",
    "plot_activations",
    "plot_adversarial",
    "plot_adversarial_accuracy",
    "plot_confidence",
    "plot_confusion_matrix",
    "plot_embeddings",
    "plot_filters",
    "plot_grad_cam",
    "plot_graph",
    "plot_history",
    "plot_model",
    "prediction_confidence",
    "read_history",
    "resize_bilinear",
    "save_figure",
    "smooth_curve",
    "tile",
]
