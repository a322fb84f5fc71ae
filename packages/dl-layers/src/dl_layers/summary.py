"""``model.summary()``: one line per layer with its output shape and parameter count.

The counts follow the formulas Keras prints: a Dense layer has ``inputs * units + units``
parameters, a BatchNormalization ``4 * features`` (half of them non-trainable).
"""

from __future__ import annotations

from . import nest


def _shape_text(layer, node=None) -> str:
    try:
        if node is not None:
            shapes = nest.map_structure(lambda kt: kt.shape, node.outputs)
        else:
            shapes = layer.output_shape
    except (AttributeError, NotImplementedError, ValueError):
        return "?"
    return str(shapes)


def print_summary(model, line_length=None, print_fn=None) -> None:
    """Print (or pass to ``print_fn`` line by line) the table of ``model``'s layers."""
    print_fn = print_fn or print
    if not model.built:
        raise ValueError(
            f"Model '{model.name}' is not built yet, so its summary is unknown: give the first layer an "
            "input_shape, start with Input(shape=...), call build(input_shape), or fit it first"
        )
    graph = model._graph
    nodes = {}
    if graph is not None:
        for node in graph.nodes:
            nodes.setdefault(id(node.layer), []).append(node)
        for kt in graph.flat_inputs:
            nodes.setdefault(id(kt.node.layer), []).append(kt.node)
    is_sequential = type(model).__name__ == "Sequential"
    show_links = graph is not None and not is_sequential and len(graph.layers) > 0 and any(
        len(n.flat_inputs) > 1 or len(nodes.get(id(n.layer), [])) > 1 for n in graph.nodes)
    widths = [32, 25, 12] + ([30] if show_links else [])
    if line_length:
        widths[0] = max(20, line_length - sum(widths[1:]))
    total = sum(widths)
    headers = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if show_links else [])

    def row(cells):
        text = ""
        for cell, width in zip(cells, widths):
            text += (" " + str(cell))[:width].ljust(width)
        return text.rstrip()

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * total)
    print_fn(row(headers))
    print_fn("=" * total)
    layers = model.layers
    for i, layer in enumerate(layers):
        layer_nodes = nodes.get(id(layer), [None])
        params = sum(v.data.size for v in layer.weights) if layer.built else 0
        for j, node in enumerate(layer_nodes):
            links = ""
            if show_links and node is not None and node.flat_inputs:
                links = ", ".join(f"{kt.node.layer.name}" for kt in node.flat_inputs)
            cells = [f"{layer.name} ({type(layer).__name__})" if j == 0 else "", _shape_text(layer, node),
                     params if j == 0 else ""]
            print_fn(row(cells + ([links] if show_links else [])))
        if i < len(layers) - 1:
            print_fn("")
    trainable = sum(v.data.size for v in model.trainable_weights)
    everything = sum(v.data.size for v in model.weights)
    print_fn("=" * total)
    print_fn(f"Total params: {everything:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {everything - trainable:,}")
    print_fn("_" * total)
