"""Using convnets with small datasets

The book's section 5.2 (first edition): cats vs dogs from 2,000 training pictures (1,000 of
each; 1,000 for validation, 1,000 for testing), read from class folders by
``ImageDataGenerator.flow_from_directory`` at 150x150. A convnet of four ``Conv2D`` +
``MaxPooling2D`` blocks (32, 64, 128, 128 filters), ``Flatten``, ``Dense(512)``,
``Dense(1, sigmoid)``, trained from scratch with RMSprop(lr=1e-4) and ``fit_generator`` (30
epochs of 100 batches of 20): training accuracy climbs to 0.99 while validation accuracy stalls
at about 0.72 (0.724 at epoch 30) and the validation loss is lowest at epoch 10: overfitting.
Then data augmentation (``rotation_range=40``, shifts, shear and zoom of 0.2, horizontal flips)
and a ``Dropout(0.5)`` before the classifier, 100 epochs of 100 batches of 32: about 0.82.

What it trains on by default (offline): a stand-in in the same folder layout, written as PNG
files into a temporary folder: images of ``dl_convnet.datasets.shapes`` (white shapes of any
size, place and angle on black), two classes as the book's two, ``squares/`` and
``triangles/``, 2,000 training images (1,000 of each), 1,000 for validation and 1,000 for
testing, at 48x48 instead of 150x150 (the smallest size the book's four blocks take), so that
an epoch takes a few seconds on 2 cores. The code path is the book's: the same model (its first
layer sized for 48x48x3), ``flow_from_directory`` reading the files, ``fit_generator``. Each
run is as the book's or shorter: 30 epochs of one pass over the training images without
augmentation, 30 epochs of one pass (63 batches of 32) with it, instead of 30 and 100; the
stand-in is easier than cats vs dogs, so read its accuracies against each other and against
the 0.5 of guessing, not against the book's. Measured (seed 0): without augmentation the
training accuracy reaches 1.0 and the validation accuracy 0.993; the validation loss, noisy, is
lowest at epoch 26 of 30, so overfitting barely starts: unlike 2,000 photos of cats and dogs,
2,000 shapes are enough data. With augmentation and dropout the model learns more slowly (0.75
validation accuracy at epoch 10, against 0.94 without) and ends a little higher (0.999
validation, 0.999 test against 0.997), its validation loss still falling at epoch 30 and its
training accuracy (0.97, on augmented images) below the validation accuracy: it helps, a
little, here. The training curves (``dl_viz.plot_history``),
some augmented images and the two models go to ``--out`` (default: a temporary folder).
``--quick`` (for the tests): 1,000 training images (500 of each), 200 for validation and test,
6 epochs, then 1 with augmentation.

On the book's data: download ``train.zip`` of https://www.kaggle.com/c/dogs-vs-cats/data
(543 MB, a Kaggle account is needed), unpack it, and make the small folders as the book does:
``cat.0.jpg`` to ``cat.999.jpg`` in ``cats_and_dogs_small/train/cats``, ``cat.1000.jpg`` to
``cat.1499.jpg`` in ``validation/cats``, ``cat.1500.jpg`` to ``cat.1999.jpg`` in ``test/cats``,
the same for the dogs in ``dogs/``. Then pass ``--data-dir cats_and_dogs_small``: the images
are read at 150x150 and trained with the book's own numbers (30 epochs of 100 steps, then 100
epochs of 100 steps); on 2 cores with NumPy that is about three hours.

    python examples/notebooks/nb5_2_using_convnets_with_small_datasets.py [--quick] [--seed 0] [--out DIR]
    python examples/notebooks/nb5_2_using_convnets_with_small_datasets.py --data-dir ~/data/cats_and_dogs_small
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
from beside_the_book import Row, print_beside_the_book

import dl_layers
import dl_viz
from dl_convnet import Conv2D, ImageDataGenerator, MaxPooling2D
from dl_convnet.datasets import shapes
from dl_convnet.image_utils import save_img
from dl_layers import layers, models, optimizers

TITLE = "5.2 Using convnets with small datasets"
STAND_IN = {"squares": shapes.CLASS_NAMES.index("square"), "triangles": shapes.CLASS_NAMES.index("triangle")}
"""The stand-in's class folders (the book's ``cats/`` and ``dogs/``) and the shapes label each holds."""


def make_stand_in(base_dir: Path, counts: dict, image_size: int, seed: int) -> None:
    """Write shapes images as PNG files in the book's layout: ``base_dir/{train,validation,test}/{squares,triangles}``,
    ``counts[split]`` images of each class per split."""
    total = sum(counts.values())
    (x, y), _ = shapes.load_data(n_train=len(shapes.CLASS_NAMES) * (total + 20), n_test=1, image_size=image_size,
                                 seed=seed)
    for name, label in STAND_IN.items():
        images = x[y == label]  # (total + 20, size, size): enough of this shape for every split
        start = 0
        for split, count in counts.items():
            folder = base_dir / split / name
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(count):
                save_img(folder / f"{name[:-1]}.{start + i}.png", images[start + i][..., None], scale=False)
            start += count


def build_model(input_shape, dropout: bool) -> models.Sequential:
    """The book's small convnet for cats vs dogs (with the Dropout of the augmented run if asked)."""
    model = models.Sequential()
    model.add(Conv2D(32, (3, 3), activation="relu", input_shape=input_shape))
    model.add(MaxPooling2D((2, 2)))
    model.add(Conv2D(64, (3, 3), activation="relu"))
    model.add(MaxPooling2D((2, 2)))
    model.add(Conv2D(128, (3, 3), activation="relu"))
    model.add(MaxPooling2D((2, 2)))
    model.add(Conv2D(128, (3, 3), activation="relu"))
    model.add(MaxPooling2D((2, 2)))
    model.add(layers.Flatten())
    if dropout:
        model.add(layers.Dropout(0.5))
    model.add(layers.Dense(512, activation="relu"))
    model.add(layers.Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer=optimizers.RMSprop(lr=1e-4), metrics=["acc"])
    return model


def count_images(folder: Path) -> int:
    return sum(1 for entry in os.scandir(folder) if entry.is_file())


def overfitting_epoch(history) -> int:
    """The epoch (from 1) of the lowest validation loss: past it the model overfits."""
    return int(np.argmin(history.history["val_loss"])) + 1


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (for the tests)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="the book's cats_and_dogs_small folder (train/validation/test, each with cats/ dogs/)")
    parser.add_argument("--epochs", type=int, default=None, help="epochs without augmentation")
    parser.add_argument("--aug-epochs", type=int, default=None, help="epochs with augmentation")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="the folder for figures and models (default: temporary)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="nb5_2_"))
    out.mkdir(parents=True, exist_ok=True)
    dl_layers.set_random_seed(args.seed)

    if args.data_dir is not None:
        base_dir, size = args.data_dir.expanduser(), 150
        data = None  # said once the folders are counted
    else:
        base_dir, size = Path(tempfile.mkdtemp(prefix="shapes_small_")), 48
        counts = {"train": 500, "validation": 100, "test": 100} if args.quick else \
            {"train": 1000, "validation": 500, "test": 500}
        make_stand_in(base_dir, counts, size, args.seed)
        data = (f"shapes, squares vs triangles, {2 * counts['train']:,} training / {2 * counts['validation']:,} "
                f"validation images at {size}x{size} (stand-in for cats vs dogs)")
    try:
        return train_and_report(args, base_dir, size, data, out)
    finally:
        if args.data_dir is None:
            shutil.rmtree(base_dir, ignore_errors=True)  # the stand-in's image files


def train_and_report(args, base_dir: Path, size: int, data: str | None, out: Path) -> dict:
    """The book's two runs on the class folders under ``base_dir``, read at ``size`` x ``size``."""
    train_dir, validation_dir, test_dir = base_dir / "train", base_dir / "validation", base_dir / "test"
    for split in (train_dir, validation_dir, test_dir):
        for class_dir in sorted(p for p in split.iterdir() if p.is_dir()):
            print(f"total {split.name} {class_dir.name} images:", count_images(class_dir))
    n_train = sum(count_images(d) for d in train_dir.iterdir() if d.is_dir())
    n_val = sum(count_images(d) for d in validation_dir.iterdir() if d.is_dir())
    n_test = sum(count_images(d) for d in test_dir.iterdir() if d.is_dir())
    book_run = args.data_dir is not None
    if data is None:
        data = f"cats vs dogs, {n_train:,} training / {n_val:,} validation pictures (Kaggle, the book's data)"
    epochs = args.epochs or (6 if args.quick else 30)
    aug_epochs = args.aug_epochs or (100 if book_run else 1 if args.quick else 30)

    # 1. The convnet from scratch, without augmentation.
    model = build_model((size, size, 3), dropout=False)
    model.summary()
    train_datagen = ImageDataGenerator(rescale=1.0 / 255)  # all images rescaled by 1/255
    test_datagen = ImageDataGenerator(rescale=1.0 / 255)
    train_generator = train_datagen.flow_from_directory(train_dir, target_size=(size, size), batch_size=20,
                                                        class_mode="binary")
    validation_generator = test_datagen.flow_from_directory(validation_dir, target_size=(size, size), batch_size=20,
                                                            class_mode="binary")
    for data_batch, labels_batch in train_generator:
        print("data batch shape:", data_batch.shape)
        print("labels batch shape:", labels_batch.shape)
        break
    history = model.fit_generator(train_generator, steps_per_epoch=100 if book_run else math.ceil(n_train / 20),
                                  epochs=epochs, validation_data=validation_generator,
                                  validation_steps=50 if book_run else math.ceil(n_val / 20), verbose=2)
    model.save(out / "cats_and_dogs_small_1.dlbook")
    figures = [dl_viz.save_figure(dl_viz.plot_history(history), out / "nb5_2_history_no_augmentation.png")]

    # 2. Data augmentation: what the generator makes of one training image.
    datagen = ImageDataGenerator(rotation_range=40, width_shift_range=0.2, height_shift_range=0.2, shear_range=0.2,
                                 zoom_range=0.2, horizontal_flip=True, fill_mode="nearest")
    x, _ = next(test_datagen.flow_from_directory(train_dir, target_size=(size, size), batch_size=1,
                                                 class_mode="binary", shuffle=False))
    x = x * 255  # (1, size, size, 3) back to 0-255, as the book's img_to_array gives
    fig, axes = dl_viz.new_grid(4, ncols=4, panel_size=2.0, title="augmented versions of one training image")
    for ax, batch in zip(axes, datagen.flow(x, batch_size=1)):
        ax.imshow(batch[0].astype("uint8"))
    figures.append(dl_viz.save_figure(fig, out / "nb5_2_augmented_images.png"))

    # 3. The convnet with Dropout, trained on augmented images.
    dl_layers.set_random_seed(args.seed)
    model_aug = build_model((size, size, 3), dropout=True)
    train_datagen = ImageDataGenerator(rescale=1.0 / 255, rotation_range=40, width_shift_range=0.2,
                                       height_shift_range=0.2, shear_range=0.2, zoom_range=0.2, horizontal_flip=True)
    test_datagen = ImageDataGenerator(rescale=1.0 / 255)  # the validation data must not be augmented
    train_generator = train_datagen.flow_from_directory(train_dir, target_size=(size, size), batch_size=32,
                                                        class_mode="binary")
    validation_generator = test_datagen.flow_from_directory(validation_dir, target_size=(size, size), batch_size=32,
                                                            class_mode="binary")
    history_aug = model_aug.fit_generator(train_generator, steps_per_epoch=100 if book_run else math.ceil(n_train / 32),
                                          epochs=aug_epochs, validation_data=validation_generator,
                                          validation_steps=50 if book_run else math.ceil(n_val / 32), verbose=2)
    model_aug.save(out / "cats_and_dogs_small_2.dlbook")
    figures.append(dl_viz.save_figure(dl_viz.plot_history(history_aug), out / "nb5_2_history_augmentation.png"))

    # Both models on the test images (the book keeps them for section 5.3).
    test_generator = test_datagen.flow_from_directory(test_dir, target_size=(size, size), batch_size=20,
                                                      class_mode="binary", shuffle=False)
    test_acc = model.evaluate_generator(test_generator, steps=math.ceil(n_test / 20))[1]
    test_acc_aug = model_aug.evaluate_generator(test_generator, steps=math.ceil(n_test / 20))[1]
    for path in figures:
        print(f"figure: {path}")

    h, h_aug = history.history, history_aug.history
    results = {
        "val_acc": float(h["val_acc"][-1]), "best_val_acc": float(max(h["val_acc"])), "train_acc": float(h["acc"][-1]),
        "overfit_epoch": overfitting_epoch(history), "val_acc_aug": float(h_aug["val_acc"][-1]),
        "best_val_acc_aug": float(max(h_aug["val_acc"])), "overfit_epoch_aug": overfitting_epoch(history_aug),
        "test_acc": float(test_acc), "test_acc_aug": float(test_acc_aug), "epochs": epochs, "aug_epochs": aug_epochs,
    }
    print(f"without augmentation: validation loss lowest at epoch {results['overfit_epoch']} of {epochs}; "
          f"with augmentation and dropout: at epoch {results['overfit_epoch_aug']} of {aug_epochs}")
    rows = [
        Row("no augmentation: training accuracy, last epoch", book=0.9895, ours=results["train_acc"], data=data),
        Row("no augmentation: validation accuracy, last epoch", book=0.724, ours=results["val_acc"], data=data),
        Row("no augmentation: best validation accuracy", book=0.731, ours=results["best_val_acc"], data=data),
        Row("no augmentation: epoch of the lowest validation loss", book=10,
            ours=f"{results['overfit_epoch']} of {epochs}", data=data),
        Row("augmentation + dropout: validation accuracy, last epoch", book="~0.82", ours=results["val_acc_aug"],
            data=data),
        Row("augmentation + dropout: best validation accuracy", book=None, ours=results["best_val_acc_aug"],
            data=data),
        Row("augmentation + dropout: epoch of the lowest validation loss", book=None,
            ours=f"{results['overfit_epoch_aug']} of {aug_epochs}", data=data),
        Row("test accuracy without / with augmentation", book=None,
            ours=f"{results['test_acc']:.3f} / {results['test_acc_aug']:.3f}", data=data),
    ]
    print_beside_the_book(TITLE, rows)
    return {"rows": rows, "figures": figures, **results}


if __name__ == "__main__":
    main()
