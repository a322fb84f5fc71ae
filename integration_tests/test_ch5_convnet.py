"""Chapter 5 end to end on real images: scikit-learn's 8x8 digits (a scanner and a hand-writing
sample other than MNIST's), a convnet trained from scratch, and the shipped MiniVGG (pretrained
on MNIST digits) transferred to them."""

import numpy as np
import pytest

import dl_layers as L
from dl_convnet import Conv2D, MaxPooling2D, MiniVGG, RandomRotation, RandomTranslation, Resizing


@pytest.fixture(scope="module")
def digit_images(digits):
    """The digits as images: (n, 8, 8, 1) in [0, 1]."""
    x_train, y_train, x_test, y_test = digits
    return x_train.reshape(-1, 8, 8, 1), y_train, x_test.reshape(-1, 8, 8, 1), y_test


@pytest.fixture(scope="module")
def mnist_like(digit_images):
    """The same digits drawn as MNIST draws its own: a 20x20 digit in the middle of 28x28."""
    x_train, y_train, x_test, y_test = digit_images

    def to_28(x):
        return np.pad(Resizing(20, 20)(x).numpy(), ((0, 0), (4, 4), (4, 4), (0, 0)))  # (n, 28, 28, 1)

    return to_28(x_train), y_train, to_28(x_test), y_test


def test_a_convnet_learns_real_digits_and_survives_save_and_load(digit_images, tmp_path):
    x_train, y_train, x_test, y_test = digit_images
    L.set_random_seed(0)
    model = L.Sequential([
        Conv2D(32, (3, 3), activation="relu", padding="same", input_shape=(8, 8, 1)),
        MaxPooling2D((2, 2)),
        Conv2D(64, (3, 3), activation="relu", padding="same"),
        MaxPooling2D((2, 2)),
        L.Flatten(),
        L.Dense(64, activation="relu"),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=20, batch_size=32, validation_split=0.1, verbose=0)
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    assert np.bincount(y_test).max() / len(y_test) < 0.15  # the majority-class baseline
    assert test_acc > 0.95, f"test accuracy {test_acc:.3f}"
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]

    model.save(tmp_path / "digits_convnet.dlbook")
    reloaded = L.load_model(tmp_path / "digits_convnet.dlbook")
    np.testing.assert_allclose(reloaded.predict(x_test, verbose=0), model.predict(x_test, verbose=0), rtol=1e-5)
    np.testing.assert_allclose(reloaded.evaluate(x_test, y_test, verbose=0), [test_loss, test_acc], rtol=1e-5)


def test_the_pretrained_minivgg_reads_digits_it_never_saw(mnist_like):
    """Trained on MNIST only, its classifier still reads most of another source's digits."""
    _, _, x_test, y_test = mnist_like
    accuracy = (MiniVGG(weights="pretrained").predict(x_test, verbose=0).argmax(axis=1) == y_test).mean()
    assert accuracy > 0.7, f"accuracy {accuracy:.3f} (chance 0.1)"


def _ten_per_class(x, y):
    rows = np.concatenate([np.flatnonzero(y == digit)[:10] for digit in range(10)])  # 100 images
    return x[rows], y[rows]


def _fit_head(conv_base, x, y, x_test, y_test, augment=False):
    L.set_random_seed(0)
    layers = [RandomRotation(0.03, fill_mode="constant"), RandomTranslation(0.1, 0.1, fill_mode="constant")]
    model = L.Sequential([L.Input(shape=(28, 28, 1)), *(layers if augment else []), conv_base, L.Flatten(),
                          L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")])
    model.compile(optimizer=L.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    return model, model.evaluate(x_test, y_test, verbose=0)[1]


def test_feature_extraction_and_fine_tuning_beat_training_from_scratch_on_100_images(mnist_like):
    x_train, y_train, x_test, y_test = mnist_like
    x, y = _ten_per_class(x_train, y_train)
    L.set_random_seed(0)
    _, scratch = _fit_head(MiniVGG(weights=None, include_top=False, input_shape=(28, 28, 1)), x, y, x_test, y_test)

    conv_base = MiniVGG(weights="pretrained", include_top=False, input_shape=(28, 28, 1))
    conv_base.trainable = False
    model, extracted = _fit_head(conv_base, x, y, x_test, y_test, augment=True)
    assert extracted > 0.9, f"feature extraction {extracted:.3f}"
    assert extracted > scratch + 0.05, f"feature extraction {extracted:.3f}, from scratch {scratch:.3f}"

    conv_base.trainable = True  # fine-tune the top block, as the book does with block5 of VGG16
    for layer in conv_base.layers[:-3]:
        layer.trainable = False
    model.compile(optimizer=L.optimizers.RMSprop(learning_rate=1e-4), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    frozen = conv_base.get_layer("block2_conv2").get_weights()[0]
    model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    fine_tuned = model.evaluate(x_test, y_test, verbose=0)[1]
    np.testing.assert_array_equal(conv_base.get_layer("block2_conv2").get_weights()[0], frozen)
    assert fine_tuned > extracted - 0.02, f"fine-tuned {fine_tuned:.3f} after {extracted:.3f}"
