import io
from collections import Counter

import matplotlib.image
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Annotation

from dl_layers import Dense
from dl_tensor import Op, Tensor, no_grad
from dl_viz.graph_plot import graph_nodes, plot_graph


# -- helpers -----------------------------------------------------------------------------------
def box_texts(fig) -> list:
    return [t.get_text() for t in fig.axes[0].texts if not isinstance(t, Annotation)]


def arrows(fig) -> list:
    return [t for t in fig.axes[0].texts if isinstance(t, Annotation)]


def png_pixels(fig) -> np.ndarray:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    buffer.seek(0)
    return matplotlib.image.imread(buffer, format="png")


def linear_loss():
    """The chapter's example: ``loss = mean((x @ w + b) ** 2)``."""
    x = Tensor(np.arange(6.0).reshape(2, 3))
    w = Tensor(np.ones((3, 4)), requires_grad=True)
    b = Tensor(np.zeros(4), requires_grad=True)
    loss = ((x @ w + b) ** 2).mean()
    return x, w, b, loss


def labelled_edges(nodes, edges) -> set:
    return {(nodes[s]["label"], nodes[t]["label"]) for s, t in edges}


class Split(Op):
    """Two outputs: the first and the second half of a vector."""

    def forward(self, x):
        half = x.shape[0] // 2
        return x[:half].copy(), x[half:].copy()

    def backward(self, grad_a, grad_b):
        return np.concatenate([grad_a, grad_b])


# -- graph_nodes -------------------------------------------------------------------------------
def test_the_linear_loss_graph():
    x, w, b, loss = linear_loss()
    nodes, edges = graph_nodes(loss, names={"x": x, "w": w, "b": b, "loss": loss})
    ops = [n for n in nodes if n["kind"] == "op"]
    assert [n["label"] for n in ops] == ["Mean", "Power", "Add", "MatMul"]
    tensors = {n["label"]: n for n in nodes if n["kind"] == "tensor"}
    assert {"x", "w", "b", "loss"} <= set(tensors)
    assert Counter(n["label"] for n in nodes if n["kind"] == "tensor") == Counter(
        {"loss": 1, "(2, 4)": 3, "()": 1, "b": 1, "x": 1, "w": 1})  # "()": the exponent 2
    assert nodes[0]["label"] == "loss" and nodes[0]["depth"] == 0
    assert (tensors["w"]["leaf"], tensors["w"]["requires_grad"]) == (True, True)
    assert (tensors["b"]["leaf"], tensors["b"]["requires_grad"]) == (True, True)
    assert (tensors["x"]["leaf"], tensors["x"]["requires_grad"]) == (True, False)
    assert (tensors["loss"]["leaf"], tensors["loss"]["requires_grad"]) == (False, True)
    assert tensors["x"]["shape"] == (2, 3) and tensors["w"]["name"] == "w"
    assert {("x", "MatMul"), ("w", "MatMul"), ("MatMul", "(2, 4)"), ("b", "Add"), ("Add", "(2, 4)"),
            ("(2, 4)", "Power"), ("()", "Power"), ("Mean", "loss")} <= labelled_edges(nodes, edges)
    assert len(edges) == 11  # into the 4 ops: 1 + 2 + 2 + 2, out of them: 4
    assert {n["label"]: n["depth"] for n in nodes if n["kind"] == "op"} == {"Mean": 1, "Power": 3, "Add": 5,
                                                                            "MatMul": 7}
    assert (tensors["x"]["depth"], tensors["w"]["depth"], tensors["b"]["depth"]) == (8, 8, 6)


def test_edges_follow_the_data_and_depth_falls_toward_the_output():
    _, _, _, loss = linear_loss()
    nodes, edges = graph_nodes(loss)
    for s, t in edges:
        assert nodes[s]["depth"] > nodes[t]["depth"]
        assert {nodes[s]["kind"], nodes[t]["kind"]} == {"tensor", "op"}
    assert all(n["depth"] > 0 for n in nodes[1:])


def test_without_names_tensors_are_labelled_by_shape():
    _, _, _, loss = linear_loss()
    nodes, _ = graph_nodes(loss)
    labels = [n["label"] for n in nodes if n["kind"] == "tensor"]
    assert set(labels) == {"()", "(2, 4)", "(2, 3)", "(3, 4)", "(4,)"}
    assert all(n["name"] is None for n in nodes if n["kind"] == "tensor")


def test_names_match_by_identity():
    x, w, b, loss = linear_loss()
    lookalike = Tensor(np.ones((3, 4)), requires_grad=True)  # equal to w, but another tensor
    nodes, _ = graph_nodes(loss, names={"not_w": lookalike, "unused": Tensor([1.0])})
    assert {n["label"] for n in nodes}.isdisjoint({"not_w", "unused"})


def test_a_tensor_used_twice_appears_once():
    a = Tensor([1.0, 2.0], requires_grad=True)
    y = a * a + a
    nodes, edges = graph_nodes(y, names={"a": a})
    assert [n["label"] for n in nodes].count("a") == 1
    assert [n["label"] for n in nodes if n["kind"] == "op"] == ["Add", "Multiply"]
    assert len(edges) == len(set(edges)) == 5  # a -> Multiply once, though it is read twice
    assert labelled_edges(nodes, edges) >= {("a", "Multiply"), ("a", "Add")}
    depth = {n["label"]: n["depth"] for n in nodes}
    assert depth["a"] == depth["Multiply"] + 1  # left of its first reader


def test_an_op_with_two_outputs_appears_once():
    v = Tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    first, second = Split()(v)
    y = first * second
    nodes, edges = graph_nodes(y, names={"v": v, "first": first, "second": second})
    assert [n["label"] for n in nodes if n["kind"] == "op"] == ["Multiply", "Split"]
    assert labelled_edges(nodes, edges) == {("v", "Split"), ("Split", "first"), ("Split", "second"),
                                            ("first", "Multiply"), ("second", "Multiply"),
                                            ("Multiply", "(2,)")}


def test_the_graph_survives_backward():
    x, w, b, loss = linear_loss()
    names = {"x": x, "w": w, "b": b, "loss": loss}
    before = graph_nodes(loss, names)
    loss.backward()
    assert w.grad is not None  # the saved buffers are freed, the links are not
    assert graph_nodes(loss, names) == before
    fig = plot_graph(loss, names)
    assert len(fig.axes[0].patches) == len(before[0])


def test_a_leaf_is_a_graph_of_one_node():
    w = Tensor([[1.0, 2.0]], requires_grad=True)
    assert graph_nodes(w, names={"w": w}) == ([{"kind": "tensor", "label": "w", "name": "w", "shape": (1, 2),
                                                "leaf": True, "requires_grad": True, "depth": 0, "column": 0}], [])
    fig = plot_graph(w)
    assert len(fig.axes[0].patches) == 1 and not arrows(fig)
    assert box_texts(fig) == ["(1, 2)"]


def test_nothing_is_recorded_without_gradients():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = (w * 2).sum()
    nodes, edges = graph_nodes(y)
    assert len(nodes) == 1 and not edges and nodes[0]["leaf"] and not nodes[0]["requires_grad"]
    x = Tensor([1.0, 2.0])
    assert len(graph_nodes((x * 3).sum())[0]) == 1  # no input needed a gradient


def test_a_dense_layer_call():
    layer = Dense(3, name="d")
    x = Tensor(np.ones((2, 4)))
    y = layer(x).sum()
    nodes, edges = graph_nodes(y, names={"kernel": layer.kernel, "bias": layer.bias, "x": x})
    tensors = {n["label"]: n for n in nodes if n["kind"] == "tensor"}
    assert tensors["kernel"]["requires_grad"] and tensors["kernel"]["leaf"]
    assert {"kernel", "bias", "x"} <= set(tensors)
    assert len(edges) == len(nodes) - 1  # a tree


def test_a_long_chain_needs_no_recursion():
    t = Tensor([1.0], requires_grad=True)
    y = t
    for _ in range(3000):
        y = y * 1.0
    nodes, edges = graph_nodes(y, names={"t": t})
    assert len([n for n in nodes if n["kind"] == "op"]) == 3000
    assert [n["depth"] for n in nodes if n["label"] == "t"] == [6000]
    assert max(n["depth"] for n in nodes) == 6000


@pytest.mark.parametrize("bad", [np.ones(3), [1.0, 2.0], None, 3.0])
def test_not_a_tensor_is_a_type_error(bad):
    with pytest.raises(TypeError, match="graph_nodes: tensor must be a dl_tensor Tensor, got"):
        graph_nodes(bad)
    with pytest.raises(TypeError, match="plot_graph: tensor must be a dl_tensor Tensor, got"):
        plot_graph(bad)


def test_bad_names():
    _, w, _, loss = linear_loss()
    with pytest.raises(TypeError, match=r"graph_nodes: names must be a dict \{name: Tensor\}, got list"):
        graph_nodes(loss, names=[w])
    with pytest.raises(TypeError, match=r"plot_graph: names\['w'\] must be a Tensor, got ndarray"):
        plot_graph(loss, names={"w": np.ones(3)})


def test_bad_figsize_and_ax():
    _, _, _, loss = linear_loss()
    with pytest.raises(ValueError, match="plot_graph: figsize must be"):
        plot_graph(loss, figsize=(0, 2))
    with pytest.raises(TypeError, match="plot_graph: ax must be a matplotlib Axes"):
        plot_graph(loss, ax=object())


# -- plot_graph --------------------------------------------------------------------------------
def test_plot_of_the_linear_loss():
    x, w, b, loss = linear_loss()
    names = {"x": x, "w": w, "b": b, "loss": loss}
    nodes, edges = graph_nodes(loss, names)
    fig = plot_graph(loss, names=names)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert not ax.axison
    texts = box_texts(fig)
    assert texts == [n["label"] for n in nodes]
    assert {"x", "w", "b", "loss", "MatMul", "Add", "Power", "Mean"} <= set(texts)
    assert len(ax.patches) == len(nodes) == 12
    assert len(arrows(fig)) == len(edges) == 11
    colors = {text: to_rgba(p.get_facecolor()) for text, p in zip(texts, ax.patches)}
    assert colors["w"] == colors["b"]  # parameters
    assert len({colors["w"], colors["x"], colors["loss"], colors["MatMul"]}) == 4
    assert colors["MatMul"] == colors["Add"] == colors["Mean"]
    assert png_pixels(fig).std() > 0


def test_the_plot_goes_from_the_inputs_on_the_left_to_the_output_on_the_right():
    x, w, b, loss = linear_loss()
    fig = plot_graph(loss, names={"x": x, "w": w, "b": b, "loss": loss})
    ax = fig.axes[0]
    centers = {t: (p.get_x() + p.get_width() / 2, p.get_y() + p.get_height() / 2)
               for t, p in zip(box_texts(fig), ax.patches)}
    assert centers["loss"][0] == max(x for x, _ in centers.values())
    assert centers["x"][0] == pytest.approx(centers["w"][0]) == pytest.approx(min(x for x, _ in centers.values()))
    assert centers["x"][0] < centers["MatMul"][0] < centers["Add"][0] < centers["Power"][0] < centers["Mean"][0]
    for arrow in arrows(fig):
        assert arrow.xy[0] > arrow.xyann[0]
    boxes = [(p.get_x(), p.get_y(), p.get_x() + p.get_width(), p.get_y() + p.get_height()) for p in ax.patches]
    for i, a in enumerate(boxes):
        for b_ in boxes[i + 1:]:
            assert a[2] <= b_[0] or b_[2] <= a[0] or a[3] <= b_[1] or b_[3] <= a[1]


def test_an_arrow_over_columns_runs_through_a_line():
    a = Tensor([1.0, 2.0], requires_grad=True)
    fig = plot_graph(a * a + a, names={"a": a})
    lines = fig.axes[0].lines
    assert len(lines) == 1  # a -> Add passes the column of Multiply
    xs, _ = lines[0].get_data()
    assert list(xs) == sorted(xs)  # left to right
    assert len(arrows(fig)) == 5


def test_draws_in_a_given_axes():
    _, _, _, loss = linear_loss()
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    assert plot_graph(loss, ax=ax) is fig
    assert len(ax.patches) == 12
    assert png_pixels(fig).std() > 0


def test_figure_size_grows_with_the_graph():
    small = Tensor([1.0], requires_grad=True) * 2
    _, _, _, loss = linear_loss()
    assert plot_graph(loss).get_size_inches()[0] > plot_graph(small).get_size_inches()[0]
    assert tuple(plot_graph(loss, figsize=(5, 2)).get_size_inches()) == (5, 2)


# -- any expression ----------------------------------------------------------------------------
@given(st.lists(st.tuples(st.sampled_from(["add", "mul", "sub"]), st.integers(0, 50), st.integers(0, 50)),
                min_size=1, max_size=12))
def test_any_expression(steps):
    pool = [Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0]), Tensor([0.5, 0.5], requires_grad=True)]
    n_ops = 0
    for name, i, j in steps:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        pool.append({"add": a + b, "mul": a * b, "sub": a - b}[name])
        n_ops += 1
    out = pool[-1]
    nodes, edges = graph_nodes(out)
    assert len(edges) == len(set(edges))
    for s, t in edges:
        assert nodes[s]["depth"] > nodes[t]["depth"]
        assert {nodes[s]["kind"], nodes[t]["kind"]} == {"tensor", "op"}
    ops = [n for n in nodes if n["kind"] == "op"]
    assert len(ops) <= n_ops
    assert (len(ops) > 0) == out.requires_grad
    out_degree = Counter(t for s, t in edges if nodes[s]["kind"] == "op")
    assert all(count == 1 for count in out_degree.values())  # each tensor made by one op
    for d in {n["depth"] for n in nodes}:
        row = [n["column"] for n in nodes if n["depth"] == d]
        assert sorted(row) == list(range(len(row)))
    fig = plot_graph(out)
    assert len(fig.axes[0].patches) == len(nodes) and len(arrows(fig)) == len(edges)
