"""The IMDB loader on an aclImdb-like tree written here: raw texts, Keras's integer form, the
word index, decoding, the archive path, and the download call (mocked: never the network)."""

import tarfile
from collections import Counter

import numpy as np
import pytest

from dl_sequence.datasets import imdb

TRAIN = {
    "neg": ["A dull, dull film.", "Bad acting<br /><br />and a bad plot!", "Not good: dull."],
    "pos": ["A great film; great acting.", "Loved it, a film I'd see again", "Good fun, good film."],
}
TEST = {"neg": ["Dull and bad.", "A zzzunseen flop"], "pos": ["Great, great film", "I loved the acting"]}


def write_tree(root, unsup=True):
    for split, groups in (("train", TRAIN), ("test", TEST)):
        for label, texts in groups.items():
            folder = root / split / label
            folder.mkdir(parents=True)
            for i, text in enumerate(texts):
                (folder / f"{i}_{1 if label == 'neg' else 9}.txt").write_text(text, encoding="utf-8")
    if unsup:
        (root / "train" / "unsup").mkdir()
        (root / "train" / "unsup" / "0_0.txt").write_text("never read")
    return root


@pytest.fixture
def acl(tmp_path):
    return write_tree(tmp_path / "aclImdb")


def test_load_texts_sorted_neg_then_pos(acl):
    texts, labels = imdb.load_texts(acl)
    assert texts == TRAIN["neg"] + TRAIN["pos"] and labels.tolist() == [0, 0, 0, 1, 1, 1]
    (tr, tr_y), (te, te_y) = imdb.load_texts(acl.parent, subset="both")  # the folder holding aclImdb/ works too
    assert tr == texts and te == TEST["neg"] + TEST["pos"] and te_y.tolist() == [0, 0, 1, 1]
    shuffled, shuffled_labels = imdb.load_texts(acl, shuffle=True, seed=3)
    order = np.random.RandomState(3).permutation(6)
    assert shuffled == [texts[i] for i in order] and shuffled_labels.tolist() == labels[order].tolist()


def test_file_order_is_sorted_not_listing_order(tmp_path):
    root = tmp_path / "aclImdb"
    for split in ("train", "test"):
        for label in ("neg", "pos"):
            (root / split / label).mkdir(parents=True)
            for name in ("9_1.txt", "10_1.txt", "0_2.txt"):
                (root / split / label / name).write_text(name)
    texts, _ = imdb.load_texts(root)
    assert texts[:3] == ["0_2.txt", "10_1.txt", "9_1.txt"]


def test_word_index_ranks_by_training_frequency(acl):
    word_index = imdb.get_word_index(acl)
    counts = Counter(w for text in TRAIN["neg"] + TRAIN["pos"] for w in imdb.tokenize(text))
    assert sorted(word_index.values()) == list(range(1, len(counts) + 1))
    ranked = sorted(counts, key=lambda w: word_index[w])
    assert [counts[w] for w in ranked] == sorted(counts.values(), reverse=True)
    assert counts["a"] == counts["film"] == 4  # a tie: the word seen first ranks first, as in Keras's Tokenizer
    assert word_index["a"] == 1 and word_index["film"] == 2
    assert "zzzunseen" not in word_index and "br" not in word_index
    assert "i'd" in word_index  # apostrophes are kept, as Keras's Tokenizer does


def keras_load_data(x_train, labels_train, x_test, labels_test, num_words=None, skip_top=0, maxlen=None, seed=113,
                    start_char=1, oov_char=2, index_from=3):
    """Keras's imdb.load_data after reading imdb.npz (rank lists), as a plain reference."""
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = [x_train[i] for i in indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = [x_test[i] for i in indices], labels_test[indices]
    if start_char is not None:
        x_train = [[start_char] + [w + index_from for w in x] for x in x_train]
        x_test = [[start_char] + [w + index_from for w in x] for x in x_test]
    else:
        x_train = [[w + index_from for w in x] for x in x_train]
        x_test = [[w + index_from for w in x] for x in x_test]
    if maxlen:
        keep = [(x, y) for x, y in zip(x_train, labels_train, strict=True) if len(x) < maxlen]
        x_train, labels_train = [x for x, _ in keep], np.array([y for _, y in keep])
        keep = [(x, y) for x, y in zip(x_test, labels_test, strict=True) if len(x) < maxlen]
        x_test, labels_test = [x for x, _ in keep], np.array([y for _, y in keep])
    xs = x_train + x_test
    if not num_words:
        num_words = max(max(x) for x in xs) + 1  # ours keeps the largest id (see load_data's docstring)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    return (xs[:len(x_train)], labels_train), (xs[len(x_train):], labels_test)


@pytest.mark.parametrize(
    "kwargs",
    [dict(), dict(num_words=8), dict(num_words=8, skip_top=5), dict(maxlen=7), dict(seed=0, oov_char=None, num_words=6),
     dict(start_char=None, index_from=0), dict(start_char=5, oov_char=4, index_from=10)],
)
def test_load_data_is_keras_on_our_ranks(acl, kwargs):
    word_index = imdb.get_word_index(acl)
    ranks = lambda texts: [[word_index[w] for w in imdb.tokenize(t) if w in word_index] for t in texts]  # noqa: E731
    expected = keras_load_data(ranks(TRAIN["neg"] + TRAIN["pos"]), np.array([0, 0, 0, 1, 1, 1]),
                               ranks(TEST["neg"] + TEST["pos"]), np.array([0, 0, 1, 1]), **kwargs)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(acl, **kwargs)
    for got, want in ((x_train, expected[0][0]), (x_test, expected[1][0])):
        assert got.dtype == object and got.ndim == 1 and [list(x) for x in got] == want
    assert y_train.tolist() == expected[0][1].tolist() and y_test.tolist() == expected[1][1].tolist()


def test_book_decodes_a_review(acl):
    (x_train, y_train), _ = imdb.load_data(acl, num_words=10000)
    word_index = imdb.get_word_index(acl)
    text = imdb.load_texts(acl)[0]
    decoded = imdb.decode_review(x_train[0], word_index)
    assert decoded.startswith("? ")
    original = [t for t, y in zip(text, imdb.load_texts(acl)[1], strict=True)
                if " ".join(imdb.tokenize(t)) == decoded[2:]]
    assert len(original) == 1 and y_train[0] == (original[0] in TRAIN["pos"])
    reverse_word_index = {value: key for (key, value) in word_index.items()}  # the book's own lines
    assert " ".join(reverse_word_index.get(i - 3, "?") for i in x_train[0]) == decoded


def test_same_length_reviews_still_give_a_1d_object_array(tmp_path):
    root = tmp_path / "aclImdb"
    for split in ("train", "test"):
        for label in ("neg", "pos"):
            (root / split / label).mkdir(parents=True)
            (root / split / label / "0_1.txt").write_text("one two")
    (x_train, _), _ = imdb.load_data(root)
    assert x_train.shape == (2,) and isinstance(x_train[0], list)


def test_archive_path_is_extracted_once(acl, tmp_path):
    archive = tmp_path / "aclImdb_v1.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(acl, arcname="aclImdb")
    texts, _ = imdb.load_texts(archive)
    assert texts == TRAIN["neg"] + TRAIN["pos"]
    assert (tmp_path / "aclImdb_v1" / "aclImdb" / "train").is_dir()
    assert imdb.load_texts(archive)[0] == texts


def test_download_goes_through_get_file(acl, monkeypatch):
    calls = []

    def fake_get_file(fname, origin, **kwargs):
        calls.append((fname, origin, kwargs))
        return str(acl.parent)

    monkeypatch.setattr(imdb, "get_file", fake_get_file)
    texts, labels = imdb.load_texts(cache_dir="/some/cache")
    assert texts == TRAIN["neg"] + TRAIN["pos"]
    assert calls == [("aclImdb_v1.tar.gz", "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
                      dict(file_hash=imdb.FILE_HASH, cache_subdir="datasets", cache_dir="/some/cache",
                           extract=True))]
    assert len(imdb.FILE_HASH) == 64


def test_errors(acl, tmp_path):
    with pytest.raises(ValueError, match="subset must be 'train', 'test' or 'both'"):
        imdb.load_texts(acl, subset="unsup")
    with pytest.raises(FileNotFoundError, match="does not hold the aclImdb folders"):
        imdb.load_texts(tmp_path / "elsewhere")
    (acl / "test" / "pos").rename(acl / "test" / "positive")
    with pytest.raises(FileNotFoundError, match="missing folder .*pos"):
        imdb.load_texts(acl, subset="test")
    with pytest.raises(ValueError, match="maxlen must be a positive integer"):
        imdb.load_data(acl, maxlen=0)
    with pytest.raises(TypeError, match="path must be a folder or archive path"):
        imdb.load_texts(3)
    broken = tmp_path / "aclImdb_v1.tar.gz"
    broken.write_bytes(b"\x1f\x8b" + b"\0" * 50)
    with pytest.raises(ValueError, match="truncated or corrupted"):
        imdb.load_texts(broken)


def test_maxlen_too_small(acl):
    with pytest.raises(ValueError, match="no text is left in the training set"):
        imdb.load_data(acl, maxlen=2)
