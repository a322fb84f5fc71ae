"""Evaluation protocols: hold-out, K-fold, stratified, iterated and temporal splits.

Properties over many sizes (hypothesis), equality with scikit-learn's splitters where the
definitions coincide, interchangeability inside scikit-learn's ``cross_val_score``, and every
error case.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn import model_selection as skms
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LinearRegression

import dl_layers
from dl_tensor import Tensor
from dl_tensor.testing import run_docstring_examples
from dl_workflow.splits import (
    IteratedKFold,
    KFold,
    RepeatedKFold,
    StratifiedKFold,
    TimeSeriesSplit,
    temporal_split,
    train_test_split,
    train_val_test_split,
)

# -- helpers and strategies ----------------------------------------------------------------------


def as_lists(splits):
    return [(train.tolist(), val.tolist()) for train, val in splits]


def check_index_arrays(splits):
    """Each pair: int64 arrays, strictly increasing (sorted, no repeats)."""
    for train, val in splits:
        for idx in (train, val):
            assert isinstance(idx, np.ndarray) and idx.dtype == np.int64 and idx.ndim == 1
            assert np.all(np.diff(idx) > 0)


def check_partition(splits, n):
    """Validation folds cover 0..n-1 once; each train is exactly the complement of its fold."""
    check_index_arrays(splits)
    seen = np.concatenate([val for _, val in splits])
    assert np.array_equal(np.sort(seen), np.arange(n))
    for train, val in splits:
        assert len(np.intersect1d(train, val)) == 0
        assert np.array_equal(np.union1d(train, val), np.arange(n))


def check_balanced(splits, n, k):
    sizes = [len(val) for _, val in splits]
    assert max(sizes) - min(sizes) <= 1 and sum(sizes) == n and len(sizes) == k


def check_stratified(splits, y):
    """Every class's count in every fold within one of its count in any other fold."""
    _, codes = np.unique(y, return_inverse=True)
    per_fold = np.array([np.bincount(codes[val], minlength=codes.max() + 1) for _, val in splits])  # (k, C)
    assert np.all(per_fold.max(axis=0) - per_fold.min(axis=0) <= 1)


sizes_and_folds = st.integers(2, 60).flatmap(lambda n: st.tuples(st.just(n), st.integers(2, min(n, 10))))
seeds = st.integers(0, 2**32 - 1)


@st.composite
def labels_and_folds(draw, max_classes=4):
    """(y, k): class labels in random order, every class with at least k members."""
    k = draw(st.integers(2, 6))
    n_classes = draw(st.integers(1, max_classes))
    counts = draw(st.lists(st.integers(k, k + 9), min_size=n_classes, max_size=n_classes))
    names = draw(st.permutations(list(range(10, 10 + max_classes))))[:n_classes]
    y = np.repeat(names, counts)
    return y[np.array(draw(st.permutations(list(range(len(y))))))], k


def test_docstring_examples_run():
    dl_layers.set_random_seed(0)
    with np.printoptions(precision=4, suppress=True):
        run_docstring_examples("dl_workflow.splits")


# -- KFold ---------------------------------------------------------------------------------------


@given(sizes_and_folds)
def test_kfold_without_shuffle_is_sklearns(n_k):
    n, k = n_k
    x = np.zeros((n, 2))
    ours = list(KFold(k).split(x))
    check_partition(ours, n)
    check_balanced(ours, n, k)
    assert as_lists(ours) == as_lists(skms.KFold(k).split(x))
    assert all(np.all(np.diff(val) == 1) for _, val in ours)  # contiguous runs


@given(sizes_and_folds, seeds)
def test_kfold_shuffled_partitions_balanced_and_deterministic(n_k, seed):
    n, k = n_k
    cv = KFold(k, shuffle=True, seed=seed)
    folds = list(cv.split(np.zeros(n)))
    check_partition(folds, n)
    check_balanced(folds, n, k)
    assert as_lists(folds) == as_lists(cv.split(np.zeros(n)))  # an int seed: the same folds each split
    assert as_lists(folds) == as_lists(KFold(k, shuffle=True, random_state=seed).split(np.zeros(n)))
    assert cv.get_n_splits() == k == len(folds)


# Two seeds can give the same folds by chance (1 in 252 for 10 samples in 2 folds), so the
# seed-matters properties ask that four different seeds do not all give the same folds.
four_seeds = st.lists(seeds, min_size=4, max_size=4, unique=True)


@settings(derandomize=True)
@given(st.integers(10, 60), st.integers(2, 5), four_seeds)
def test_kfold_different_seeds_give_different_folds(n, k, four):
    folds = [as_lists(KFold(k, shuffle=True, seed=seed).split(np.zeros(n))) for seed in four]
    assert any(f != folds[0] for f in folds[1:])


def test_kfold_shuffle_without_seed_uses_the_global_generator():
    x = np.zeros(30)
    dl_layers.set_random_seed(7)
    first, second = as_lists(KFold(3, shuffle=True).split(x)), as_lists(KFold(3, shuffle=True).split(x))
    dl_layers.set_random_seed(7)
    assert as_lists(KFold(3, shuffle=True).split(x)) == first  # reseeding repeats the draws
    assert first != second  # each split draws a new shuffle
    assert first != as_lists(KFold(3).split(x))


def test_kfold_accepts_lists_y_and_groups_and_repr():
    folds = list(KFold(2).split([[1, 2], [3, 4], [5, 6]], y=[0, 1, 0], groups=["a", "b", "c"]))
    assert as_lists(folds) == [([2], [0, 1]), ([0, 1], [2])]
    assert repr(KFold(3, shuffle=True, seed=1)) == "KFold(n_splits=3, shuffle=True, seed=1)"
    assert KFold(3, shuffle=True, random_state=4).random_state == 4


# -- StratifiedKFold -----------------------------------------------------------------------------


@given(labels_and_folds())
def test_stratified_without_shuffle_is_sklearns(y_k):
    # Where every class has at least n_splits members, both deal the class-sorted samples to the
    # folds round-robin (classes in order of first appearance) and fill each class's share of a
    # fold in index order, so the folds are identical.
    y, k = y_k
    x = np.zeros((len(y), 1))
    ours = list(StratifiedKFold(k).split(x, y))
    assert as_lists(ours) == as_lists(skms.StratifiedKFold(k).split(x, y))
    check_partition(ours, len(y))
    check_balanced(ours, len(y), k)
    check_stratified(ours, y)


@given(labels_and_folds(), seeds)
def test_stratified_shuffled_keeps_proportions_and_is_deterministic(y_k, seed):
    y, k = y_k
    cv = StratifiedKFold(k, shuffle=True, seed=seed)
    folds = list(cv.split(np.zeros(len(y)), y))
    check_partition(folds, len(y))
    check_balanced(folds, len(y), k)
    check_stratified(folds, y)
    assert as_lists(folds) == as_lists(cv.split(np.zeros(len(y)), y))


@settings(derandomize=True)
@given(labels_and_folds(), four_seeds)
def test_stratified_different_seeds_differ(y_k, four):
    y, k = y_k
    assume(len(y) >= 10 and np.unique(y, return_counts=True)[1].max() >= 3)
    folds = [as_lists(StratifiedKFold(k, shuffle=True, seed=seed).split(y, y)) for seed in four]
    assert any(f != folds[0] for f in folds[1:])


def test_stratified_string_labels_and_one_hot_rows_give_the_same_folds():
    codes = np.array([0, 1, 0, 2, 1, 0, 2, 2, 1, 0, 1, 2])
    names = np.array(["cat", "dog", "eel"])[codes]
    one_hot = np.eye(3)[codes]  # (12, 3)
    cv = StratifiedKFold(3, shuffle=True, seed=5)
    by_code = as_lists(cv.split(codes, codes))
    assert by_code == as_lists(cv.split(codes, names)) == as_lists(cv.split(codes, one_hot))
    check_stratified(list(cv.split(codes, codes)), codes)
    for _, val in cv.split(codes, codes):
        assert len(val) == 4 and set(codes[val].tolist()) == {0, 1, 2}  # every class in every fold


def test_stratified_folds_of_an_unbalanced_problem():
    y = np.array([0] * 9 + [1] * 3)
    folds = list(StratifiedKFold(3).split(y, y))
    assert [np.bincount(y[val]).tolist() for _, val in folds] == [[3, 1]] * 3


# -- IteratedKFold -------------------------------------------------------------------------------


@given(sizes_and_folds, st.integers(1, 4), seeds)
def test_iterated_kfold_each_repeat_is_a_partition(n_k, repeats, seed):
    n, k = n_k
    cv = IteratedKFold(k, repeats, seed=seed)
    folds = list(cv.split(np.zeros(n)))
    assert len(folds) == cv.get_n_splits() == k * repeats
    for r in range(repeats):
        check_partition(folds[r * k:(r + 1) * k], n)
        check_balanced(folds[r * k:(r + 1) * k], n, k)
    assert as_lists(folds) == as_lists(cv.split(np.zeros(n)))
    assert as_lists(folds) == as_lists(RepeatedKFold(n_splits=k, n_repeats=repeats, random_state=seed).split(
        np.zeros(n)))


@settings(derandomize=True)
@given(st.integers(10, 40), st.integers(2, 4), four_seeds)
def test_iterated_kfold_repeats_and_seeds_differ(n, k, four):
    folds = [as_lists(IteratedKFold(k, 3, seed=seed).split(np.zeros(n))) for seed in four]
    assert any(f != folds[0] for f in folds[1:])
    repeats = [sorted(tuple(val) for _, val in folds[0][r * k:(r + 1) * k]) for r in range(3)]
    assert not repeats[0] == repeats[1] == repeats[2]  # each repeat is a fresh shuffle


@given(labels_and_folds(), st.integers(1, 3), seeds)
def test_iterated_kfold_stratified(y_k, repeats, seed):
    y, k = y_k
    folds = list(IteratedKFold(k, repeats, seed=seed, stratified=True).split(np.zeros(len(y)), y))
    for r in range(repeats):
        check_partition(folds[r * k:(r + 1) * k], len(y))
        check_balanced(folds[r * k:(r + 1) * k], len(y), k)
        check_stratified(folds[r * k:(r + 1) * k], y)


def test_iterated_kfold_global_generator_and_names():
    assert RepeatedKFold is IteratedKFold
    dl_layers.set_random_seed(3)
    first = as_lists(IteratedKFold().split(np.zeros(20)))
    dl_layers.set_random_seed(3)
    assert as_lists(IteratedKFold().split(np.zeros(20))) == first
    assert len(first) == 12  # the defaults: 4 folds, 3 repeats
    assert repr(IteratedKFold(2, 5, seed=1)) == "IteratedKFold(n_splits=2, n_repeats=5, seed=1, stratified=False)"


# -- TimeSeriesSplit ------------------------------------------------------------------------------


@given(st.integers(2, 60), st.integers(2, 8), st.integers(0, 5), st.none() | st.integers(1, 10),
       st.none() | st.integers(1, 20))
def test_time_series_split_is_sklearns(n, k, gap, test_size, max_train_size):
    x = np.zeros((n, 1))
    ours = TimeSeriesSplit(k, gap=gap, test_size=test_size, max_train_size=max_train_size)
    theirs = skms.TimeSeriesSplit(k, gap=gap, test_size=test_size, max_train_size=max_train_size)
    try:
        expected = as_lists(theirs.split(x))
    except ValueError:
        with pytest.raises(ValueError, match="TimeSeriesSplit.split"):
            list(ours.split(x))
        return
    folds = list(ours.split(x))
    assert as_lists(folds) == expected
    assert ours.get_n_splits() == k == len(folds)
    check_index_arrays(folds)
    block = test_size or n // (k + 1)
    for i, (train, val) in enumerate(folds):
        assert len(val) == block and np.all(np.diff(val) == 1)  # contiguous blocks, the last ones
        assert val[-1] == n - 1 - (k - 1 - i) * block
        assert train.max() < val.min() - gap  # the past trains; gap samples left out
        assert train[-1] == val[0] - gap - 1 and np.all(np.diff(train) == 1)
        assert len(train) == (min(val[0] - gap, max_train_size) if max_train_size else val[0] - gap)
    vals = np.concatenate([val for _, val in folds])
    assert len(np.unique(vals)) == len(vals)  # validation blocks disjoint


def test_time_series_split_expanding_window():
    folds = as_lists(TimeSeriesSplit(n_splits=3).split(list(range(10))))
    assert folds == [([0, 1, 2, 3], [4, 5]), ([0, 1, 2, 3, 4, 5], [6, 7]), ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])]
    assert repr(TimeSeriesSplit(3, gap=1)) == "TimeSeriesSplit(n_splits=3, gap=1, max_train_size=None, test_size=None)"


# -- scikit-learn interchangeability --------------------------------------------------------------


def test_our_splitters_work_in_sklearns_cross_val_score():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    y_reg = x @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=40)
    y_cls = np.array([0, 1] * 20)
    for ours, theirs in [(KFold(4), skms.KFold(4)), (TimeSeriesSplit(3, gap=2), skms.TimeSeriesSplit(3, gap=2))]:
        got = skms.cross_val_score(LinearRegression(), x, y_reg, cv=ours)
        assert np.allclose(got, skms.cross_val_score(LinearRegression(), x, y_reg, cv=theirs))
    got = skms.cross_val_score(DummyClassifier(strategy="most_frequent"), x, y_cls, cv=StratifiedKFold(5))
    assert np.allclose(got, skms.cross_val_score(DummyClassifier(strategy="most_frequent"), x, y_cls,
                                                 cv=skms.StratifiedKFold(5)))
    for cv in (KFold(4, shuffle=True, seed=1), IteratedKFold(4, 2, seed=1, stratified=True)):
        got = skms.cross_val_score(DummyClassifier(), x, y_cls, cv=cv)
        assert len(got) == cv.get_n_splits()
        assert np.allclose(got, skms.cross_val_score(DummyClassifier(), x, y_cls, cv=list(cv.split(x, y_cls))))
    assert skms.check_cv(KFold(3)).get_n_splits() == 3
    search = skms.GridSearchCV(LinearRegression(), {"fit_intercept": [True, False]}, cv=IteratedKFold(2, 2, seed=0))
    assert search.fit(x, y_reg).n_splits_ == 4


# -- train_val_test_split / train_test_split ------------------------------------------------------


def expected_count(size, n):
    return math.ceil(Fraction(repr(size)) * n) if isinstance(size, float) else size


fractions = st.integers(1, 49).map(lambda p: p / 100)


@given(st.integers(3, 200), fractions | st.integers(1, 5), fractions | st.integers(1, 5), seeds)
def test_train_val_test_split_sizes_partition_and_pairing(n, val_size, test_size, seed):
    n_val, n_test = expected_count(val_size, n), expected_count(test_size, n)
    assume(n_val + n_test < n)
    x = np.arange(n) * 10
    y = list(range(n))
    x_train, x_val, x_test, y_train, y_val, y_test = train_val_test_split(
        x, y, val_size=val_size, test_size=test_size, seed=seed)
    assert (len(x_train), len(x_val), len(x_test)) == (n - n_val - n_test, n_val, n_test)
    assert isinstance(x_val, np.ndarray) and isinstance(y_val, list)
    assert np.array_equal(np.sort(np.concatenate([x_train, x_val, x_test])), x)  # each sample once
    for xs, ys in [(x_train, y_train), (x_val, y_val), (x_test, y_test)]:
        assert np.array_equal(xs, np.array(ys, dtype=np.int64) * 10)  # the same indices for every array
    again = train_val_test_split(x, y, val_size=val_size, test_size=test_size, random_state=seed)
    assert all(np.array_equal(a, b) for a, b in zip(again, [x_train, x_val, x_test, y_train, y_val, y_test]))


@settings(derandomize=True)
@given(st.integers(10, 100), four_seeds)
def test_train_val_test_split_different_seeds_differ(n, four):
    splits = [train_val_test_split(np.arange(n), seed=seed) for seed in four]
    assert any(not all(np.array_equal(p, q) for p, q in zip(split, splits[0])) for split in splits[1:])


def test_hold_out_rounding_follows_sklearn_but_not_float_noise():
    for n in (7, 10, 13, 101):
        for size in (0.1, 0.25, 0.33, 0.5):
            _, test = train_test_split(np.arange(n), test_size=size, seed=0)
            _, theirs = skms.train_test_split(np.arange(n), test_size=size, random_state=0)
            assert len(test) == len(theirs) == math.ceil(Fraction(repr(size)) * n)
    _, test = train_test_split(np.arange(100), test_size=0.07, seed=0)
    assert len(test) == 7  # scikit-learn gives 8: ceil(0.07 * 100) is ceil(7.000000000000001)
    _, test = train_test_split(np.arange(100), test_size=np.float32(0.07), seed=0)
    assert len(test) == 7


def test_hold_out_without_shuffle_keeps_the_order():
    x = np.arange(20).reshape(10, 2)  # (10, 2)
    train, val, test = train_val_test_split(x, val_size=0.2, test_size=3, shuffle=False)
    assert np.array_equal(train, x[:5]) and np.array_equal(val, x[5:7]) and np.array_equal(test, x[7:])
    train, test = train_test_split(list("abcd"), test_size=1, shuffle=False)
    assert (train, test) == (["a", "b", "c"], ["d"])


def test_hold_out_global_generator_tuples_tensors_and_iloc():
    dl_layers.set_random_seed(11)
    first = train_test_split(np.arange(30))
    dl_layers.set_random_seed(11)
    assert all(np.array_equal(a, b) for a, b in zip(first, train_test_split(np.arange(30))))
    assert not np.array_equal(first[0], np.arange(30)[:22])

    train, test = train_test_split(("a", "b", "c", "d"), test_size=2, seed=0)
    assert isinstance(train, list) and sorted(train + test) == ["a", "b", "c", "d"]

    t = Tensor(np.arange(12.0).reshape(6, 2))  # (6, 2)
    t_train, t_test, i_train, i_test = train_test_split(t, np.arange(6), test_size=2, seed=3)
    assert np.array_equal(np.asarray(t_test.data), np.arange(12.0).reshape(6, 2)[i_test])

    class Frame:  # a stand-in for a pandas DataFrame: positional rows through .iloc
        shape = (4, 1)

        def __getitem__(self, key):
            raise AssertionError("a frame must be indexed by position (.iloc)")

        class _ILoc:
            def __getitem__(self, idx):
                return ("rows", idx.tolist())

        iloc = _ILoc()

    train, test = train_test_split(Frame(), test_size=1, shuffle=False)
    assert train == ("rows", [0, 1, 2]) and test == ("rows", [3])


@st.composite
def stratified_problem(draw):
    n_classes = draw(st.integers(1, 5))
    counts = draw(st.lists(st.integers(3, 30), min_size=n_classes, max_size=n_classes))
    y = np.repeat(np.arange(n_classes), counts)
    y = y[np.array(draw(st.permutations(list(range(len(y))))))]
    return y, draw(st.integers(1, 45)) / 100, draw(st.integers(1, 45)) / 100


@given(stratified_problem(), seeds)
def test_stratified_hold_out_keeps_every_class_share_to_one_sample(problem, seed):
    y, val_size, test_size = problem
    n = len(y)
    n_val, n_test = expected_count(val_size, n), expected_count(test_size, n)
    n_classes = len(np.unique(y))
    assume(n - n_val - n_test >= n_classes and min(n_val, n_test) >= n_classes)
    idx = np.arange(n)
    parts = train_val_test_split(idx, y, val_size=val_size, test_size=test_size, stratify=y, seed=seed)
    idx_parts, y_parts = parts[:3], parts[3:]
    assert [len(p) for p in idx_parts] == [n - n_val - n_test, n_val, n_test]
    assert np.array_equal(np.sort(np.concatenate(idx_parts)), idx)
    counts = np.bincount(y)
    for part_idx, part_y in zip(idx_parts, y_parts):
        assert np.array_equal(y[part_idx], part_y)
        exact = counts * len(part_idx) / n  # (C,) the class shares
        got = np.bincount(part_y, minlength=len(counts))
        assert np.all(got >= np.floor(exact - 1e-9)) and np.all(got <= np.ceil(exact + 1e-9))


def test_stratified_train_test_split_shares():
    y = np.array([0] * 30 + [1] * 10)
    y_train, y_test = train_test_split(y, test_size=0.25, stratify=y, seed=0)
    assert len(y_test) == 10 and np.bincount(y_test).tolist() in ([8, 2], [7, 3])  # shares 7.5 and 2.5
    assert (np.bincount(y_train) + np.bincount(y_test)).tolist() == [30, 10]
    _, y_test_again = train_test_split(y, test_size=0.25, stratify=y, random_state=0)
    assert np.array_equal(y_test, y_test_again)


# -- temporal_split -------------------------------------------------------------------------------


@given(st.integers(3, 100), fractions | st.integers(1, 5), fractions | st.integers(1, 5))
def test_temporal_split_parts_follow_time(n, val_size, test_size):
    n_val, n_test = expected_count(val_size, n), expected_count(test_size, n)
    assume(n_val + n_test < n)
    train, val, test = temporal_split(np.arange(n), val_size=val_size, test_size=test_size)
    assert [len(train), len(val), len(test)] == [n - n_val - n_test, n_val, n_test]
    assert np.array_equal(np.concatenate([train, val, test]), np.arange(n))  # in order, the past trains


@given(st.lists(st.integers(0, 20), min_size=3, max_size=60))
def test_temporal_split_sorts_by_the_time_stamps_stably(stamps):
    stamps = np.array(stamps)
    ids = np.arange(len(stamps))
    train, val, test, t_train, t_val, t_test = temporal_split(ids, stamps, val_size=1, test_size=1, time=stamps)
    order = np.concatenate([train, val, test])
    assert np.array_equal(order, np.argsort(stamps, kind="stable"))
    assert t_train.max() <= t_val.min() and t_val.max() <= t_test.min()


def test_temporal_split_with_datetimes_and_lists():
    days = np.array(["2024-03-02", "2024-03-01", "2024-03-04", "2024-03-03"], dtype="datetime64[D]")
    train, val, test = temporal_split(["b", "a", "d", "c"], val_size=1, test_size=1, time=days)
    assert (train, val, test) == (["a", "b"], ["c"], ["d"])


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda: KFold(1), lambda: StratifiedKFold(0), lambda: IteratedKFold(1), lambda: TimeSeriesSplit(1),
])
def test_fewer_than_two_folds_is_refused(make):
    with pytest.raises(ValueError, match=r"argument `n_splits` must be an integer >= 2, got [01]"):
        make()


@pytest.mark.parametrize("n_splits", [2.5, 3.0, "3", True, None])
def test_non_integer_n_splits_is_refused(n_splits):
    for cls in (KFold, StratifiedKFold, IteratedKFold, TimeSeriesSplit):
        with pytest.raises(TypeError, match=f"{cls.__name__}: argument `n_splits` must be an integer"):
            cls(n_splits)


def test_more_folds_than_samples_names_both_numbers():
    for cv in (KFold(5), KFold(5, shuffle=True), StratifiedKFold(5), IteratedKFold(5)):
        with pytest.raises(ValueError, match=r"n_splits=5 folds out of n_samples=3"):
            cv.split(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"n_splits=3 needs .* 4 blocks, more than n_samples=3"):
        TimeSeriesSplit(3).split(np.zeros(3))
    with pytest.raises(ValueError, match=r"test_size=3 after a gap=2 leave no training sample out of n_samples=8"):
        TimeSeriesSplit(2, gap=2, test_size=3).split(np.zeros(8))


def test_a_seed_without_shuffle_is_refused():
    for make in (lambda: KFold(3, seed=0), lambda: StratifiedKFold(3, random_state=1),
                 lambda: train_test_split(np.arange(5), shuffle=False, seed=0),
                 lambda: train_val_test_split(np.arange(5), shuffle=False, random_state=0)):
        with pytest.raises(ValueError, match="a seed has no effect without shuffling"):
            make()


def test_bad_seeds_and_flags():
    with pytest.raises(ValueError, match="give `seed` or its alias `random_state`, not both"):
        KFold(3, shuffle=True, seed=1, random_state=2)
    with pytest.raises(ValueError, match="argument `seed` must be an integer >= 0"):
        IteratedKFold(seed=-1)
    with pytest.raises(TypeError, match="argument `random_state` must be an integer"):
        KFold(3, shuffle=True, random_state=np.random.RandomState(0))
    with pytest.raises(TypeError, match="argument `seed` must be an integer"):
        train_test_split(np.arange(5), seed=0.5)
    with pytest.raises(TypeError, match="KFold: argument `shuffle` must be True or False"):
        KFold(3, shuffle="yes")
    with pytest.raises(TypeError, match="IteratedKFold: argument `stratified` must be True or False"):
        IteratedKFold(stratified=1)
    with pytest.raises(ValueError, match="IteratedKFold: argument `n_repeats` must be an integer >= 1, got 0"):
        IteratedKFold(n_repeats=0)


@pytest.mark.parametrize("kwargs, message", [
    ({"gap": -1}, "`gap` must be an integer >= 0"),
    ({"test_size": 0}, "`test_size` must be an integer >= 1"),
    ({"max_train_size": 0}, "`max_train_size` must be an integer >= 1"),
])
def test_time_series_split_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=f"TimeSeriesSplit: argument {message}"):
        TimeSeriesSplit(3, **kwargs)


def test_stratified_needs_labels_with_enough_members_per_class():
    with pytest.raises(ValueError, match=r"StratifiedKFold.split: argument `y` \(the class labels\) is required"):
        StratifiedKFold(2).split(np.zeros(6))
    y = np.array(["a"] * 5 + ["b"] * 2)
    with pytest.raises(ValueError, match=r"class 'b' has only 2 member\(s\), fewer than n_splits=3"):
        StratifiedKFold(3).split(np.zeros(7), y)
    with pytest.raises(ValueError, match=r"IteratedKFold.split: class 'b' has only 2 member"):
        IteratedKFold(3, stratified=True).split(np.zeros(7), y)
    with pytest.raises(ValueError, match=r"y` must have one row per sample, got a 0-d array"):
        StratifiedKFold(2).split(np.zeros(1), np.array(3))
    with pytest.raises(ValueError, match=r"1-D or 2-D array, got shape \(6, 1, 1\)"):
        StratifiedKFold(2).split(np.zeros(6), np.zeros((6, 1, 1)))
    with pytest.raises(TypeError, match="argument `y` must hold comparable class labels"):
        StratifiedKFold(2).split(np.zeros(4), np.array([1, "a", None, 2.0], dtype=object))


def test_splitters_check_lengths():
    with pytest.raises(ValueError, match="KFold.split: all arrays must have the same number of samples, "
                                         "got lengths x: 6, y: 5"):
        KFold(2).split(np.zeros(6), np.zeros(5))
    with pytest.raises(ValueError, match="x: 6, groups: 4"):
        TimeSeriesSplit(2).split(np.zeros(6), groups=[1, 2, 3, 4])
    with pytest.raises(TypeError, match="KFold.split: argument `x` must be an array .* got int"):
        KFold(2).split(6)
    with pytest.raises(ValueError, match="argument `x` must have one row per sample, got a 0-d array"):
        KFold(2).split(np.float64(3.0))


@pytest.mark.parametrize("sizes, error, message", [
    ({"val_size": 0.0}, ValueError, r"argument `val_size` must be a number in \(0, 1\), got 0.0"),
    ({"test_size": 1.0}, ValueError, r"argument `test_size` must be a number in \(0, 1\), got 1.0"),
    ({"test_size": -0.1}, ValueError, r"argument `test_size` must be a number in \(0, 1\)"),
    ({"val_size": 1.5}, ValueError, r"argument `val_size` must be a number in \(0, 1\)"),
    ({"val_size": 0}, ValueError, r"argument `val_size` must be a fraction in \(0, 1\) or a count >= 1 \(the part "
                                  r"must not be empty\), got 0"),
    ({"test_size": -2}, ValueError, r"must not be empty\), got -2"),
    ({"val_size": 0.5, "test_size": 0.5}, ValueError, r"must sum to less than 1 .* val_size=0.5 \+ test_size=0.5 = 1"),
    ({"val_size": 0.7, "test_size": 0.4}, ValueError, r"= 1.1"),
    ({"val_size": 6, "test_size": 4}, ValueError, r"training part would be empty: of 10 samples, val_size=6 takes 6, "
                                                  r"test_size=4 takes 4, leaving 0 to train"),
    ({"val_size": 0.5, "test_size": 5}, ValueError, r"leaving 0 to train"),
    ({"val_size": True}, TypeError, r"argument `val_size` must be a fraction in \(0, 1\) or a count >= 1, got True"),
    ({"test_size": "0.2"}, TypeError, r"argument `test_size` must be a fraction"),
    ({"test_size": None}, TypeError, r"argument `test_size` must be a fraction"),
])
def test_bad_hold_out_sizes(sizes, error, message):
    with pytest.raises(error, match=message):
        train_val_test_split(np.arange(10), **sizes)
    with pytest.raises(error, match=message):
        temporal_split(np.arange(10), **sizes)


def test_bad_two_way_sizes_and_tiny_data():
    with pytest.raises(ValueError, match=r"train_test_split: the training part would be empty: of 4 samples, "
                                         r"test_size=4 takes 4"):
        train_test_split(np.arange(4), test_size=4)
    with pytest.raises(ValueError, match=r"train_test_split: argument `test_size` must be a number in \(0, 1\)"):
        train_test_split(np.arange(4), test_size=1.0)
    with pytest.raises(ValueError, match="of 2 samples, val_size=0.2 takes 1, test_size=0.2 takes 1, leaving 0"):
        train_val_test_split(np.arange(2))
    with pytest.raises(ValueError, match="train_val_test_split: got 0 samples, nothing to split"):
        train_val_test_split(np.arange(0))


def test_hold_out_bad_arrays():
    with pytest.raises(ValueError, match=r"train_val_test_split: all arrays must have the same number of samples, "
                                         r"got lengths arrays\[0\]: 10, arrays\[1\]: 9"):
        train_val_test_split(np.arange(10), np.arange(9))
    with pytest.raises(ValueError, match=r"arrays\[0\]: 10, stratify: 8"):
        train_test_split(np.arange(10), stratify=np.zeros(8))
    with pytest.raises(ValueError, match=r"temporal_split: .* arrays\[0\]: 10, time: 11"):
        temporal_split(np.arange(10), time=np.arange(11))
    with pytest.raises(TypeError, match="train_test_split: expected at least one array to split, got none"):
        train_test_split()
    with pytest.raises(TypeError, match="temporal_split: expected at least one array to split, got none"):
        temporal_split()
    with pytest.raises(TypeError, match=r"argument `arrays\[1\]` must be an array \(with a shape\) or a list, "
                                        r"got NoneType"):
        train_test_split(np.arange(4), None)
    with pytest.raises(TypeError, match=r"got str"):
        train_test_split("abcd")


def test_hold_out_bad_stratification():
    y = np.array([0] * 8 + [1] * 2)
    with pytest.raises(ValueError, match="`stratify` needs shuffle=True"):
        train_test_split(np.arange(10), stratify=y, shuffle=False)
    with pytest.raises(ValueError, match=r"train_val_test_split: argument `stratify`: class 1 has 2 member\(s\), "
                                         r"fewer than the 3 parts \(train, val, test\)"):
        train_val_test_split(np.arange(10), stratify=y, seed=0)
    with pytest.raises(ValueError, match=r"class 'x' has 1 member\(s\), fewer than the 2 parts \(train, test\)"):
        train_test_split(np.arange(4), stratify=["y", "y", "x", "y"], seed=0)
    y3 = np.repeat([0, 1, 2], 4)
    with pytest.raises(ValueError, match=r"the test part would hold 2 sample\(s\) for 3 classes"):
        train_test_split(np.arange(12), stratify=y3, test_size=2, seed=0)
    with pytest.raises(ValueError, match=r"argument `stratify` must hold one class label .* got shape \(12, 1, 1\)"):
        train_test_split(np.arange(12), stratify=y3.reshape(12, 1, 1), test_size=3, seed=0)


def test_temporal_split_bad_time():
    with pytest.raises(ValueError, match=r"argument `time` must hold one time stamp per sample, shape \(4,\), got "
                                         r"shape \(4, 1\)"):
        temporal_split(np.arange(4), val_size=1, test_size=1, time=np.arange(4).reshape(4, 1))
    with pytest.raises(ValueError, match=r"argument `time` must not contain NaN \(or NaT\), got 1 of them"):
        temporal_split(np.arange(4), val_size=1, test_size=1, time=np.array([1.0, np.nan, 2.0, 3.0]))
    with pytest.raises(ValueError, match="NaN"):
        temporal_split(np.arange(3), val_size=1, test_size=1,
                       time=np.array(["2024-01-01", "NaT", "2024-01-03"], dtype="datetime64[D]"))
