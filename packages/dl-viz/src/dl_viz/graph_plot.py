"""The computation graph that ``backward`` walks (chapter 2's automatic differentiation).

Every operation on tensors that need gradients is recorded: the result remembers the op
that made it (``tensor._op``) and the op remembers its inputs (``op.inputs``). Together they
form a graph from the inputs and parameters to the loss; ``loss.backward()`` walks it from
the loss back to every parameter, applying the chain rule at each op. ``graph_nodes``
collects that graph from a tensor; ``plot_graph`` draws it, inputs on the left and the
output on the right, with the parameters (leaves that require gradients) highlighted.

``backward`` frees the arrays each op had saved for it, not the graph's links, so the graph
can still be drawn after ``backward``. A tensor computed while no input needed a gradient
(or under ``no_grad()``) records nothing: it is a leaf, and its graph is that one tensor.
"""

from __future__ import annotations

from collections import deque

from dl_tensor import Tensor

from .model_plot import _check_figsize, _columns, _draw_layered, _order

_TENSOR_COLOR = "#f1f1f1"
_PARAMETER_COLOR = "#ffd8a8"
_OUTPUT_COLOR = "#b2f2bb"
_OP_COLOR = "#d0ebff"


def _check_names(names, what: str) -> dict:
    """``{id(tensor): name}``; the first name wins for a tensor given several."""
    if names is None:
        return {}
    if not isinstance(names, dict):
        raise TypeError(f"{what}: names must be a dict {{name: Tensor}}, got {type(names).__name__}")
    by_id = {}
    for name, t in names.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"{what}: names[{name!r}] must be a Tensor, got {type(t).__name__}")
        by_id.setdefault(id(t), str(name))
    return by_id


def graph_nodes(tensor, names=None) -> tuple[list[dict], list[tuple[int, int]]]:
    """The graph of tensors and ops that produced ``tensor``, as ``backward`` sees it.

    The walk goes from ``tensor`` back through each tensor's op (``_op``) to the op's
    inputs (``op.inputs``), iteratively; each tensor and each op is one node, however many
    times it is used. Tensors that no op made (inputs, parameters, constants) are leaves.

    Args:
        tensor: the Tensor to start from, usually a loss.
        names: optional ``{name: Tensor}``; a tensor found in it (by identity, ``is``) is
            labelled with its name instead of its shape. Tensors not in the graph are ignored.

    Returns:
        ``(nodes, edges)``. ``nodes[0]`` is ``tensor``; the others follow in the order the
        walk from it finds them. A tensor node is ``{"kind": "tensor", "label", "name",
        "shape", "leaf", "requires_grad", "depth", "column"}`` (label: its name, else its
        shape like "(2, 3)"); an op node is ``{"kind": "op", "label" (the op's name, e.g.
        "MatMul"), "depth", "column"}``. ``depth`` is the longest path to ``tensor`` (0 for
        it; the leaves at the far end), ``column`` the place in its depth row. ``edges`` are
        ``(source index, target index)`` along the data flow: input tensor -> op -> output tensor.

    Raises:
        TypeError: if ``tensor`` is not a Tensor, or ``names`` not a dict of Tensors.

    Examples:
        >>> from dl_tensor import Tensor
        >>> x = Tensor([[1.0, 2.0]])
        >>> w = Tensor([[3.0], [4.0]], requires_grad=True)
        >>> nodes, edges = graph_nodes(x @ w, names={"x": x, "w": w})
        >>> [(n["kind"], n["label"], n["depth"]) for n in nodes]
        [('tensor', '(1, 1)', 0), ('op', 'MatMul', 1), ('tensor', 'x', 2), ('tensor', 'w', 2)]
        >>> edges
        [(1, 0), (2, 1), (3, 1)]
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"graph_nodes: tensor must be a dl_tensor Tensor, got {type(tensor).__name__}")
    return _walk(tensor, _check_names(names, "graph_nodes"))


def _walk(tensor, labels: dict):
    objects, nodes, index = [], [], {}  # `objects` keeps every id in `index` alive during the walk

    def add(obj) -> int:
        if id(obj) not in index:
            index[id(obj)] = len(nodes)
            objects.append(obj)
            if isinstance(obj, Tensor):
                shape = tuple(obj.shape)
                name = labels.get(id(obj))
                nodes.append({"kind": "tensor", "label": name if name is not None else str(shape), "name": name,
                              "shape": shape, "leaf": obj._op is None, "requires_grad": bool(obj.requires_grad)})
            else:
                nodes.append({"kind": "op", "label": obj.name})
        return index[id(obj)]

    edges, seen_edges = [], set()

    def connect(source: int, target: int) -> None:
        if (source, target) not in seen_edges:
            seen_edges.add((source, target))
            edges.append((source, target))

    add(tensor)
    queue = deque([tensor])
    while queue:  # breadth first, from the output back to the leaves
        t = queue.popleft()
        op = t._op
        if op is None:
            continue
        op_is_new = id(op) not in index
        connect(add(op), index[id(t)])
        if not op_is_new:
            continue
        for inp in op.inputs:
            is_new = id(inp) not in index
            connect(add(inp), index[id(op)])
            if is_new:
                queue.append(inp)

    # depth: longest path to the output, each node after all the nodes that read it (Kahn's order)
    readers = [0] * len(nodes)
    sources = [[] for _ in nodes]
    for s, t in edges:
        readers[s] += 1
        sources[t].append(s)
    depth = [0] * len(nodes)
    ready = deque(i for i in range(len(nodes)) if readers[i] == 0)  # only the output
    while ready:
        i = ready.popleft()
        for s in sources[i]:
            depth[s] = max(depth[s], depth[i] + 1)
            readers[s] -= 1
            if readers[s] == 0:
                ready.append(s)
    columns = _columns(depth, _order(depth, edges)[1])
    for node, d, c in zip(nodes, depth, columns):
        node["depth"], node["column"] = d, c
    return nodes, edges


def plot_graph(tensor, names=None, ax=None, figsize=None):
    """Draw the computation graph of ``tensor``, from the inputs (left) to it (right).

    Tensors are boxes labelled with their name (from ``names``) or their shape; ops are
    rounded pills with the op's name. Parameters (leaves with ``requires_grad``, what
    ``backward`` fills ``.grad`` of) are orange, the output green, ops blue, other tensors
    grey. Arrows follow the data: input tensor -> op -> output tensor, the reverse of the
    path the gradients take.

    Args:
        tensor: the Tensor whose graph to draw, usually a loss.
        names: optional ``{name: Tensor}`` labelling tensors by name (matched with ``is``).
        ax: a matplotlib Axes to draw in; None makes a new figure.
        figsize: ``(width, height)`` of the new figure in inches; None sizes it to the graph.

    Returns:
        The matplotlib ``Figure``. Its panel holds one patch and one text per node of
        ``graph_nodes``, in the same order, then one arrow (an ``Annotation`` with empty
        text) per edge; an edge that spans several columns is a line (in ``ax.lines``)
        between them ending in its arrow.

    Examples:
        >>> from dl_tensor import Tensor
        >>> x = Tensor([[1.0, 2.0]])
        >>> w = Tensor([[0.5], [-1.0]], requires_grad=True)
        >>> loss = ((x @ w) ** 2).mean()
        >>> fig = plot_graph(loss, names={"x": x, "w": w, "loss": loss})
        >>> [t.get_text() for t in fig.axes[0].texts if t.get_text()]
        ['loss', 'Mean', '(1, 1)', 'Power', '(1, 1)', '()', 'MatMul', 'x', 'w']
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"plot_graph: tensor must be a dl_tensor Tensor, got {type(tensor).__name__}")
    labels = _check_names(names, "plot_graph")
    _check_figsize(figsize, "plot_graph")
    nodes, edges = _walk(tensor, labels)
    colors, roundings = [], []
    for i, node in enumerate(nodes):
        if node["kind"] == "op":
            colors.append(_OP_COLOR)
        elif i == 0:
            colors.append(_OUTPUT_COLOR)
        elif node["leaf"] and node["requires_grad"]:
            colors.append(_PARAMETER_COLOR)
        else:
            colors.append(_TENSOR_COLOR)
        roundings.append(None if node["kind"] == "op" else 0.04)  # None: a pill
    return _draw_layered(
        "plot_graph", [node["label"] for node in nodes], colors, roundings, [node["depth"] for node in nodes],
        edges, "RL", ax, figsize, gaps=(0.25, 0.45), min_size=(0.55, 0.0),
    )
