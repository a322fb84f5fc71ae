"""text_dataset_from_directory against Keras's rules, on folders the tests write."""

import numpy as np
import pytest

import dl_layers as L
from dl_sequence.datasets import text_dataset_from_directory
from dl_sequence.datasets.text_directory import MappedDataset, TextFileDataset, index_text_files


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def reviews(tmp_path):
    files = {f"neg/{i}_1.txt": f"bad movie {i}" for i in range(7)}
    files |= {f"pos/{i}_9.txt": f"good movie {i}" for i in range(5)}
    files |= {"pos/sub/extra.txt": "good deep", "pos/notes.md": "ignored", ".hidden/x.txt": "ignored",
              "neg/README.TXT": "bad upper"}
    return write(tmp_path / "train", files)


def collect(ds):
    texts, labels = [], []
    for x, y in ds:
        texts += list(x)
        labels += list(y)
    return texts, np.asarray(labels)


def test_inferred_labels_sorted_classes_and_files(reviews, capsys):
    ds = text_dataset_from_directory(reviews, batch_size=4, shuffle=False)
    assert capsys.readouterr().out == "Found 14 files belonging to 2 classes.\n"
    assert isinstance(ds, TextFileDataset) and ds.class_names == ["neg", "pos"] and len(ds) == 4
    texts, labels = collect(ds)
    # sorted by folder then name, as Keras lists them: neg/0_1 ... neg/README.TXT, pos/0_9 ..., pos/sub/extra
    assert texts[:8] == [f"bad movie {i}" for i in range(7)] + ["bad upper"]
    assert texts[8:] == [f"good movie {i}" for i in range(5)] + ["good deep"]
    np.testing.assert_array_equal(labels, [0] * 8 + [1] * 6)
    x, y = ds[0]
    assert x.dtype.kind == "U" and x.shape == (4,) and y.dtype == np.int32 and y.shape == (4,)
    assert ds[-1][0].shape == (2,)  # the last batch is smaller


def test_shuffle_is_keras_global_shuffle_then_new_order_each_pass(reviews):
    paths, labels, _ = index_text_files(reviews)
    expected = list(paths)
    np.random.RandomState(42).shuffle(expected)
    ds = text_dataset_from_directory(reviews, batch_size=5, seed=42, verbose=False)
    assert ds.file_paths == expected
    first, first_labels = collect(ds)
    second, second_labels = collect(ds)
    assert first != second and sorted(first) == sorted(second)
    for texts, labs in ((first, first_labels), (second, second_labels)):  # labels still go with their texts
        np.testing.assert_array_equal(labs, [t.startswith("good") for t in texts])


def test_label_modes(reviews):
    common = dict(batch_size=20, shuffle=False, verbose=False)
    _, y = text_dataset_from_directory(reviews, label_mode="binary", **common)[0]
    assert y.dtype == np.float32 and y.shape == (14, 1)
    _, y = text_dataset_from_directory(reviews, label_mode="categorical", **common)[0]
    np.testing.assert_array_equal(y, np.eye(2, dtype=np.float32)[[0] * 8 + [1] * 6])
    # without labels, Keras lists every .txt file under the folder, hidden folders included
    x = text_dataset_from_directory(reviews, label_mode=None, **common)[0]
    assert isinstance(x, np.ndarray) and x.shape == (15,) and x[0] == "ignored"
    x = text_dataset_from_directory(reviews, labels=None, **common)[0]
    assert x.shape == (15,)


def test_class_names_choose_and_order(reviews, tmp_path):
    ds = text_dataset_from_directory(reviews, class_names=["pos", "neg"], batch_size=20, shuffle=False, verbose=False)
    texts, labels = collect(ds)
    assert texts[0] == "good movie 0" and labels[0] == 0 and ds.class_names == ["pos", "neg"]
    write(reviews, {"unsure/a.txt": "meh"})
    ds = text_dataset_from_directory(reviews, class_names=["neg", "pos"], batch_size=20, shuffle=False, verbose=False)
    assert "meh" not in collect(ds)[0]
    with pytest.raises(ValueError, match="label_mode='binary' needs exactly 2 classes"):
        text_dataset_from_directory(reviews, label_mode="binary", verbose=False)


def test_explicit_labels(tmp_path):
    root = write(tmp_path / "flat", {"b.txt": "second", "a.txt": "first", "c/d.txt": "third"})
    ds = text_dataset_from_directory(root, labels=[3, 1, 3], shuffle=False, verbose=False)
    texts, labels = collect(ds)
    assert texts == ["first", "second", "third"] and list(labels) == [3, 1, 3] and ds.class_names == ["1", "3"]
    with pytest.raises(ValueError, match="labels has 2 entries but 3 .txt files"):
        text_dataset_from_directory(root, labels=[0, 1], verbose=False)


def test_validation_split_and_subsets(reviews, capsys):
    train = text_dataset_from_directory(reviews, validation_split=0.25, subset="training", seed=1337, batch_size=50)
    val = text_dataset_from_directory(reviews, validation_split=0.25, subset="validation", seed=1337, batch_size=50)
    out = capsys.readouterr().out
    assert "Using 11 files for training." in out and "Using 3 files for validation." in out
    train_texts, val_texts = collect(train)[0], collect(val)[0]
    assert len(train_texts) == 11 and len(val_texts) == 3 and not set(train_texts) & set(val_texts)
    both = text_dataset_from_directory(reviews, validation_split=0.25, subset="both", seed=1337, verbose=False)
    assert both[0].file_paths == train.file_paths and both[1].file_paths == val.file_paths


def test_max_length_batch_none_and_map(reviews):
    ds = text_dataset_from_directory(reviews, batch_size=None, max_length=3, shuffle=False, verbose=False)
    x, y = ds[0]
    assert x == "bad" and y == 0 and len(ds) == 14
    texts_only = text_dataset_from_directory(reviews, batch_size=4, shuffle=False, verbose=False).map(lambda x, y: x)
    assert isinstance(texts_only, MappedDataset) and len(texts_only) == 4
    assert list(texts_only[0]) == ["bad movie 0", "bad movie 1", "bad movie 2", "bad movie 3"]
    lengths = texts_only.map(lambda x: np.char.str_len(x))
    assert sum(len(b) for b in lengths) == 14


def test_non_utf8_bytes_are_replaced(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_bytes(b"caf\xe9")
    x, _ = text_dataset_from_directory(tmp_path, shuffle=False, verbose=False)[0]
    assert x[0] == "caf\ufffd"


def test_fit_on_texts_mapped_to_numbers(reviews):
    ds = text_dataset_from_directory(reviews, label_mode="binary", batch_size=4, seed=0, verbose=False)
    numbers = ds.map(lambda x, y: (np.char.str_len(x)[:, None].astype(np.float32) / 10, y))
    model = L.Sequential([L.Input(shape=(1,)), L.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(numbers, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (dict(label_mode="sparse"), ValueError, "label_mode must be one of"),
        (dict(labels="folders"), ValueError, "labels must be 'inferred', None, or a list"),
        (dict(validation_split=0.2), ValueError, "validation_split and subset go together"),
        (dict(subset="training"), ValueError, "validation_split and subset go together"),
        (dict(validation_split=0.2, subset="train", seed=1), ValueError, "subset must be 'training'"),
        (dict(validation_split=0.2, subset="training"), ValueError, "give a seed"),
        (dict(validation_split=1.5, subset="training", seed=1), ValueError, "validation_split must be a fraction"),
        (dict(class_names=["neg", "maybe"]), ValueError, "class_names must name sub-folders"),
        (dict(labels=None, class_names=["neg"]), ValueError, "class_names can only be given with labels='inferred'"),
        (dict(batch_size=0), ValueError, "batch_size must be a positive integer or None"),
        (dict(max_length=0), ValueError, "max_length must be a positive integer or None"),
    ],
)
def test_bad_arguments(reviews, kwargs, error, message):
    with pytest.raises(error, match=message):
        text_dataset_from_directory(reviews, verbose=False, **kwargs)


def test_missing_or_empty_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not an existing folder"):
        text_dataset_from_directory(tmp_path / "nope")
    (tmp_path / "neg").mkdir()
    with pytest.raises(ValueError, match="no text files"):
        text_dataset_from_directory(tmp_path, verbose=False)
    ds = text_dataset_from_directory(write(tmp_path, {"neg/a.txt": "x"}), verbose=False)
    with pytest.raises(IndexError, match="out of range for 1 batches"):
        ds[1]
