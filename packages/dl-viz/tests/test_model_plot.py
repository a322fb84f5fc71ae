import io
import itertools

import matplotlib.image
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.text import Annotation

from dl_layers import Add, Concatenate, Dense, Input, Model, Sequential
from dl_viz.model_plot import layer_graph, plot_model


# -- helpers -----------------------------------------------------------------------------------
def box_texts(fig) -> list:
    return [t.get_text() for t in fig.axes[0].texts if not isinstance(t, Annotation)]


def arrows(fig) -> list:
    return [t for t in fig.axes[0].texts if isinstance(t, Annotation)]


def box_extents(fig) -> list:
    """``(x0, y0, x1, y1)`` of every box, in data units."""
    return [(p.get_x(), p.get_y(), p.get_x() + p.get_width(), p.get_y() + p.get_height()) for p in fig.axes[0].patches]


def centers(fig) -> list:
    return [((x0 + x1) / 2, (y0 + y1) / 2) for x0, y0, x1, y1 in box_extents(fig)]


def assert_no_overlap(fig, gap=0.05) -> None:
    for a, b in itertools.combinations(box_extents(fig), 2):
        apart = a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1]
        assert apart, f"boxes {a} and {b} overlap"
    points = centers(fig)
    assert len(set(points)) == len(points)


def png_pixels(fig) -> np.ndarray:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    buffer.seek(0)
    return matplotlib.image.imread(buffer, format="png")


def two_in_two_out() -> Model:
    """The book's ticket model, smaller: two inputs, merged, two heads."""
    title = Input(shape=(5,), name="title")
    body = Input(shape=(7,), name="body")
    title_features = Dense(4, name="title_features")(title)
    body_features = Dense(4, name="body_features")(body)
    features = Concatenate(name="features")([title_features, body_features])
    priority = Dense(1, activation="sigmoid", name="priority")(features)
    department = Dense(3, activation="softmax", name="department")(features)
    return Model([title, body], [priority, department], name="ticket_model")


# -- layer_graph -------------------------------------------------------------------------------
def test_sequential_is_a_chain_from_its_input_layer():
    model = Sequential([Dense(8, input_shape=(4,)), Dense(6), Dense(2)])
    nodes, edges = layer_graph(model)
    assert [n["name"] for n in nodes] == ["input_layer", "dense", "dense_1", "dense_2"]
    assert [n["class_name"] for n in nodes] == ["InputLayer", "Dense", "Dense", "Dense"]
    assert [n["output_shape"] for n in nodes] == [(None, 4), (None, 8), (None, 6), (None, 2)]
    assert [n["depth"] for n in nodes] == [0, 1, 2, 3]
    assert [n["column"] for n in nodes] == [0, 0, 0, 0]
    assert [n["dtype"] for n in nodes] == ["float32"] * 4
    assert edges == [("input_layer", "dense"), ("dense", "dense_1"), ("dense_1", "dense_2")]


def test_sequential_with_an_explicit_input_uses_its_name():
    model = Sequential([Input(shape=(3,), name="pixels"), Dense(2, name="out")])
    nodes, edges = layer_graph(model)
    assert [n["name"] for n in nodes] == ["pixels", "out"]
    assert edges == [("pixels", "out")]


def test_sequential_built_by_running_it_on_data_has_an_input_layer():
    model = Sequential([Dense(5, name="hidden"), Dense(1, name="out")])
    model.predict(np.ones((2, 3)), verbose=0)
    nodes, edges = layer_graph(model)
    assert nodes[0]["class_name"] == "InputLayer" and nodes[0]["name"].startswith("input_layer")
    assert nodes[0]["output_shape"] == (None, 3)
    assert edges == [(nodes[0]["name"], "hidden"), ("hidden", "out")]


def test_two_inputs_two_outputs():
    nodes, edges = layer_graph(two_in_two_out())
    by_name = {n["name"]: n for n in nodes}
    assert list(by_name) == ["title", "body", "title_features", "body_features", "features", "priority",
                             "department"]
    assert {name: n["depth"] for name, n in by_name.items()} == {
        "title": 0, "body": 0, "title_features": 1, "body_features": 1, "features": 2, "priority": 3,
        "department": 3,
    }
    assert set(edges) == {("title", "title_features"), ("body", "body_features"), ("title_features", "features"),
                          ("body_features", "features"), ("features", "priority"), ("features", "department")}
    assert len(edges) == 6
    assert by_name["features"]["class_name"] == "Concatenate"
    assert by_name["features"]["output_shape"] == (None, 8)
    assert by_name["department"]["output_shape"] == (None, 3)
    # the branches stay on their side: title left of body in both rows
    assert (by_name["title"]["column"], by_name["body"]["column"]) == (0, 1)
    assert (by_name["title_features"]["column"], by_name["body_features"]["column"]) == (0, 1)
    assert sorted((by_name["priority"]["column"], by_name["department"]["column"])) == [0, 1]


def test_depth_is_the_longest_path_from_an_input():
    x = Input(shape=(4,), name="x")
    h = Dense(4, name="h")(x)
    h2 = Dense(4, name="h2")(h)
    out = Add(name="residual")([x, h2])  # x -> residual is short, x -> h -> h2 -> residual is long
    nodes, edges = layer_graph(Model(x, out))
    assert {n["name"]: n["depth"] for n in nodes} == {"x": 0, "h": 1, "h2": 2, "residual": 3}
    assert ("x", "residual") in edges and ("h2", "residual") in edges


def test_a_nested_model_is_one_node():
    inner = Sequential([Dense(6, name="inner_hidden"), Dense(2, name="inner_out")], name="classifier")
    x = Input(shape=(4,), name="x")
    features = Dense(5, name="features")(x)
    outer = Model(x, inner(features), name="outer")
    nodes, edges = layer_graph(outer)
    assert [(n["name"], n["class_name"]) for n in nodes] == [
        ("x", "InputLayer"), ("features", "Dense"), ("classifier", "Sequential")]
    assert nodes[2]["output_shape"] == (None, 2)
    assert edges == [("x", "features"), ("features", "classifier")]


def test_a_nested_functional_model_with_two_outputs():
    a = Input(shape=(3,), name="a")
    heads = Model(a, [Dense(2, name="left")(a), Dense(4, name="right")(a)], name="heads")
    x = Input(shape=(3,), name="x")
    left, right = heads(x)
    model = Model(x, [Dense(1, name="p")(left), Dense(1, name="q")(right)])
    nodes, edges = layer_graph(model)
    by_name = {n["name"]: n for n in nodes}
    assert by_name["heads"]["class_name"] == "Functional"
    assert by_name["heads"]["output_shape"] == [(None, 2), (None, 4)]
    assert by_name["heads"]["dtype"] == ["float32", "float32"]
    assert set(edges) == {("x", "heads"), ("heads", "p"), ("heads", "q")}
    fig = plot_model(model)
    assert "heads (Functional)\n(None, 2), (None, 4)" in box_texts(fig)


def test_a_subclassed_model_used_as_a_layer_keeps_its_class_name():
    class Block(Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = Dense(3)

        def call(self, inputs):
            return self.dense(inputs)

    x = Input(shape=(2,), name="x")
    nodes, _ = layer_graph(Model(x, Block(name="block")(x)))
    assert (nodes[1]["name"], nodes[1]["class_name"], nodes[1]["output_shape"]) == ("block", "Block", (None, 3))


def test_a_shared_layer_is_one_node():
    shared = Dense(4, name="shared")
    a, b = Input(shape=(4,), name="a"), Input(shape=(4,), name="b")
    out = Add(name="sum")([shared(a), shared(b)])
    nodes, edges = layer_graph(Model([a, b], out))
    assert [n["name"] for n in nodes] == ["a", "b", "shared", "sum"]
    assert edges == [("a", "shared"), ("b", "shared"), ("shared", "sum")]
    assert [n["depth"] for n in nodes] == [0, 0, 1, 2]


def test_a_layer_called_on_its_own_output_loops():
    x = Input(shape=(4,), name="x")
    twice = Dense(4, name="twice")
    model = Model(x, twice(twice(x)))
    nodes, edges = layer_graph(model)
    assert edges == [("x", "twice"), ("twice", "twice")]
    assert nodes[1]["depth"] == 2  # the depth of its deepest call
    fig = plot_model(model)
    assert len(arrows(fig)) == 2
    assert png_pixels(fig).std() > 0


def test_an_unbuilt_sequential_has_no_graph():
    model = Sequential([Dense(2), Dense(1)])
    with pytest.raises(ValueError, match=r"layer_graph: model '.*' has no graph of layers yet; build it first"):
        layer_graph(model)
    with pytest.raises(ValueError, match="plot_model: .* call it on data"):
        plot_model(model)


def test_a_subclassed_model_has_no_graph():
    class Net(Model):
        def __init__(self):
            super().__init__()
            self.dense = Dense(1)

        def call(self, inputs):
            return self.dense(inputs)

    model = Net()
    model.predict(np.ones((2, 3)), verbose=0)
    with pytest.raises(ValueError, match="subclassed Model has no layer graph"):
        layer_graph(model)


@pytest.mark.parametrize("not_a_model", [Dense(3), "model", None])
def test_not_a_model_is_a_type_error(not_a_model):
    with pytest.raises(TypeError, match="layer_graph: model must be a dl_layers Model"):
        layer_graph(not_a_model)
    with pytest.raises(TypeError, match="plot_model: model must be a dl_layers Model"):
        plot_model(not_a_model)


# -- plot_model --------------------------------------------------------------------------------
def test_plot_of_a_sequential():
    model = Sequential([Dense(8, input_shape=(4,), name="hidden"), Dense(3, name="scores")])
    fig = plot_model(model)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert not ax.axison
    assert len(ax.patches) == 3
    assert box_texts(fig) == ["input_layer (InputLayer)\n(None, 4)", "hidden (Dense)\n(None, 8)",
                              "scores (Dense)\n(None, 3)"]
    assert len(arrows(fig)) == 2
    ys = [y for _, y in centers(fig)]
    assert ys[0] > ys[1] > ys[2]  # top to bottom
    assert len({round(x, 6) for x, _ in centers(fig)}) == 1  # one centered column
    for arrow in arrows(fig):
        assert arrow.xy[1] < arrow.xyann[1]  # pointing down
    assert png_pixels(fig).std() > 0


def test_plot_of_two_inputs_two_outputs_is_readable():
    fig = plot_model(two_in_two_out())
    assert len(fig.axes[0].patches) == 7
    assert len(arrows(fig)) == 6
    assert_no_overlap(fig)
    texts = box_texts(fig)
    assert texts[0] == "title (InputLayer)\n(None, 5)"
    assert "features (Concatenate)\n(None, 8)" in texts
    assert "department (Dense)\n(None, 3)" in texts
    points = dict(zip([t.split(" ")[0] for t in texts], centers(fig)))
    assert points["title"][1] == pytest.approx(points["body"][1])
    assert points["body"][1] > points["title_features"][1] > points["features"][1]
    assert points["title"][0] < points["body"][0]
    assert points["priority"][1] == pytest.approx(points["department"][1])
    assert points["priority"][1] < points["features"][1]
    # rows are centered on the same vertical line
    boxes = dict(zip([t.split(" ")[0] for t in texts], box_extents(fig)))
    for left, right in (("title", "body"), ("title_features", "body_features"), ("priority", "department")):
        assert (boxes[left][0] + boxes[right][2]) / 2 == pytest.approx(points["features"][0])
    assert png_pixels(fig).std() > 0


def test_left_to_right():
    fig = plot_model(two_in_two_out(), rankdir="LR")
    assert_no_overlap(fig)
    points = dict(zip([t.split(" ")[0] for t in box_texts(fig)], centers(fig)))
    assert points["title"][0] == pytest.approx(points["body"][0])
    assert points["body"][0] < points["title_features"][0] < points["features"][0] < points["priority"][0]
    assert points["priority"][0] == pytest.approx(points["department"][0])
    assert points["title"][1] > points["body"][1]  # first input on top
    for arrow in arrows(fig):
        assert arrow.xy[0] > arrow.xyann[0]  # pointing right


def test_text_options():
    model = Sequential([Dense(2, input_shape=(3,), name="out")])
    assert box_texts(plot_model(model, show_shapes=False)) == ["input_layer (InputLayer)", "out (Dense)"]
    assert box_texts(plot_model(model, show_layer_names=False)) == ["InputLayer\n(None, 3)", "Dense\n(None, 2)"]
    assert box_texts(plot_model(model, show_dtype=True))[1] == "out (Dense)\n(None, 2)\nfloat32"
    assert box_texts(plot_model(model, show_shapes=False, show_layer_names=False)) == ["InputLayer", "Dense"]


def test_an_arrow_over_rows_goes_around_the_boxes_between():
    x = Input(shape=(4,), name="x")
    h2 = Dense(4, name="h2")(Dense(4, name="h")(x))
    fig = plot_model(Model(x, Add(name="residual")([x, h2])))
    assert_no_overlap(fig)
    assert len(arrows(fig)) == 4
    lines = fig.axes[0].lines
    assert len(lines) == 1  # x -> residual: a line through the rows of h and h2, then an arrow
    xs, ys = lines[0].get_data()
    boxes = dict(zip([t.split(" ")[0] for t in box_texts(fig)], box_extents(fig)))
    for name in ("h", "h2"):
        x0, y0, x1, y1 = boxes[name]
        for px, py in zip(xs, ys):
            assert not (x0 <= px <= x1 and y0 <= py <= y1)
        assert xs[2] > x1 or xs[2] < x0  # beside the box


def test_draws_in_a_given_axes():
    fig = Figure()
    axes = fig.subplots(1, 2)
    returned = plot_model(two_in_two_out(), ax=axes[1])
    assert returned is fig
    assert len(axes[1].patches) == 7 and len(axes[0].patches) == 0
    assert png_pixels(fig).std() > 0


def test_figure_size():
    shallow = plot_model(Sequential([Dense(2, input_shape=(3,))]))
    deep = plot_model(Sequential([Dense(2, input_shape=(3,))] + [Dense(2) for _ in range(6)]))
    assert deep.get_size_inches()[1] > shallow.get_size_inches()[1]
    wide = plot_model(two_in_two_out())
    assert wide.get_size_inches()[0] > shallow.get_size_inches()[0]
    fixed = plot_model(two_in_two_out(), figsize=(3, 2))
    assert tuple(fixed.get_size_inches()) == (3, 2)
    assert png_pixels(fixed).std() > 0


def test_a_very_deep_model_fits_a_capped_figure():
    model = Sequential([Input(shape=(2,))] + [Dense(2) for _ in range(80)])
    fig = plot_model(model)
    assert fig.get_size_inches()[1] <= 40
    assert len(fig.axes[0].patches) == 81
    assert len(arrows(fig)) == 80


@pytest.mark.parametrize("kwargs, message", [
    ({"rankdir": "BT"}, "plot_model: rankdir must be 'TB'"),
    ({"figsize": (3,)}, "plot_model: figsize must be"),
    ({"figsize": (3, -1)}, "plot_model: figsize must be"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_model(two_in_two_out(), **kwargs)


def test_bad_ax():
    with pytest.raises(TypeError, match="plot_model: ax must be a matplotlib Axes"):
        plot_model(two_in_two_out(), ax="left")


# -- any graph ---------------------------------------------------------------------------------
@st.composite
def random_graphs(draw):
    """A functional model whose layers each read one or two earlier tensors (Dense or Add)."""
    n_inputs = draw(st.integers(1, 3))
    tensors = [Input(shape=(2,)) for _ in range(n_inputs)]
    for _ in range(draw(st.integers(1, 7))):
        picks = draw(st.lists(st.integers(0, len(tensors) - 1), min_size=1, max_size=2, unique=True))
        tensors.append(Dense(2)(tensors[picks[0]]) if len(picks) == 1 else Add()([tensors[i] for i in picks]))
    n_outputs = draw(st.integers(1, 2))
    return Model(tensors[:n_inputs], tensors[-n_outputs:])


@given(random_graphs(), st.sampled_from(["TB", "LR"]))
def test_any_graph_is_layered_and_drawn_without_overlaps(model, rankdir):
    nodes, edges = layer_graph(model)
    depth = {n["name"]: n["depth"] for n in nodes}
    for source, target in edges:
        assert depth[target] >= depth[source] + 1
    assert len(set(edges)) == len(edges)
    for d in set(depth.values()):
        assert sorted(n["column"] for n in nodes if n["depth"] == d) == list(range(sum(
            1 for n in nodes if n["depth"] == d)))
    fig = plot_model(model, rankdir=rankdir)
    assert len(fig.axes[0].patches) == len(nodes)
    assert len(arrows(fig)) == len(edges)
    assert_no_overlap(fig)


def test_two_layers_with_one_name_cannot_be_drawn():
    x = Input(shape=(2,), name="x")
    model = Model(x, Dense(2, name="twin")(Dense(2, name="twin")(x)))
    with pytest.raises(ValueError, match=r"layer_graph: model '.*' has several layers named \['twin'\]"):
        layer_graph(model)
