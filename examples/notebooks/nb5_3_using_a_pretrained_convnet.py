"""Using a pre-trained convnet

The book's section 5.3 (first edition) reuses VGG16, trained on ImageNet, for cats vs dogs
(2,000 training, 1,000 validation and 1,000 test images of 150x150):

1. fast feature extraction: the convolutional base's outputs for every image are computed once,
   then a densely connected classifier (``Dense(256)``, ``Dropout(0.5)``, ``Dense(1, sigmoid)``)
   is trained on them (RMSprop lr=2e-5, 30 epochs of batch 20): validation accuracy 0.903;
2. feature extraction with data augmentation: the frozen base inside the model, trained end to
   end on augmented images (30 epochs): about 0.96;
3. fine-tuning: the last convolutional block unfrozen, RMSprop lr=1e-5, 100 more epochs:
   validation accuracy 0.975, test accuracy 0.968;

all far above the 0.82 of the convnet trained from scratch with augmentation in section 5.2.

Here the pretrained network is ``dl_convnet.applications.MiniVGG``: a small VGG (three blocks of
two 3x3 convolutions and a max pooling, 16/32/64 filters) whose weights, learned on 8,000
handwritten digits of MNIST, ship with the package. Its new task is one it never saw:
``dl_convnet.datasets.shapes`` (28x28 images of five shapes, drawn at any size, place and
angle), from a small training set: 100 images (20 per class), 500 for validation, 1,000 for
testing. The shapes are simpler than photos, so the training set is 20 times smaller than the
book's to keep the task hard. The classifier ends with ``Dense(5, softmax)`` over the five
shapes instead of ``Dense(1, sigmoid)``, and the base's last block is ``block3`` (VGG16's is
``block5``). A fourth model, the book's implied baseline, is the same network (MiniVGG's
architecture with random weights + the same classifier) trained from scratch on the same 100
images with the same augmentation, for as many epochs as (2) and (3) together.

Learning rates: the book's (2e-5, then 1e-5) are tuned for 2,000 images and VGG16's 8,192
features; with 100 images an epoch is 5 steps, so they barely move the weights in 30 epochs.
We use 1e-4 for (1), 1e-3 for (2), 1e-4 for fine-tuning (3) (still 10 times below (2), the
book's point) and 1e-3 from scratch; 30 epochs each (fine-tuning: 30, not 100). Trained from
scratch on 100 images, the network's validation accuracy swings from epoch to epoch (a good
epoch can be followed by a bad one), so its best epoch is reported beside its last.

On the book's data: the book's VGG16 ImageNet weights are not shipped (they are 58 MB and need a
download); this script's method is the book's, and ``nb5_2_using_convnets_with_small_datasets.py
--data-dir`` trains the section 5.2 convnets on the real cats vs dogs folders.

``--quick`` (for the tests): fewer epochs (8, 4 and 8 for the augmented models).

    python examples/notebooks/nb5_3_using_a_pretrained_convnet.py [--quick] [--seed 0] [--out DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from beside_the_book import Row, print_beside_the_book

import dl_layers
from dl_convnet import ImageDataGenerator, MiniVGG
from dl_convnet.datasets import shapes
from dl_layers import layers, models, optimizers

TITLE = "5.3 Using a pre-trained convnet"
NUM_CLASSES = len(shapes.CLASS_NAMES)
BATCH_SIZE = 20


def load_shapes(per_class: int, n_validation: int, n_test: int, seed: int):
    """Balanced training images (``per_class`` of each shape) plus validation and test images,
    uint8 ``(n, 28, 28, 1)`` with labels 0-4."""
    (x, y), (x_test, y_test) = shapes.load_data(n_train=NUM_CLASSES * per_class + n_validation + 50, n_test=n_test,
                                                seed=seed)
    x, x_test = x[..., None], x_test[..., None]  # (n, 28, 28) -> (n, 28, 28, 1): one channel
    train = np.sort(np.concatenate([np.flatnonzero(y == label)[:per_class] for label in range(NUM_CLASSES)]))
    rest = np.setdiff1d(np.arange(len(y)), train)[:n_validation]
    return (x[train], y[train]), (x[rest], y[rest]), (x_test, y_test)


def extract_features(conv_base, datagen, images, labels, sample_count):
    """The book's loop: run the convolutional base on batches of (rescaled) images, once."""
    features = np.zeros(shape=(sample_count,) + conv_base.output_shape[1:])  # (n, 3, 3, 64)
    labels_out = np.zeros(shape=(sample_count,))
    generator = datagen.flow(images, labels, batch_size=BATCH_SIZE, shuffle=False)
    i = 0
    for inputs_batch, labels_batch in generator:
        features_batch = conv_base.predict(inputs_batch)
        features[i * BATCH_SIZE: (i + 1) * BATCH_SIZE] = features_batch
        labels_out[i * BATCH_SIZE: (i + 1) * BATCH_SIZE] = labels_batch
        i += 1
        if i * BATCH_SIZE >= sample_count:
            break  # the generator loops forever: stop after every image has been seen once
    return features, labels_out


def with_classifier(conv_base) -> models.Sequential:
    """The book's model: the convolutional base, then Flatten, Dense(256), and a new classifier."""
    model = models.Sequential()
    model.add(conv_base)
    model.add(layers.Flatten())
    model.add(layers.Dense(256, activation="relu"))
    model.add(layers.Dense(NUM_CLASSES, activation="softmax"))
    return model


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (for the tests)")
    parser.add_argument("--per-class", type=int, default=20, help="training images per shape (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="a folder for the training curves (PNG)")
    args = parser.parse_args(argv)
    epochs_features, epochs_frozen, epochs_fine, epochs_scratch = (30, 8, 4, 8) if args.quick else (30, 30, 30, 60)

    (train_images, train_labels), (val_images, val_labels), (test_images, test_labels) = load_shapes(
        args.per_class, 500, 1000, args.seed)
    n_train, n_val, n_test = len(train_images), len(val_images), len(test_images)
    print(f"shapes: {n_train} training, {n_val} validation, {n_test} test images of {', '.join(shapes.CLASS_NAMES)}")
    majority = float(np.bincount(test_labels).max() / n_test)
    data = (f"shapes, {n_train} training images ({args.per_class} per class), {n_val} validation, {n_test:,} test "
            "(stand-in for cats vs dogs)")

    conv_base = MiniVGG(weights="pretrained", include_top=False, input_shape=(28, 28, 1))
    conv_base.summary()
    histories, results = {}, {}

    # 1. Fast feature extraction without data augmentation.
    datagen = ImageDataGenerator(rescale=1.0 / 255)
    start = time.perf_counter()
    train_features, train_y = extract_features(conv_base, datagen, train_images, train_labels, n_train)
    validation_features, validation_y = extract_features(conv_base, datagen, val_images, val_labels, n_val)
    test_features, test_y = extract_features(conv_base, datagen, test_images, test_labels, n_test)
    print(f"features extracted in {time.perf_counter() - start:.1f} s: {train_features.shape}")
    train_features = np.reshape(train_features, (n_train, 3 * 3 * 64))  # (n, 3, 3, 64) -> (n, 576)
    validation_features = np.reshape(validation_features, (n_val, 3 * 3 * 64))
    test_features = np.reshape(test_features, (n_test, 3 * 3 * 64))

    dl_layers.set_random_seed(args.seed)
    model = models.Sequential()
    model.add(layers.Dense(256, activation="relu", input_dim=3 * 3 * 64))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(NUM_CLASSES, activation="softmax"))
    model.compile(optimizer=optimizers.RMSprop(lr=1e-4), loss="sparse_categorical_crossentropy", metrics=["acc"])
    histories["1 feature extraction"] = model.fit(train_features, train_y, epochs=epochs_features,
                                                  batch_size=BATCH_SIZE,
                                                  validation_data=(validation_features, validation_y), verbose=2)
    results["features"] = model.evaluate(test_features, test_y, verbose=0)[1]
    print(f"(1) fast feature extraction: test accuracy {results['features']:.3f}")

    # 2. Feature extraction with data augmentation: the frozen base inside the model.
    train_datagen = ImageDataGenerator(rescale=1.0 / 255, rotation_range=40, width_shift_range=0.2,
                                       height_shift_range=0.2, shear_range=0.2, zoom_range=0.2,
                                       horizontal_flip=True, fill_mode="nearest")
    test_datagen = ImageDataGenerator(rescale=1.0 / 255)  # the validation data is not augmented
    steps_per_epoch = -(-n_train // BATCH_SIZE)  # one pass over the training images per epoch
    validation_steps = -(-n_val // BATCH_SIZE)

    dl_layers.set_random_seed(args.seed)
    model = with_classifier(conv_base)
    model.summary()
    trainable_before = len(model.trainable_weights)
    conv_base.trainable = False
    trainable_after = len(model.trainable_weights)
    print("This is the number of trainable weights before freezing the conv base:", trainable_before)
    print("This is the number of trainable weights after freezing the conv base:", trainable_after)
    train_generator = train_datagen.flow(train_images, train_labels, batch_size=BATCH_SIZE)
    validation_generator = test_datagen.flow(val_images, val_labels, batch_size=BATCH_SIZE)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizers.RMSprop(lr=1e-3), metrics=["acc"])
    start = time.perf_counter()
    histories["2 frozen base + augmentation"] = model.fit_generator(
        train_generator, steps_per_epoch=steps_per_epoch, epochs=epochs_frozen,
        validation_data=validation_generator, validation_steps=validation_steps, verbose=2)
    test_generator = test_datagen.flow(test_images, test_labels, batch_size=BATCH_SIZE, shuffle=False)
    results["frozen"] = model.evaluate_generator(test_generator, steps=-(-n_test // BATCH_SIZE))[1]
    print(f"(2) frozen base + augmentation: test accuracy {results['frozen']:.3f} "
          f"({time.perf_counter() - start:.1f} s)")

    # 3. Fine-tuning: unfreeze the last block (block3), keep the others frozen, a 10 times lower rate.
    conv_base.trainable = True
    set_trainable = False
    for layer in conv_base.layers:
        if layer.name == "block3_conv1":
            set_trainable = True
        layer.trainable = set_trainable
    print("trainable weights while fine-tuning:", len(model.trainable_weights))
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizers.RMSprop(lr=1e-4), metrics=["acc"])
    start = time.perf_counter()
    histories["3 fine-tuning block3"] = model.fit_generator(
        train_generator, steps_per_epoch=steps_per_epoch, epochs=epochs_fine,
        validation_data=validation_generator, validation_steps=validation_steps, verbose=2)
    test_loss, test_acc = model.evaluate_generator(test_generator, steps=-(-n_test // BATCH_SIZE))
    results["fine_tuned"] = test_acc
    print("test acc:", test_acc, f"({time.perf_counter() - start:.1f} s)")

    # 4. The baseline: the same network from scratch (random weights), same images and augmentation.
    dl_layers.set_random_seed(args.seed)
    scratch = with_classifier(MiniVGG(weights=None, include_top=False, input_shape=(28, 28, 1)))
    scratch.compile(loss="sparse_categorical_crossentropy", optimizer=optimizers.RMSprop(lr=1e-3), metrics=["acc"])
    start = time.perf_counter()
    histories["4 from scratch + augmentation"] = scratch.fit_generator(
        train_generator, steps_per_epoch=steps_per_epoch, epochs=epochs_scratch,
        validation_data=validation_generator, validation_steps=validation_steps, verbose=2)
    results["scratch"] = scratch.evaluate_generator(test_generator, steps=-(-n_test // BATCH_SIZE))[1]
    print(f"(4) the same network from scratch: test accuracy {results['scratch']:.3f} "
          f"({time.perf_counter() - start:.1f} s)")

    if args.out is not None:
        from dl_viz import plot_history, save_figure

        args.out.mkdir(parents=True, exist_ok=True)
        for name, history in histories.items():
            path = save_figure(plot_history(history, smooth=0.8), args.out / f"nb5_3_{name.replace(' ', '_')}.png")
            print(f"training curves of ({name}): {path}")

    last_val = {name: float(h.history["val_acc"][-1]) for name, h in histories.items()}
    best_val = {name: float(max(h.history["val_acc"])) for name, h in histories.items()}
    rows = [
        Row("(1) fast feature extraction: validation accuracy", book=0.903,
            ours=last_val["1 feature extraction"], data=data),
        Row("(2) frozen base + augmentation: validation accuracy", book="~0.96",
            ours=last_val["2 frozen base + augmentation"], data=data),
        Row("(3) fine-tuning the last block: validation accuracy", book=0.975,
            ours=last_val["3 fine-tuning block3"], data=data),
        Row("(3) fine-tuning the last block: test accuracy", book=0.968, ours=float(results["fine_tuned"]), data=data),
        Row("(1) fast feature extraction: test accuracy", book=None, ours=float(results["features"]), data=data),
        Row("(2) frozen base + augmentation: test accuracy", book=None, ours=float(results["frozen"]), data=data),
        Row("(4) same network from scratch + augmentation: test accuracy", book="0.82 (5.2, validation)",
            ours=float(results["scratch"]), data=data),
        Row("(3) fine-tuning: best validation accuracy, any epoch", book=0.983,
            ours=best_val["3 fine-tuning block3"], data=data),
        Row("(4) from scratch: best validation accuracy, any epoch", book=None,
            ours=best_val["4 from scratch + augmentation"], data=data),
        Row("majority-class test accuracy", book=0.5, ours=majority, data=data),
        Row("trainable weight tensors before / after freezing the base", book="30 / 4",
            ours=f"{trainable_before} / {trainable_after}", data="the model itself"),
    ]
    print_beside_the_book(TITLE, rows)
    return {"rows": rows, "features_test_acc": float(results["features"]), "frozen_test_acc": float(results["frozen"]),
            "fine_tuned_test_acc": float(results["fine_tuned"]), "scratch_test_acc": float(results["scratch"]),
            "majority": majority, "trainable_before": trainable_before, "trainable_after": trainable_after}


if __name__ == "__main__":
    main()
