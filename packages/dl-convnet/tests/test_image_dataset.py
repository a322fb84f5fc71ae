"""find_images and image_dataset_from_directory, on small cats-vs-dogs folders drawn by the tests.

Each class's images are solid colours (with a little noise, of various sizes and formats), so
a label can be checked from its image, and a tiny model can learn the classes from them.
"""

import os

import numpy as np
import pytest
from PIL import Image

import dl_layers
from dl_convnet.image_dataset import ALLOWED_EXTENSIONS, ImageDataset, find_images, image_dataset_from_directory
from dl_layers import Dense, Flatten, Sequential

COLOURS = {"cat": (220, 40, 40), "dog": (40, 40, 220), "fox": (40, 220, 40)}
OWNER = "image_dataset_from_directory: "


def draw(path, colour, size=(12, 16), seed=0):
    """A noisy solid-colour image of ``size`` (height, width), in the format of its extension."""
    rng = np.random.default_rng(seed)
    pixels = np.clip(np.array(colour) + rng.integers(-15, 16, size + (3,)), 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(path)


def make_tree(root, counts=None, extensions=(".png", ".jpg")):
    """``root/<class>/<class>.<i><ext>``: ``counts[class]`` images per class, formats and sizes mixed."""
    counts = counts or {"cat": 6, "dog": 4}
    for name, count in counts.items():
        (root / name).mkdir(parents=True)
        for i in range(count):
            ext = extensions[i % len(extensions)]
            draw(root / name / f"{name}.{i}{ext}", COLOURS[name], size=(10 + i, 14 + 2 * i), seed=i)
    return root


def class_of(images):
    """The class each image's colour says: 0 for red (cat), 1 for blue (dog), 2 for green (fox)."""
    mean = images.reshape(len(images), -1, images.shape[-1]).mean(axis=1)  # (b, h, w, c) -> (b, c)
    return np.select([mean[:, 0] > 128, mean[:, 2] > 128], [0, 1], default=2)


def relative(paths, root):
    return [os.path.relpath(p, root).replace(os.sep, "/") for p in paths]


# ----------------------------------------------------------------------------- find_images


def test_find_images_lists_classes_in_order(tmp_path):
    root = make_tree(tmp_path / "train", {"dog": 3, "cat": 2})
    paths, labels, class_names = find_images(root)
    assert class_names == ["cat", "dog"]
    assert relative(paths, root) == ["cat/cat.0.png", "cat/cat.1.jpg", "dog/dog.0.png", "dog/dog.1.jpg",
                                     "dog/dog.2.png"]
    assert labels.dtype == np.int32
    np.testing.assert_array_equal(labels, [0, 0, 1, 1, 1])


def test_find_images_picks_image_files_only(tmp_path):
    root = make_tree(tmp_path / "train", {"cat": 1, "dog": 1})
    for name in ("cat/notes.txt", "cat/.DS_Store", "cat/._cat.0.png", "dog/UPPER.JPG", "dog/b.Jpeg", "dog/c.bmp",
                 "dog/d.gif", "dog/deeper/e.png", "dog/.hidden/f.png"):
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_bytes(b"")  # find_images does not open them
    (root / ".ipynb_checkpoints").mkdir()
    paths, labels, class_names = find_images(str(root))
    assert class_names == ["cat", "dog"]
    assert relative(paths, root) == ["cat/cat.0.png", "dog/UPPER.JPG", "dog/b.Jpeg", "dog/c.bmp", "dog/d.gif",
                                     "dog/deeper/e.png", "dog/dog.0.png"]
    assert ALLOWED_EXTENSIONS == (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def test_classes_choose_and_order_the_folders(tmp_path):
    root = make_tree(tmp_path / "train", {"cat": 2, "dog": 1, "fox": 1})
    paths, labels, class_names = find_images(root, classes=["fox", "cat"])
    assert class_names == ["fox", "cat"]
    assert relative(paths, root) == ["fox/fox.0.png", "cat/cat.0.png", "cat/cat.1.jpg"]
    np.testing.assert_array_equal(labels, [0, 1, 1])


def test_follow_links(tmp_path):
    root = make_tree(tmp_path / "train", {"cat": 1, "dog": 1})
    extra = make_tree(tmp_path / "extra", {"fox": 2})
    try:
        os.symlink(extra / "fox", root / "dog" / "linked", target_is_directory=True)
    except (OSError, NotImplementedError):
        pytest.skip("symbolic links are not available here")
    assert len(find_images(root)[0]) == 2
    assert relative(find_images(root, follow_links=True)[0], root) == [
        "cat/cat.0.png", "dog/dog.0.png", "dog/linked/fox.0.png", "dog/linked/fox.1.jpg"]


def test_find_images_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="find_images: the directory .*nowhere' does not exist"):
        find_images(tmp_path / "nowhere")
    (tmp_path / "file.txt").write_text("")
    with pytest.raises(NotADirectoryError, match="find_images: argument `directory` must be a folder"):
        find_images(tmp_path / "file.txt")
    (tmp_path / "flat").mkdir()
    draw(tmp_path / "flat" / "a.png", COLOURS["cat"])
    with pytest.raises(ValueError, match="find_images: found no class folder in .*flat'"):
        find_images(tmp_path / "flat")
    root = make_tree(tmp_path / "train", {"cat": 1, "dog": 1})
    (root / "empty").mkdir()
    (root / "empty" / "readme.txt").write_text("no images here")
    with pytest.raises(ValueError, match=r"find_images: the class folder .*empty' holds no image file \(extensions "
                                         r"\.png"):
        find_images(root)
    with pytest.raises(FileNotFoundError, match=r"find_images: argument `classes` names class folders that do not "
                                                r"exist in .*: 'bird', 'cow'"):
        find_images(root, classes=["cat", "bird", "cow"])
    with pytest.raises(ValueError, match="find_images: argument `classes` names 'cat' more than once"):
        find_images(root, classes=["cat", "dog", "cat"])
    with pytest.raises(TypeError, match="find_images: argument `classes` must be a non-empty list"):
        find_images(root, classes="cat")
    with pytest.raises(TypeError, match="find_images: argument `follow_links` must be True or False"):
        find_images(root, follow_links="yes")


# ----------------------------------------------------------------------------- batches


@pytest.fixture
def tree(tmp_path):
    return make_tree(tmp_path / "train")  # 6 cats, 4 dogs


def all_batches(dataset):
    return [dataset[i] for i in range(len(dataset))]


def test_int_labels_shapes_and_values(tree, capsys):
    dataset = image_dataset_from_directory(tree, image_size=(8, 6), batch_size=4, seed=3)
    assert capsys.readouterr().out == "Found 10 files belonging to 2 classes.\n"
    assert isinstance(dataset, ImageDataset)
    assert dataset.class_names == ["cat", "dog"] and len(dataset) == 3 and len(dataset.file_paths) == 10
    batches = all_batches(dataset)
    assert [len(images) for images, _ in batches] == [4, 4, 2]
    for images, labels in batches:
        assert images.dtype == np.float32 and images.shape[1:] == (8, 6, 3)
        assert images.min() >= 0 and images.max() <= 255 and images.max() > 150  # 0..255, not 0..1
        assert labels.dtype == np.int32 and labels.shape == (len(images),)
        np.testing.assert_array_equal(labels, class_of(images))
    labels = np.concatenate([labels for _, labels in batches])
    folders = [os.path.basename(os.path.dirname(p)) for p in dataset.file_paths]
    np.testing.assert_array_equal(labels, [dataset.class_names.index(f) for f in folders])


def test_categorical_and_binary_labels(tree):
    images, labels = image_dataset_from_directory(tree, label_mode="categorical", image_size=(4, 4), seed=0,
                                                  verbose=False)[0]
    assert labels.dtype == np.float32 and labels.shape == (10, 2)
    np.testing.assert_array_equal(labels, np.eye(2)[class_of(images)])
    images, labels = image_dataset_from_directory(tree, label_mode="binary", image_size=(4, 4), seed=0,
                                                  verbose=False)[0]
    assert labels.dtype == np.float32 and labels.shape == (10, 1)
    np.testing.assert_array_equal(labels[:, 0], class_of(images))


def test_binary_needs_two_classes(tmp_path):
    root = make_tree(tmp_path / "train", {"cat": 1, "dog": 1, "fox": 1})
    with pytest.raises(ValueError, match=OWNER + r"argument `label_mode` is 'binary', which needs exactly 2 classes, "
                                                 r"got 3: \['cat', 'dog', 'fox'\]"):
        image_dataset_from_directory(root, label_mode="binary", verbose=False)
    ok = image_dataset_from_directory(root, label_mode="binary", class_names=["dog", "fox"], seed=0, verbose=False)
    assert len(ok.file_paths) == 2


def test_no_labels_gives_images_alone(tree, capsys):
    """As in Keras, without labels every image under the folder is taken, class folders or not."""
    (tree / "loose.png").write_bytes((tree / "cat" / "cat.0.png").read_bytes())  # outside any class folder
    for labels, label_mode in ((None, "int"), ("inferred", None)):
        dataset = image_dataset_from_directory(tree, labels=labels, label_mode=label_mode, image_size=(5, 5),
                                               batch_size=32, shuffle=False)
        batch = dataset[0]
        assert isinstance(batch, np.ndarray) and batch.shape == (11, 5, 5, 3)
        assert dataset.class_names is None and dataset.label_mode is None
        assert relative(dataset.file_paths, tree)[4:7] == ["cat/cat.4.png", "cat/cat.5.jpg", "dog/dog.0.png"]
        assert relative(dataset.file_paths, tree)[-1] == "loose.png"
        assert [batch.shape for batch in dataset] == [(11, 5, 5, 3)]
    assert capsys.readouterr().out == "Found 11 files.\nFound 11 files.\n"
    with pytest.raises(ValueError, match=OWNER + "argument `class_names` can only be given"):
        image_dataset_from_directory(tree, label_mode=None, class_names=["cat", "dog"])


def test_explicit_labels_follow_the_sorted_paths(tree):
    paths = sorted(relative(find_images(tree)[0], tree))  # cat/... then dog/...
    labels = [7 if p.startswith("dog") else 3 for p in paths]
    dataset = image_dataset_from_directory(tree, labels=labels, image_size=(4, 4), shuffle=False, verbose=False)
    assert relative(dataset.file_paths, tree) == paths
    assert dataset.class_names == [str(k) for k in range(8)]
    images, got = dataset[0]
    np.testing.assert_array_equal(got, np.where(class_of(images) == 1, 7, 3))
    with pytest.raises(ValueError, match=OWNER + r"argument `labels` has 3 labels but .* holds 10 image files"):
        image_dataset_from_directory(tree, labels=[0, 1, 0], verbose=False)
    with pytest.raises(TypeError, match=OWNER + "argument `labels` must be 'inferred', None, or a list of integer"):
        image_dataset_from_directory(tree, labels=[0.5] * 10, verbose=False)
    with pytest.raises(ValueError, match=OWNER + "argument `labels` must be 'inferred', None, or a list"):
        image_dataset_from_directory(tree, labels="folders", verbose=False)
    with pytest.raises(ValueError, match=OWNER + "argument `class_names` can only be given with labels='inferred'"):
        image_dataset_from_directory(tree, labels=labels, class_names=["cat", "dog"], verbose=False)


def test_class_names_set_the_label_order(tree):
    dataset = image_dataset_from_directory(tree, class_names=["dog", "cat"], image_size=(4, 4), seed=0,
                                           verbose=False)
    images, labels = dataset[0]
    np.testing.assert_array_equal(labels, 1 - class_of(images))
    with pytest.raises(FileNotFoundError, match=OWNER + "argument `class_names` names class folders that do not "
                                                        "exist.*'bird'"):
        image_dataset_from_directory(tree, class_names=["dog", "bird"], verbose=False)


def test_color_modes(tree):
    for color_mode, channels in (("grayscale", 1), ("rgb", 3), ("rgba", 4)):
        images, _ = image_dataset_from_directory(tree, color_mode=color_mode, image_size=(3, 3), seed=0,
                                                 verbose=False)[0]
        assert images.shape == (10, 3, 3, channels)
    with pytest.raises(ValueError, match=OWNER + "argument `color_mode` must be one of 'grayscale', 'rgb', 'rgba'"):
        image_dataset_from_directory(tree, color_mode="RGB", verbose=False)


def test_crop_to_aspect_ratio(tmp_path):
    (tmp_path / "flags" / "tricolour").mkdir(parents=True)
    flag = np.zeros((10, 30, 3), np.uint8)
    flag[:, :10], flag[:, 10:20], flag[:, 20:] = (255, 0, 0), (0, 255, 0), (0, 0, 255)
    Image.fromarray(flag).save(tmp_path / "flags" / "tricolour" / "a.png")
    cropped, _ = image_dataset_from_directory(tmp_path / "flags", image_size=(4, 4), crop_to_aspect_ratio=True,
                                              interpolation="nearest", verbose=False)[0]
    np.testing.assert_array_equal(cropped[0], np.broadcast_to([0, 255, 0], (4, 4, 3)))
    squeezed, _ = image_dataset_from_directory(tmp_path / "flags", image_size=(4, 4), interpolation="nearest",
                                               verbose=False)[0]
    assert squeezed[0, 0, 0, 0] == 255 and squeezed[0, 0, -1, 2] == 255


def test_batch_size_none_gives_single_images(tree):
    dataset = image_dataset_from_directory(tree, batch_size=None, image_size=(4, 5), shuffle=False, verbose=False)
    assert len(dataset) == 10
    image, label = dataset[-1]
    assert image.shape == (4, 5, 3) and label.shape == () and label == 1
    assert len(list(dataset)) == 10


def test_indexing(tree):
    dataset = image_dataset_from_directory(tree, batch_size=4, image_size=(4, 4), seed=0, verbose=False)
    np.testing.assert_array_equal(dataset[-1][1], dataset[2][1])
    with pytest.raises(IndexError, match="batch index 3 is out of range for 3 batches"):
        dataset[3]
    with pytest.raises(IndexError, match="batch index -4 is out of range"):
        dataset[-4]
    with pytest.raises(TypeError, match="a batch index must be an integer"):
        dataset[0.5]
    assert "10 files, 2 classes, 3 batches of 4" in repr(dataset)


# ----------------------------------------------------------------------------- shuffling and splits


def epoch_paths(dataset):
    """The files of one pass over ``dataset``, in the order it gave them (recognised by their pixels)."""
    fixed_order = np.concatenate([dataset[i][0] for i in range(len(dataset))])  # the order of file_paths
    names = {image.tobytes(): path for image, path in zip(fixed_order, dataset.file_paths, strict=True)}
    assert len(names) == len(dataset.file_paths)  # every image is told apart from the others
    return [names[image.tobytes()] for images, _ in dataset for image in images]


def test_shuffle_false_keeps_the_sorted_order(tree):
    dataset = image_dataset_from_directory(tree, shuffle=False, image_size=(4, 4), batch_size=3, verbose=False)
    assert dataset.file_paths == find_images(tree)[0]
    assert epoch_paths(dataset) == dataset.file_paths
    np.testing.assert_array_equal(np.concatenate([labels for _, labels in dataset]), [0] * 6 + [1] * 4)


def test_shuffle_is_seeded_and_new_at_each_pass(tree):
    def make(seed):
        return image_dataset_from_directory(tree, image_size=(4, 4), batch_size=3, seed=seed, verbose=False)

    first, same = make(5), make(5)
    assert first.file_paths == same.file_paths
    assert sorted(first.file_paths) == sorted(find_images(tree)[0])
    assert first.file_paths != make(6).file_paths
    orders = [epoch_paths(first) for _ in range(3)]
    assert orders == [epoch_paths(same) for _ in range(3)]  # same seed, same sequence of orders
    assert orders[0] != orders[1] != orders[2]  # a new order at each pass
    assert sorted(orders[0]) == sorted(orders[1])  # of the same images
    np.testing.assert_array_equal(first[0][0], first[0][0])  # indexing stays put


def test_without_seed_the_order_follows_set_random_seed(tree):
    def paths():
        return image_dataset_from_directory(tree, image_size=(4, 4), verbose=False).file_paths

    dl_layers.set_random_seed(11)
    a = paths()
    dl_layers.set_random_seed(11)
    assert paths() == a


def test_training_and_validation_are_complementary_and_reproducible(tree, capsys):
    kwargs = dict(image_size=(4, 4), validation_split=0.3, seed=42)
    train = image_dataset_from_directory(tree, subset="training", **kwargs)
    val = image_dataset_from_directory(tree, subset="validation", **kwargs)
    assert capsys.readouterr().out == ("Found 10 files belonging to 2 classes.\nUsing 7 files for training.\n"
                                       "Found 10 files belonging to 2 classes.\nUsing 3 files for validation.\n")
    assert len(train.file_paths) == 7 and len(val.file_paths) == 3
    assert not set(train.file_paths) & set(val.file_paths)
    assert sorted(train.file_paths + val.file_paths) == sorted(find_images(tree)[0])
    both_train, both_val = image_dataset_from_directory(tree, subset="both", verbose=False, **kwargs)
    assert (both_train.file_paths, both_val.file_paths) == (train.file_paths, val.file_paths)
    other = image_dataset_from_directory(tree, subset="validation", verbose=False, image_size=(4, 4),
                                         validation_split=0.3, seed=43)
    assert other.file_paths != val.file_paths
    for dataset in (train, val):  # labels still match their images after the split
        for images, labels in dataset:
            np.testing.assert_array_equal(labels, class_of(images))


def test_split_without_shuffle_warns(tree):
    with pytest.warns(UserWarning, match="validation_split with shuffle=False keeps the last files"):
        val = image_dataset_from_directory(tree, shuffle=False, validation_split=0.2, subset="validation",
                                           verbose=False)
    assert relative(val.file_paths, tree) == ["dog/dog.2.png", "dog/dog.3.jpg"]


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(validation_split=0.2, subset="training"), ValueError, "argument `seed` must be set when shuffling"),
    (dict(validation_split=0.2, seed=1), ValueError, "argument `subset` must be 'training', 'validation' or 'both'"),
    (dict(subset="training", seed=1), ValueError, r"argument `validation_split` must be set \(a fraction"),
    (dict(validation_split=1.0, subset="training", seed=1), ValueError,
     r"argument `validation_split` must be a number in \[0, 1\), got 1.0"),
    (dict(validation_split="0.2", subset="training", seed=1), TypeError, "argument `validation_split` must be a"),
    (dict(validation_split=0.2, subset="testing", seed=1), ValueError, "argument `subset` must be one of"),
    (dict(validation_split=0.05, subset="validation", seed=1), ValueError,
     r"argument `validation_split`=0.05 leaves no file for the validation subset \(10 files in all\)"),
    (dict(validation_split=0.05, subset="both", seed=1), ValueError,
     "argument `validation_split`=0.05 leaves no file for the validation subset"),
    (dict(label_mode="sparse"), ValueError,
     "argument `label_mode` must be one of 'int', 'categorical', 'binary', None"),
    (dict(batch_size=0), ValueError, r"argument `batch_size` must be an integer >= 1, got 0"),
    (dict(image_size=180), ValueError, r"argument `image_size` must be \(height, width\)"),
    (dict(interpolation="area"), ValueError, "argument `interpolation` must be one of"),
    (dict(shuffle=None), TypeError, "argument `shuffle` must be True or False"),
    (dict(seed=-1), ValueError, "argument `seed` must be an integer >= 0"),
])
def test_argument_errors(tree, kwargs, error, message):
    with pytest.raises(error, match=OWNER + message):
        image_dataset_from_directory(tree, verbose=False, **kwargs)


def test_validation_split_zero_means_no_split(tree):
    dataset = image_dataset_from_directory(tree, validation_split=0.0, verbose=False, seed=1)
    assert len(dataset.file_paths) == 10


# ----------------------------------------------------------------------------- bad files, laziness


def test_undecodable_image_is_named_when_its_batch_is_read(tree):
    (tree / "dog" / "zz-broken.jpg").write_text("not a jpeg")
    (tree / "dog" / "notes.txt").write_text("skipped: not an image extension")
    dataset = image_dataset_from_directory(tree, shuffle=False, batch_size=5, verbose=False)  # lazy: no error yet
    assert len(dataset.file_paths) == 11
    assert dataset[0][0].shape[0] == 5  # the batches without it are fine
    with pytest.raises(ValueError, match=OWNER + r"cannot read '.*zz-broken.jpg' as an image"):
        dataset[2]


def test_images_are_decoded_per_batch(tree, monkeypatch):
    from dl_convnet import image_dataset

    decoded = []
    real_decode = image_dataset.decode_image
    monkeypatch.setattr(image_dataset, "decode_image", lambda owner, path: decoded.append(path) or
                        real_decode(owner, path))
    dataset = image_dataset_from_directory(tree, batch_size=4, verbose=False, seed=0)
    assert decoded == []
    dataset[1]
    assert decoded == dataset.file_paths[4:8]


def test_without_pillow_reading_a_batch_says_how_to_install_it(tree, monkeypatch):
    import sys

    dataset = image_dataset_from_directory(tree, verbose=False, seed=0)  # listing files needs no Pillow
    for name in [name for name in sys.modules if name == "PIL" or name.startswith("PIL.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r'pip install "dl-convnet\[images\]"'):
        dataset[0]


# ----------------------------------------------------------------------------- training from the dataset


def test_fit_evaluate_predict_straight_from_the_dataset(tmp_path):
    root = make_tree(tmp_path / "train", {"cat": 24, "dog": 24})
    train, val = image_dataset_from_directory(root, label_mode="binary", image_size=(6, 6), batch_size=8,
                                              validation_split=0.25, subset="both", seed=7, verbose=False)
    model = Sequential([Flatten(), Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(train, epochs=15, validation_data=val, verbose=0)
    assert history.history["accuracy"][-1] >= 0.95
    assert history.history["val_accuracy"][-1] >= 0.95
    loss, accuracy = model.evaluate(val, verbose=0)
    assert accuracy >= 0.95
    ordered = image_dataset_from_directory(root, label_mode=None, image_size=(6, 6), batch_size=8, shuffle=False,
                                           verbose=False)
    predictions = model.predict(ordered)
    assert predictions.shape == (48, 1)
    assert ((predictions[:, 0] > 0.5) == np.repeat([False, True], 24)).mean() >= 0.95
