"""model.summary(): Keras's table and parameter counts for the book's models."""

from dl_layers import BatchNormalization, Dense, Input, Model, Sequential, layers


def _summary(model) -> str:
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


def test_book_mnist_mlp_has_407050_parameters():
    model = Sequential([Dense(512, activation="relu", input_shape=(28 * 28,)), Dense(10, activation="softmax")])
    text = _summary(model)
    assert 'Model: "sequential"' in text
    assert "dense (Dense)" in text and "(None, 512)" in text and "401920" in text
    assert "dense_1 (Dense)" in text and "(None, 10)" in text and "5130" in text
    assert "Total params: 407,050" in text and "Trainable params: 407,050" in text
    assert "Non-trainable params: 0" in text


def test_book_imdb_and_reuters_models():
    imdb = Sequential([Dense(16, activation="relu", input_shape=(10000,)), Dense(16, activation="relu"),
                       Dense(1, activation="sigmoid")])
    assert imdb.count_params() == 160_305
    reuters = Sequential([Dense(64, activation="relu", input_shape=(10000,)), Dense(64, activation="relu"),
                          Dense(46, activation="softmax")])
    assert "Total params: 647,214" in _summary(reuters)


def test_batch_normalization_counts_non_trainable_statistics():
    model = Sequential([Dense(32, input_shape=(8,)), BatchNormalization()])
    text = _summary(model)
    assert "Total params: 416" in text  # 8*32 + 32 + 4*32
    assert "Trainable params: 352" in text and "Non-trainable params: 64" in text


def test_functional_summary_shows_connections_for_graphs():
    a, b = Input(shape=(4,), name="a"), Input(shape=(2,), name="b")
    merged = layers.concatenate([Dense(3, name="d")(a), b], name="merge")
    text = _summary(Model([a, b], Dense(1, name="out")(merged)))
    assert "Connected to" in text
    assert "a (InputLayer)" in text and "(None, 4)" in text
    merge_line = next(line for line in text.splitlines() if line.startswith(" merge"))
    assert "(None, 5)" in merge_line and "d, b" in merge_line
