"""A model as a graph of layers: the picture ``keras.utils.plot_model`` draws, without Graphviz.

The book shows models as boxes and arrows: one box per layer ("name (ClassName)" and its
output shape, the batch axis ``None``), an arrow from each layer to the layers that read its
output. A ``Sequential`` model is a single chain; a functional model may branch and merge
(several inputs, a ``Concatenate``, several heads). ``layer_graph`` reads the graph of layer
calls a built model keeps; ``plot_model`` lays it out in rows, each layer one row below the
deepest layer it reads from (the inputs at the top), and draws it with matplotlib.
"""

from __future__ import annotations

from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Text

from dl_layers import Model

from .figure_utils import new_axes

# Layout in "design inches": boxes are sized for text of _FONT_SIZE points; drawn in a panel of
# another size, the text grows or shrinks with the drawing (see _BoxText).
_FONT_SIZE = 9.0
_CHAR_WIDTH = 0.62  # average width of a character, in ems (DejaVu Sans, with some slack)
_LINE_HEIGHT = 1.4  # in ems
_PAD_X, _PAD_Y = 0.14, 0.09  # inside a box, inches
_MAX_FIGSIZE = 40.0  # inches per side; a bigger graph is drawn smaller

_LAYER_COLOR = "#dbe9f6"
_INPUT_COLOR = "#e3f4e1"
_EDGE_COLOR = "#4a4a4a"


def _class_name(layer) -> str:
    """Keras's name for the layer's type: "Functional" for a plain ``Model(inputs, outputs)``."""
    return "Functional" if type(layer) is Model else type(layer).__name__


def _as_shapes(kts: list):
    """One shape tuple for one output, a list of tuples for several."""
    shapes = [tuple(kt.shape) for kt in kts]
    return shapes[0] if len(shapes) == 1 else shapes


def _as_dtypes(kts: list):
    dtypes = [kt.dtype for kt in kts]
    return dtypes[0] if len(dtypes) == 1 else dtypes


def _shape_text(shape) -> str:
    """``(None, 10)``; several shapes joined by commas."""
    if isinstance(shape, list):
        return ", ".join(str(tuple(s)) for s in shape)
    return str(tuple(shape))


def _check_model(model, what: str):
    """The model's ``FunctionalGraph``, or a clear error."""
    if not isinstance(model, Model):
        raise TypeError(f"{what}: model must be a dl_layers Model (Sequential or functional), "
                        f"got {type(model).__name__}")
    graph = model._graph
    if graph is None:
        raise ValueError(
            f"{what}: model '{model.name}' has no graph of layers yet; build it first: call it on data (or fit "
            "it), start it with Input(shape=...), or give its first layer an input_shape. A subclassed Model "
            "has no layer graph to draw (its call() is Python code)"
        )
    return graph


def layer_graph(model) -> tuple[list[dict], list[tuple[str, str]]]:
    """The layers of a built model and the connections between them.

    Each layer is one node, even when it is called several times (a shared layer) or is a
    whole model used as a layer. A layer's ``depth`` is the longest path from an input to
    it (inputs at 0; a shared layer takes the depth of its deepest call), its ``column`` its
    place in its row, ordered to keep arrows short. The output shape is the one of the
    layer's first call in the graph.

    Args:
        model: a built ``Sequential`` or functional ``Model`` (one with a graph of layer calls).

    Returns:
        ``(nodes, edges)``: ``nodes`` lists one dict per layer, in the model's layer order
        (InputLayers first), with keys "name", "class_name", "output_shape" (a tuple, or a
        list of tuples for several outputs), "dtype", "depth" and "column"; ``edges`` lists
        ``(source layer name, target layer name)`` pairs, each once.

    Raises:
        TypeError: if ``model`` is not a dl_layers Model.
        ValueError: if it has no graph yet (an unbuilt Sequential, a subclassed Model), or
            two of its layers share a name.

    Examples:
        >>> from dl_layers import Dense, Sequential
        >>> model = Sequential([Dense(8, input_shape=(4,), name="hidden"), Dense(1, name="score")])
        >>> nodes, edges = layer_graph(model)
        >>> [(n["class_name"], n["output_shape"], n["depth"]) for n in nodes]
        [('InputLayer', (None, 4), 0), ('Dense', (None, 8), 1), ('Dense', (None, 1), 2)]
        >>> edges[1:]
        [('hidden', 'score')]
    """
    return _layer_graph(model, "layer_graph")


def _layer_graph(model, what: str):
    graph = _check_model(model, what)
    layers = list(graph.layers)
    index = {id(layer): i for i, layer in enumerate(layers)}
    names = [layer.name for layer in layers]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"{what}: model '{model.name}' has several layers named {twice}; layer names "
                         "must be unique to draw the graph")

    depth = [0] * len(layers)
    outputs = [None] * len(layers)  # the KerasTensors of each layer's first call
    call_depth = {}  # id(node) -> longest path from an input, over the calls (a DAG even with shared layers)
    for kt in graph.flat_inputs:
        call_depth[id(kt.node)] = 0
        outputs[index[id(kt.node.layer)]] = kt.node.flat_outputs
    edges, seen_edges = [], set()
    for node in graph.nodes:  # in run order: every call after the calls it reads from
        d = 1 + max((call_depth[id(kt.node)] for kt in node.flat_inputs), default=-1)
        call_depth[id(node)] = d
        i = index[id(node.layer)]
        depth[i] = max(depth[i], d)
        if outputs[i] is None:
            outputs[i] = node.flat_outputs
        for kt in node.flat_inputs:
            edge = (kt.node.layer.name, node.layer.name)
            if edge not in seen_edges:
                seen_edges.add(edge)
                edges.append(edge)

    by_name = {name: i for i, name in enumerate(names)}
    _, rank, _ = _order(depth, [(by_name[a], by_name[b]) for a, b in edges])
    columns = _columns(depth, rank)
    nodes = [
        {
            "name": layer.name,
            "class_name": _class_name(layer),
            "output_shape": _as_shapes(outputs[i]),
            "dtype": _as_dtypes(outputs[i]),
            "depth": depth[i],
            "column": columns[i],
        }
        for i, layer in enumerate(layers)
    ]
    return nodes, edges


def plot_model(model, show_shapes=True, show_layer_names=True, show_dtype=False, rankdir="TB", ax=None,
               figsize=None):
    """Draw a built model's layers as boxes and its connections as arrows (Keras's ``plot_model``).

    Args:
        model: a built ``Sequential`` or functional ``Model``.
        show_shapes: write each layer's output shape, e.g. ``(None, 10)``.
        show_layer_names: write "name (ClassName)"; False writes the class name only.
        show_dtype: write each layer's output dtype.
        rankdir: "TB" draws the inputs at the top and the outputs at the bottom, "LR" from
            left to right.
        ax: a matplotlib Axes to draw in; None makes a new figure.
        figsize: ``(width, height)`` of the new figure in inches; None sizes it to the graph.

    Returns:
        The matplotlib ``Figure``. Its panel holds one box (patch) and one text per layer,
        then one arrow (an ``Annotation`` with empty text) per edge of ``layer_graph``; an
        edge that spans several rows is a line (in ``ax.lines``) between them ending in its arrow.

    Examples:
        >>> from dl_layers import Dense, Input, Model
        >>> inputs = Input(shape=(4,), name="features")
        >>> score = Dense(1, name="score")(Dense(8, activation="relu", name="hidden")(inputs))
        >>> fig = plot_model(Model(inputs, score))
        >>> ax = fig.axes[0]
        >>> len(ax.patches)
        3
        >>> print(ax.texts[1].get_text())
        hidden (Dense)
        (None, 8)
    """
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"plot_model: rankdir must be 'TB' (top to bottom) or 'LR' (left to right), "
                         f"got {rankdir!r}")
    _check_figsize(figsize, "plot_model")
    nodes, edges = _layer_graph(model, "plot_model")
    texts = []
    for node in nodes:
        lines = [f"{node['name']} ({node['class_name']})" if show_layer_names else node["class_name"]]
        if show_shapes:
            lines.append(_shape_text(node["output_shape"]))
        if show_dtype:
            dtype = node["dtype"]
            lines.append(", ".join(dtype) if isinstance(dtype, list) else dtype)
        texts.append("\n".join(lines))
    colors = [_INPUT_COLOR if node["class_name"] == "InputLayer" else _LAYER_COLOR for node in nodes]
    by_name = {node["name"]: i for i, node in enumerate(nodes)}
    return _draw_layered(
        "plot_model", texts, colors, [0.08] * len(nodes), [node["depth"] for node in nodes],
        [(by_name[a], by_name[b]) for a, b in edges], rankdir, ax, figsize,
        gaps=(0.35, 0.45) if rankdir == "TB" else (0.25, 0.5),
    )


# -- layered drawing, shared with graph_plot ----------------------------------------------------
# Nodes sit in rows by depth. An edge that spans several rows passes through one placeholder
# ("dummy") per row in between, which takes a narrow slot in that row: the rows are ordered with
# the placeholders, so such an arrow runs between the boxes instead of through them.
_DUMMY_SLOT = 0.5  # the share of a row a passing arrow takes when ordering (a box takes 1)
_DUMMY_ACROSS = 0.1  # inches it takes when placing


def _order(depth: list, edges: list) -> tuple[list, list, list]:
    """``(depth_all, rank_all, routes)``: the nodes followed by the placeholders of long edges,
    each item's depth and rank in its row, and for each edge the items it goes through.

    Rows are ordered from depth 0 outward: an item's place is the mean position of its
    neighbours in rows already ordered (so that arrows stay short and do not cross), ties and
    items without such neighbours keeping their order in the list.
    """
    depth_all = list(depth)
    neighbours = [[] for _ in depth]
    routes = []
    for s, t in edges:
        route = [s]
        if s != t:
            step = 1 if depth[t] > depth[s] else -1
            for d in range(depth[s] + step, depth[t], step):  # rows strictly between
                depth_all.append(d)
                neighbours.append([])
                route.append(len(depth_all) - 1)
        route.append(t)
        for a, b in zip(route, route[1:]):
            if a != b:
                neighbours[a].append(b)
                neighbours[b].append(a)
        routes.append(route)
    slot = [1.0] * len(depth) + [_DUMMY_SLOT] * (len(depth_all) - len(depth))
    rows = {}
    for i, d in enumerate(depth_all):
        rows.setdefault(d, []).append(i)
    position, rank = {}, [0] * len(depth_all)
    for d in sorted(rows):
        row = rows[d]
        natural = _place([slot[i] for i in row], gap=0.0)

        def key(k, row=row, natural=natural):
            placed = [position[j] for j in neighbours[row[k]] if j in position]
            return (sum(placed) / len(placed) if placed else natural[k], k)

        ordered = [row[k] for k in sorted(range(len(row)), key=key)]
        for r, (i, p) in enumerate(zip(ordered, _place([slot[i] for i in ordered], gap=0.0))):
            rank[i] = r
            position[i] = p
    return depth_all, rank, routes


def _place(sizes: list, gap: float) -> list:
    """Centers of items of ``sizes`` side by side, ``gap`` apart, the row centered on 0."""
    total = sum(sizes) + gap * (len(sizes) - 1)
    centers, x = [], -total / 2
    for size in sizes:
        centers.append(x + size / 2)
        x += size + gap
    return centers


def _columns(depth: list, rank: list) -> list:
    """Each node's place among the nodes of its row (placeholders left out)."""
    columns = [0] * len(depth)
    rows = {}
    for i, d in enumerate(depth):
        rows.setdefault(d, []).append(i)
    for row in rows.values():
        for c, i in enumerate(sorted(row, key=lambda i: rank[i])):
            columns[i] = c
    return columns


def _text_box_size(text: str, fontsize: float = _FONT_SIZE) -> tuple[float, float]:
    """``(width, height)`` in inches of a box that holds ``text`` at ``fontsize`` points."""
    lines = text.split("\n")
    em = fontsize / 72.0
    width = max(len(line) for line in lines) * _CHAR_WIDTH * em + 2 * _PAD_X
    height = len(lines) * _LINE_HEIGHT * em + 2 * _PAD_Y
    return width, height


def _draw_layered(what, texts, colors, roundings, depth, edges, direction, ax, figsize, gaps, min_size=(0.0, 0.0)):
    """Draw nodes (boxes with ``texts``) in rows by ``depth`` and ``edges`` as arrows; return the Figure.

    ``direction`` is where the rows go: "TB" down, "LR" right, "RL" left (depth 0 on the
    right). ``gaps`` are ``(across, along)``: inches between boxes of a row, and between
    rows. A rounding of None draws a pill (half-circle ends).
    """
    sizes = [_text_box_size(text) for text in texts]
    sizes = [(max(w, min_size[0]), max(h, min_size[1])) for w, h in sizes]
    vertical = direction == "TB"
    depth_all, rank, routes = _order(depth, edges)
    n = len(depth)
    along_size = [h if vertical else w for w, h in sizes]
    pitch = max(along_size) + gaps[1]
    band = max(along_size)  # a placeholder spans its row's band
    item_sizes = sizes + [(0.0, band) if vertical else (band, 0.0)] * (len(depth_all) - n)
    across_size = [w if vertical else h for w, h in sizes] + [_DUMMY_ACROSS] * (len(depth_all) - n)
    rows = {}
    for i, d in enumerate(depth_all):
        rows.setdefault(d, []).append(i)
    centers = [None] * len(depth_all)
    for d, row in rows.items():
        row = sorted(row, key=lambda i: rank[i])
        along = {"TB": -d * pitch, "LR": d * pitch, "RL": -d * pitch}[direction]
        for i, offset in zip(row, _place([across_size[i] for i in row], gaps[0])):
            centers[i] = (offset, along) if vertical else (along, -offset)

    margin = 0.15
    xmin = min(x - w / 2 for (x, _), (w, _) in zip(centers, item_sizes)) - margin
    xmax = max(x + w / 2 for (x, _), (w, _) in zip(centers, item_sizes)) + margin
    ymin = min(y - h / 2 for (_, y), (_, h) in zip(centers, item_sizes)) - margin
    ymax = max(y + h / 2 for (_, y), (_, h) in zip(centers, item_sizes)) + margin
    if any(s == t for s, t in edges):  # room for the loops beside the boxes
        if vertical:
            xmax += 0.3
        else:
            ymax += 0.3
    fig, ax = _canvas(ax, figsize, (xmin, xmax, ymin, ymax), what)
    for text, color, rounding, center, size in zip(texts, colors, roundings, centers, sizes):
        _draw_box(ax, center, size, text, color, size[1] / 2 if rounding is None else rounding)
    for route in routes:
        _draw_route(ax, [centers[i] for i in route], [item_sizes[i] for i in route], vertical)
    return fig


def _check_figsize(figsize, what: str) -> None:
    if figsize is None:
        return
    ok = isinstance(figsize, tuple | list) and len(figsize) == 2
    ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in figsize)
    if not ok:
        raise ValueError(f"{what}: figsize must be (width, height) in inches, two positive numbers, got {figsize!r}")


def _canvas(ax, figsize, extent, what: str):
    """``(fig, ax)``: the panel (a new figure sized to ``extent`` if ``ax`` is None), its limits
    set to ``extent`` (design inches) with equal scales, axis off."""
    xmin, xmax, ymin, ymax = extent
    if ax is None:
        if figsize is None:
            figsize = (min(max(xmax - xmin, 2.0), _MAX_FIGSIZE), min(max(ymax - ymin, 1.2), _MAX_FIGSIZE))
        fig, ax = new_axes(None, figsize)
    else:
        if not hasattr(ax, "add_patch") or not hasattr(ax, "figure"):
            raise TypeError(f"{what}: ax must be a matplotlib Axes, got {type(ax).__name__}")
        fig, ax = new_axes(ax)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal", adjustable="box")  # boxes keep their proportions in any panel
    ax.set_axis_off()
    return fig, ax


class _BoxText(Text):
    """A box's text, sized when drawn to the box's scale: a design inch of the layout gets
    ``_FONT_SIZE`` points per inch it takes on the canvas, so the text fits its box whatever
    the size of the panel (a graph too big for its figure is drawn smaller, text included)."""

    def draw(self, renderer):
        if self.axes is not None:
            (x0, _), (x1, _) = self.axes.transData.transform([(0.0, 0.0), (1.0, 0.0)])
            size = max(_FONT_SIZE * abs(x1 - x0) / self.figure.dpi, 1.0)
            if abs(size - self.get_fontsize()) > 1e-3:
                self.set_fontsize(size)
        super().draw(renderer)


def _draw_box(ax, center, size, text, color, rounding):
    """A filled box of ``size`` centered at ``center`` (data units), with ``text`` in it."""
    (x, y), (w, h) = center, size
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=f"round,pad=0,rounding_size={rounding}",
                                facecolor=color, edgecolor=_EDGE_COLOR, linewidth=1.0, zorder=2))
    ax.add_artist(_BoxText(x, y, text, ha="center", va="center", fontsize=_FONT_SIZE, zorder=3, linespacing=1.25))


def _ends(a, a_size, b, b_size, vertical: bool):
    """Where a line from box ``a`` to box ``b`` leaves ``a`` and enters ``b``: through the sides
    facing the next row (or, within a row, the sides facing each other)."""
    (xa, ya), (wa, ha) = a, a_size
    (xb, yb), (wb, hb) = b, b_size
    if (vertical and yb != ya) or (not vertical and xb == xa):
        s = 1 if yb > ya else -1
        return (xa, ya + s * ha / 2), (xb, yb - s * hb / 2)
    s = 1 if xb > xa else -1
    return (xa + s * wa / 2, ya), (xb - s * wb / 2, yb)


def _draw_route(ax, centers: list, sizes: list, vertical: bool) -> None:
    """One edge: a line through its placeholders, then an arrow (an ``Annotation``) into the target."""
    props = {"arrowstyle": "-|>", "color": _EDGE_COLOR, "linewidth": 1.0, "shrinkA": 0, "shrinkB": 0,
             "mutation_scale": 10}
    if len(centers) == 2 and centers[0] == centers[1]:  # a layer reading its own output: a loop beside it
        (x, y), (w, h) = centers[0], sizes[0]
        if vertical:
            start, end = (x + w / 2, y + h / 4), (x + w / 2, y - h / 4)
        else:
            start, end = (x - w / 4, y + h / 2), (x + w / 4, y + h / 2)
        ax.annotate("", xy=end, xytext=start, zorder=1, arrowprops={**props, "connectionstyle": "arc3,rad=-1.6"})
        return
    points = []
    for a, b, a_size, b_size in zip(centers, centers[1:], sizes, sizes[1:]):
        points.extend(_ends(a, a_size, b, b_size, vertical))
    if len(points) > 2:  # through placeholders: the line up to the last one
        xs, ys = zip(*points[:-1])
        ax.plot(xs, ys, color=_EDGE_COLOR, linewidth=1.0, zorder=1, solid_joinstyle="round")
    ax.annotate("", xy=points[-1], xytext=points[-2], zorder=1, arrowprops=props)
