import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dl_workflow.leakage import LeakageReport, check_temporal_split, find_duplicates, leakage_report


def _brute_force(a, b, within, distance, tolerance):
    """Every pair, compared in Python: the reference for the vectorized search."""
    n, m = len(a), len(b)
    return [(i, j) for i, j in itertools.product(range(n), range(m))
            if (not within or i < j) and distance(a[i], b[j]) <= tolerance]


def _as_list(pairs):
    return [tuple(p) for p in pairs.tolist()]


# -- find_duplicates: numbers ---------------------------------------------------------------------------


def test_exact_duplicates_within_and_between():
    a = np.array([[1, 2], [3, 4], [1, 2], [5, 6], [1, 2]])
    pairs = find_duplicates(a)
    assert pairs.dtype == np.int64 and pairs.shape == (3, 2)
    assert _as_list(pairs) == [(0, 2), (0, 4), (2, 4)]
    b = np.array([[5, 6], [1, 2], [9, 9]])
    assert _as_list(find_duplicates(a, b)) == [(0, 1), (2, 1), (3, 0), (4, 1)]
    assert find_duplicates(a, np.array([[7, 7]])).shape == (0, 2)


def test_exact_duplicates_of_images_compare_flattened_and_across_dtypes():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(50, 4, 4), dtype=np.uint8)
    images[30] = images[7]
    assert _as_list(find_duplicates(images)) == [(7, 30)]
    assert _as_list(find_duplicates(images[:10], images[25:35].astype(np.float32))) == [(7, 5)]
    assert _as_list(find_duplicates(np.array([[0.0, 1.0]]), np.array([[-0.0, 1.0]]))) == [(0, 0)]


samples = hnp.arrays(np.int8, st.tuples(st.integers(1, 12), st.just(3)), elements=st.integers(-2, 2))


@given(samples, samples)
@settings(max_examples=40)
def test_exact_search_equals_brute_force(a, b):
    same = lambda u, v: 0.0 if np.array_equal(u, v) else 1.0  # noqa: E731
    assert _as_list(find_duplicates(a)) == _brute_force(a, a, True, same, 0.0)
    assert _as_list(find_duplicates(a, b)) == _brute_force(a, b, False, same, 0.0)


@given(samples.map(lambda s: s * 0.5), samples.map(lambda s: s * 0.5), st.sampled_from([0.25, 0.5, 1.0]),
       st.sampled_from(["max_abs", "euclidean"]))
@settings(max_examples=40)
def test_near_search_equals_brute_force(a, b, tolerance, metric):
    distance = ((lambda u, v: np.abs(u - v).max()) if metric == "max_abs"
                else (lambda u, v: np.sqrt(((u - v) ** 2).sum())))
    assert sorted(_as_list(find_duplicates(a, b, tolerance, metric))) == _brute_force(a, b, False, distance, tolerance)
    assert sorted(_as_list(find_duplicates(a, None, tolerance, metric))) == \
        _brute_force(a, a, True, distance, tolerance)


def test_near_duplicates_with_blocks(monkeypatch):
    import dl_workflow.leakage as leakage

    monkeypatch.setattr(leakage, "_BLOCK_ELEMENTS", 7)  # many tiny blocks: the blocking is exercised
    rng = np.random.default_rng(1)
    a = rng.normal(size=(20, 5))
    b = np.concatenate([a[[3, 11]] + 0.01, rng.normal(size=(9, 5))])
    for metric in ("max_abs", "euclidean"):
        assert sorted(_as_list(find_duplicates(a, b, 0.05, metric))) == [(3, 0), (11, 1)]


def test_near_duplicates_metrics_differ():
    a = np.array([[0.0, 0.0]])
    b = np.array([[0.3, 0.3]])  # max_abs 0.3, euclidean 0.42
    assert len(find_duplicates(a, b, 0.35, "max_abs")) == 1
    assert len(find_duplicates(a, b, 0.35, "euclidean")) == 0


# -- find_duplicates: texts -------------------------------------------------------------------------------


def test_exact_text_duplicates_ignore_whitespace_and_case():
    texts = ["This movie was great!", "this  movie\nwas GREAT!", "This movie was great", "Awful."]
    assert _as_list(find_duplicates(texts)) == [(0, 1)]
    assert _as_list(find_duplicates(("awful.",), np.array(texts))) == [(0, 3)]


def test_near_text_duplicates_by_jaccard_of_word_sets():
    a = ["the cat sat on the mat", "a completely different review", ""]
    b = ["The cat sat on a mat", "completely different", "mat on sat cat the", "", "nothing shared here"]
    words = lambda t: set(t.lower().split())  # noqa: E731

    def jaccard_distance(u, v):
        wu, wv = words(u), words(v)
        return 1.0 - (len(wu & wv) / len(wu | wv) if wu | wv else 1.0)

    for tolerance in (0.0, 0.3, 0.5, 0.6, 1.0):
        expected = _brute_force(a, b, False, jaccard_distance, tolerance + 1e-12)
        if tolerance == 0.0:  # exact mode compares whole texts, word order included
            expected = [(2, 3)]
        assert sorted(_as_list(find_duplicates(a, b, tolerance))) == expected, tolerance
    assert (0, 2) in _as_list(find_duplicates(a, b, 0.01))  # same word set, other order


def test_near_text_duplicates_with_blocks(monkeypatch):
    import dl_workflow.leakage as leakage

    monkeypatch.setattr(leakage, "_BLOCK_ELEMENTS", 3)
    rng = np.random.default_rng(0)
    vocab = np.array([f"w{i}" for i in range(30)])
    texts = [" ".join(rng.choice(vocab, 8)) for _ in range(15)]
    texts[9] = texts[2] + " extra"
    pairs = _as_list(find_duplicates(texts, tolerance=0.2))
    assert (2, 9) in pairs and all(i < j for i, j in pairs)


# -- find_duplicates: errors ------------------------------------------------------------------------------


def test_find_duplicates_errors():
    with pytest.raises(ValueError, match=r"find_duplicates: the samples of a have shape \(2,\) but those of b"):
        find_duplicates(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(TypeError, match="a holds texts but b holds numbers"):
        find_duplicates(["a"], np.zeros((1, 2)))
    with pytest.raises(TypeError, match="a single string"):
        find_duplicates("abc")
    with pytest.raises(TypeError, match="numeric array of samples"):
        find_duplicates(np.float64(3.0))
    with pytest.raises(ValueError, match="argument `tolerance`"):
        find_duplicates(np.zeros((2, 2)), tolerance=-0.1)
    with pytest.raises(ValueError, match="argument `metric` must be one of 'max_abs', 'euclidean'"):
        find_duplicates(np.zeros((2, 2)), tolerance=0.1, metric="cosine")
    with pytest.raises(ValueError, match=r"tolerance` must be in \[0, 1\] for texts"):
        find_duplicates(["a", "b"], tolerance=1.5)


def test_find_duplicates_edge_cases():
    assert find_duplicates(np.zeros((0, 3))).shape == (0, 2)
    assert find_duplicates(np.zeros((1, 3)), tolerance=0.5).shape == (0, 2)
    assert _as_list(find_duplicates(np.array([1.0, 2.0, 1.0]))) == [(0, 2)]  # scalar samples


# -- check_temporal_split ----------------------------------------------------------------------------


def test_temporal_split_in_order_passes():
    assert check_temporal_split([1, 2, 3], [4, 5], [6, 7]) == []
    dates = np.array(["2020-01-01", "2020-02-01"], dtype="datetime64[D]")
    assert check_temporal_split(dates, dates + 60) == []


def test_temporal_overlap_names_the_range():
    with pytest.raises(ValueError, match=r"2 'val' time\(s\) are not after the last 'train' time 10: .*\[8, 10\]"):
        check_temporal_split([1, 5, 10], [8, 9, 11])
    with pytest.raises(ValueError, match=r"'test' time\(s\) are not after the last 'val' time"):
        check_temporal_split([1], [5, 9], [9, 12])  # equal times are not "after"
    findings = check_temporal_split([1, 2, 3], [3, 4], raise_error=False)
    assert findings[0]["count"] == 1 and findings[0]["parts"] == ("train", "val")
    dates = np.array(["2020-01-01", "2020-03-01"], dtype="datetime64[D]")
    with pytest.raises(ValueError, match=r"\[2020-02-01, 2020-03-01\]"):
        check_temporal_split(dates, np.array(["2020-02-01"], dtype="datetime64[D]"))


def test_temporal_split_errors():
    with pytest.raises(ValueError, match="check_temporal_split: val_times is empty"):
        check_temporal_split([1], [])
    with pytest.raises(TypeError, match="train_times must be a 1-D array of times"):
        check_temporal_split([[1, 2]], [3])
    with pytest.raises(TypeError, match="test_times must be"):
        check_temporal_split([1], [2], ["x"])
    with pytest.raises(ValueError, match="NaN"):
        check_temporal_split([1.0, np.nan], [3.0])
    with pytest.raises(TypeError, match="mix of datetime64 and numeric"):
        check_temporal_split(np.array(["2020-01-01"], dtype="datetime64[D]"), [5])


# -- leakage_report --------------------------------------------------------------------------------------


def _clean_data(n=60):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 4)), np.tile([0, 1, 2], n // 3), np.arange(n)


def test_clean_split_reports_no_leak_and_lists_the_checks():
    x, labels, times = _clean_data()
    report = leakage_report({"train": np.arange(0, 42), "val": np.arange(42, 51), "test": np.arange(51, 60)},
                            x=x, labels=labels, times=times)
    assert report.ok and report.findings == []
    assert report.checks == ["index_overlap", "duplicate_samples", "temporal_order", "unseen_classes",
                             "class_proportions"]
    text = str(report)
    assert "no leak found by these checks" in text and "not run" not in text
    assert "class proportions:" in text and "train" in text
    assert report.proportions["val"] == pytest.approx({0: 1 / 3, 1: 1 / 3, 2: 1 / 3})
    assert "LeakageReport(ok=True" in repr(report)
    assert isinstance(report, LeakageReport)


def test_index_overlap_is_found():
    report = leakage_report({"train": [0, 1, 2, 3], "val": [3, 4], "test": [4, 5, 1]})
    found = {(f["parts"], f["count"]) for f in report.findings}
    assert found == {(("train", "val"), 1), (("train", "test"), 1), (("val", "test"), 1)}
    assert not report.ok
    assert report.checks == ["index_overlap"]
    assert "not run: duplicate_samples (pass x=)" in str(report)


def test_duplicates_between_parts_are_found_with_original_indices():
    x, _, _ = _clean_data()
    x[50] = x[4]  # validation sample 50 repeats training sample 4
    x[55] = x[52] + 1e-4  # near duplicates within validation: not a leak
    report = leakage_report({"train": np.arange(40), "val": np.arange(40, 60)}, x=x)
    (finding,) = report.findings
    assert finding["check"] == "duplicate_samples" and finding["count"] == 1
    assert finding["examples"] == [(4, 50)] and finding["fold"] is None
    assert "1 sample(s) of 'val' duplicate sample(s) of 'train'" in str(report)
    # near duplicates across parts, with a tolerance
    x[45] = x[7] + 1e-3
    near = leakage_report({"train": np.arange(40), "val": np.arange(40, 60)}, x=x, tolerance=0.01)
    assert near.findings[0]["count"] == 2 and (7, 45) in near.findings[0]["examples"]


def test_duplicate_texts_between_parts():
    texts = ["Great film.", "Boring.", "great   FILM.", "Loved it"]
    report = leakage_report({"train": [0, 1], "val": [2, 3]}, x=texts)
    assert [f["examples"] for f in report.findings] == [[(0, 2)]]


def test_overlapping_index_is_not_counted_twice_as_a_duplicate():
    x, _, _ = _clean_data()
    report = leakage_report({"train": [0, 1, 2], "val": [2, 3]}, x=x)
    assert [f["check"] for f in report.findings] == ["index_overlap"]


def test_temporal_leak_in_a_random_split():
    _, _, times = _clean_data()
    shuffled = np.random.default_rng(0).permutation(60)
    report = leakage_report({"train": shuffled[:45], "val": shuffled[45:]}, times=times)
    (finding,) = report.findings
    assert finding["check"] == "temporal_order" and finding["count"] > 0
    assert "are not after the last 'train' time" in finding["message"]


def test_unseen_classes_and_skewed_proportions():
    labels = np.repeat([0, 1, 2], 20)  # sorted by class, then split without shuffling
    report = leakage_report({"train": np.arange(40), "val": np.arange(40, 60)}, labels=labels)
    checks = {f["check"]: f for f in report.findings}
    assert set(checks) == {"unseen_classes", "class_proportions"}
    assert checks["unseen_classes"]["examples"] == [2] and checks["unseen_classes"]["count"] == 20
    assert checks["class_proportions"]["count"] == 3
    assert report.proportions["train"] == {0: 0.5, 1: 0.5, 2: 0.0}
    assert "class(es) absent from 'train': [2]" in str(report)
    skewed = leakage_report({"train": np.arange(45), "val": np.arange(45, 60)}, labels=labels)
    assert [f["check"] for f in skewed.findings] == ["class_proportions"]  # class 2 seen, but rare in training
    assert skewed.proportions["train"][2] == pytest.approx(5 / 45)
    one_hot = leakage_report({"train": np.arange(40), "val": np.arange(40, 60)}, labels=np.eye(3)[labels])
    assert [f["check"] for f in one_hot.findings] == ["unseen_classes", "class_proportions"]
    lenient = leakage_report({"train": np.arange(0, 60, 2), "val": np.arange(1, 60, 2)}, labels=labels,
                             max_proportion_gap=0.5)
    assert lenient.ok


def test_string_labels_and_boolean_masks():
    labels = np.array(["cat", "dog", "cat", "bird"])
    mask = np.array([True, True, False, False])
    report = leakage_report({"train": mask, "val": ~mask}, labels=labels, max_proportion_gap=1.0)
    assert [f["examples"] for f in report.findings] == [["bird"]]


def test_folds_are_checked_one_by_one():
    x, labels, times = _clean_data()
    folds = [(np.arange(20, 60), np.arange(0, 20)), (np.r_[0:20, 40:60], np.arange(20, 40)),
             (np.arange(0, 45), np.arange(40, 60))]
    report = leakage_report(folds, x=x, labels=labels)
    assert [(f["fold"], f["check"]) for f in report.findings] == [(2, "index_overlap")]
    assert report.n_folds == 3 and report.parts == ["train", "val"]
    assert "fold 2: index_overlap" in str(report) and "3 folds" in str(report)
    assert "fold 0 val" in report.proportions
    # K-fold mixes times by design: the temporal check then flags the folds whose validation comes first
    timed = leakage_report(folds[:2], times=times)
    assert [f["fold"] for f in timed.findings] == [0, 1]
    # a generator of folds (a splitter's split()) works too
    assert leakage_report(iter(folds[:2])).ok


def test_report_errors():
    x, labels, times = _clean_data()
    with pytest.raises(IndexError, match="part 'val' holds index 60, outside 0..59"):
        leakage_report({"train": [0], "val": [60]}, x=x)
    with pytest.raises(IndexError, match="holds index -1"):
        leakage_report({"train": [-1], "val": [2]})
    with pytest.raises(TypeError, match="part 'train' must be a 1-D array of integer indices"):
        leakage_report({"train": [0.5], "val": [2]})
    with pytest.raises(ValueError, match="boolean mask of part 'train' has 3 entries for 60 samples"):
        leakage_report({"train": [True, False, True], "val": [2]}, x=x)
    with pytest.raises(ValueError, match="one entry per sample"):
        leakage_report({"train": [0], "val": [1]}, x=x, labels=labels[:10])
    with pytest.raises(TypeError, match=r"fold 0 must be a \(train_idx, val_idx\)"):
        leakage_report([np.arange(3)])
    with pytest.raises(ValueError, match="holds no folds"):
        leakage_report([])
    with pytest.raises(ValueError, match="empty dict"):
        leakage_report({})
    with pytest.raises(TypeError, match="must be a dict name -> indices"):
        leakage_report(np.arange(4))
    with pytest.raises(ValueError, match="argument `max_proportion_gap`"):
        leakage_report({"train": [0], "val": [1]}, max_proportion_gap=2)
    with pytest.raises(ValueError, match="labels must have shape"):
        leakage_report({"train": [0], "val": [1]}, labels=np.zeros((2, 2, 2)))
