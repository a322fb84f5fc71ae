"""MiniVGG and its shipped weights: the architecture, loading the weights (all or nothing, hash
checked), feature extraction, freezing and fine-tuning as in the book, and transfer: the
pretrained base learns a new task from few samples better than the same net from scratch."""

import hashlib
import shutil

import numpy as np
import pytest

import dl_convnet
import dl_layers as L
from dl_convnet import MiniVGG
from dl_convnet.applications import decode_predictions, mini_vgg, model_card, preprocess_input
from dl_convnet.datasets import shapes


@pytest.fixture(scope="module")
def shipped():
    """The shipped model, loaded as a whole."""
    return L.load_model(mini_vgg.Path(mini_vgg.__file__).with_name(mini_vgg.PRETRAINED_FILE), compile=False)


def test_architecture_follows_vgg_naming_and_shapes():
    model = MiniVGG(weights=None)
    names = [layer.name for layer in model.layers]
    assert names == ["input_image", "block1_conv1", "block1_conv2", "block1_pool", "block2_conv1", "block2_conv2",
                     "block2_pool", "block3_conv1", "block3_conv2", "block3_pool", "flatten", "fc1", "dropout",
                     "predictions"]
    assert model.output_shape == (None, 10)
    assert MiniVGG(weights=None, include_top=False).output_shape == (None, None, None, 64)
    assert MiniVGG(weights=None, include_top=False, input_shape=(32, 40, 1)).output_shape == (None, 4, 5, 64)
    assert MiniVGG(weights=None, include_top=False, pooling="avg").output_shape == (None, 64)
    assert MiniVGG(weights=None, include_top=False, pooling="max", input_shape=(8, 8, 3)).output_shape == (None, 64)
    assert MiniVGG(weights=None, classes=3, classifier_activation=None).output_shape == (None, 3)


def test_pretrained_weights_are_the_shipped_ones(shipped):
    model = MiniVGG(weights="pretrained")
    for layer in model.layers:
        for mine, theirs in zip(layer.get_weights(), shipped.get_layer(layer.name).get_weights()):
            np.testing.assert_array_equal(mine, theirs)
    base = MiniVGG(weights="pretrained", include_top=False, input_shape=(36, 36, 1))  # any size without the top
    np.testing.assert_array_equal(base.get_layer("block3_conv2").get_weights()[0],
                                  shipped.get_layer("block3_conv2").get_weights()[0])
    x = np.random.default_rng(0).random((3, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), shipped.predict(x, verbose=0), rtol=1e-6)


def test_model_card_matches_the_file_and_documents_the_recipe():
    card = model_card()
    data = mini_vgg.Path(mini_vgg.__file__).with_name(mini_vgg.PRETRAINED_FILE).read_bytes()
    assert card["sha256"] == hashlib.sha256(data).hexdigest() and card["size_bytes"] == len(data)
    assert len(data) < 2 * 2**20  # under 2 MiB, as the package promises
    assert card["parameters"] == MiniVGG(weights=None).count_params()
    assert card["data"]["train"] == 8000 and card["data"]["test"] == 2000
    assert card["test_accuracy"] > 0.97  # what the docs quote: measured by the training script
    assert set(card["recipe"]) >= {"epochs", "batch_size", "optimizer", "learning_rate", "augmentation"}


def test_pretrained_filters_are_not_random():
    """Trained first-layer filters are smooth stroke detectors: neighbouring taps correlate, unlike
    freshly initialized ones (a check that the weights are learned, without any data)."""

    def neighbour_correlation(kernel):  # kernel (3, 3, 1, 16): correlation of horizontally adjacent taps
        left, right = kernel[:, :2, 0, :].ravel(), kernel[:, 1:, 0, :].ravel()
        return np.corrcoef(left, right)[0, 1]

    trained = MiniVGG(weights="pretrained").get_layer("block1_conv1").get_weights()[0]
    fresh = MiniVGG(weights=None).get_layer("block1_conv1").get_weights()[0]
    assert neighbour_correlation(trained) > neighbour_correlation(fresh) + 0.2


def test_preprocess_and_decode():
    np.testing.assert_allclose(preprocess_input(np.array([[0, 255]], np.uint8)), [[0.0, 1.0]])
    preds = np.eye(10)[[3, 9]] * 0.8 + 0.02
    assert [row[0][:2] for row in decode_predictions(preds, top=1)] == [(3, "three"), (9, "nine")]
    with pytest.raises(ValueError, match=r"predictions of shape \(batch, 10\), got \(2, 3\)"):
        decode_predictions(np.zeros((2, 3)))


@pytest.mark.parametrize("kwargs, message", [
    ({"weights": "imagenet"}, "no such file"),
    ({"weights": 3}, "`weights` must be 'pretrained', None or the path"),
    ({"classes": 5}, "the pretrained top has 10 classes, got classes=5"),
    ({"pooling": "avg"}, "`pooling` applies only with include_top=False"),
    ({"include_top": False, "pooling": "mean"}, "argument `pooling` must be one of"),
    ({"input_shape": (28, 28, 3)}, r"grayscale images \(1 channel\), got input_shape \(28, 28, 3\)"),
    ({"input_shape": (32, 32, 1)}, r"with include_top=True the input must be 28x28.*\(32, 32, 1\)"),
    ({"include_top": False, "input_shape": (7, 20, 1)}, "height must be at least 8"),
    ({"include_top": False, "input_shape": (28, 28)}, r"must be \(height, width, channels\)"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MiniVGG(**kwargs)


def test_a_corrupted_or_replaced_weights_file_is_refused(tmp_path, monkeypatch):
    package = tmp_path / "applications"
    shutil.copytree(mini_vgg.Path(mini_vgg.__file__).parent, package)
    weights_file = package / mini_vgg.PRETRAINED_FILE
    weights_file.write_bytes(weights_file.read_bytes()[:-100])  # truncated
    monkeypatch.setattr(mini_vgg.resources, "files", lambda _: package)
    with pytest.raises(ValueError, match="does not match its model card"):
        MiniVGG(weights="pretrained")
    weights_file.unlink()
    with pytest.raises(FileNotFoundError, match="missing from the installed package"):
        MiniVGG(weights="pretrained")


def test_a_weights_file_of_another_architecture_names_the_layer(tmp_path):
    other = L.Sequential([dl_convnet.Conv2D(8, 3, input_shape=(28, 28, 1), name="block1_conv1")])
    other.save_weights(tmp_path / "other.weights.npz")
    with pytest.raises(ValueError, match="holds 2 weights but model 'mini_vgg' has 16"):
        MiniVGG(weights=tmp_path / "other.weights.npz")
    model = MiniVGG(weights=None)
    model.save_weights(tmp_path / "mine.weights.npz")
    reloaded = MiniVGG(weights=tmp_path / "mine.weights.npz")
    np.testing.assert_array_equal(reloaded.get_weights()[0], model.get_weights()[0])


def test_freezing_the_base_then_unfreezing_the_top_block_as_in_the_book():
    conv_base = MiniVGG(weights="pretrained", include_top=False, input_shape=(28, 28, 1))
    conv_base.trainable = False
    model = L.Sequential([conv_base, L.Flatten(), L.Dense(16, activation="relu"), L.Dense(1, activation="sigmoid")])
    assert len(model.trainable_weights) == 4  # only the new head
    conv_base.trainable = True
    for layer in conv_base.layers[:-3]:  # everything below block3_conv1 stays frozen
        layer.trainable = False
    assert [w.path for w in conv_base.trainable_weights] == ["block3_conv1/kernel", "block3_conv1/bias",
                                                             "block3_conv2/kernel", "block3_conv2/bias"]
    model.compile(optimizer=L.optimizers.RMSprop(learning_rate=1e-5), loss="binary_crossentropy")
    frozen_before = conv_base.get_layer("block2_conv2").get_weights()[0]
    tuned_before = conv_base.get_layer("block3_conv2").get_weights()[0]
    rng = np.random.default_rng(0)
    model.fit(rng.random((32, 28, 28, 1), dtype=np.float32), rng.integers(0, 2, 32), epochs=1, verbose=0)
    np.testing.assert_array_equal(conv_base.get_layer("block2_conv2").get_weights()[0], frozen_before)
    assert not np.array_equal(conv_base.get_layer("block3_conv2").get_weights()[0], tuned_before)


def _shape_task(n_per_class_train, seed):
    """The synthetic shapes task (5 classes), a different task from digits."""
    (x_train, y_train), (x_test, y_test) = shapes.load_data(n_train=5 * n_per_class_train, n_test=500, seed=seed)
    return (preprocess_input(x_train)[..., None], y_train), (preprocess_input(x_test)[..., None], y_test)


def _train_head_on(base, x, y, x_test, y_test, epochs):
    L.set_random_seed(0)
    model = L.Sequential([base, L.Flatten(), L.Dense(32, activation="relu"), L.Dense(5, activation="softmax")])
    model.compile(optimizer=L.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=25, verbose=0)
    return model.evaluate(x_test, y_test, verbose=0)[1]


def test_pretrained_base_learns_a_new_task_from_few_samples_better_than_from_scratch():
    (x, y), (x_test, y_test) = _shape_task(n_per_class_train=10, seed=1)  # 50 images of 5 shapes
    pretrained = MiniVGG(weights="pretrained", include_top=False, input_shape=(28, 28, 1))
    pretrained.trainable = False  # feature extraction: only the head learns
    L.set_random_seed(0)
    scratch = MiniVGG(weights=None, include_top=False, input_shape=(28, 28, 1))  # same net, all of it learning
    transfer_accuracy = _train_head_on(pretrained, x, y, x_test, y_test, epochs=30)
    scratch_accuracy = _train_head_on(scratch, x, y, x_test, y_test, epochs=30)
    assert transfer_accuracy > 0.5, f"pretrained base: {transfer_accuracy:.3f} on 5 classes (chance 0.2)"
    assert transfer_accuracy > scratch_accuracy + 0.1, (transfer_accuracy, scratch_accuracy)


def test_feature_extraction_by_running_the_base_once():
    (x, y), (x_test, y_test) = _shape_task(n_per_class_train=10, seed=2)
    conv_base = MiniVGG(weights="pretrained", include_top=False, input_shape=(28, 28, 1))
    features, test_features = conv_base.predict(x, verbose=0), conv_base.predict(x_test, verbose=0)
    assert features.shape == (50, 3, 3, 64)
    L.set_random_seed(0)
    head = L.Sequential([L.Flatten(input_shape=(3, 3, 64)), L.Dense(32, activation="relu"), L.Dense(5, "softmax")])
    head.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    head.fit(features, y, epochs=40, batch_size=25, verbose=0)
    assert head.evaluate(test_features, y_test, verbose=0)[1] > 0.5  # chance: 0.2


def test_a_model_built_on_the_base_saves_and_loads(tmp_path):
    conv_base = MiniVGG(weights="pretrained", include_top=False, input_shape=(28, 28, 1))
    inputs = L.Input(shape=(28, 28, 1))
    outputs = L.Dense(2, activation="softmax")(L.Flatten()(conv_base(inputs)))
    model = L.Model(inputs, outputs)
    model.save(tmp_path / "transfer.dlbook")
    x = np.random.default_rng(0).random((4, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(L.load_model(tmp_path / "transfer.dlbook").predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6)

