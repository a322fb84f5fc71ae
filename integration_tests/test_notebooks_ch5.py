"""The chapter 5 notebook scripts (examples/notebooks/nb5_*.py) run their --quick versions, learn well
past a baseline, and print their results beside the book's."""

import sys
from pathlib import Path

import matplotlib.image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "notebooks"))

import nb5_1_introduction_to_convnets  # noqa: E402
import nb5_2_using_convnets_with_small_datasets  # noqa: E402
import nb5_3_using_a_pretrained_convnet  # noqa: E402
import nb5_4_visualizing_what_convnets_learn  # noqa: E402


def _printed_table(capsys, title):
    out = capsys.readouterr().out
    assert f"=== {title}: ours beside the book ===" in out
    assert "| measure | the book | ours | data |" in out
    return out


def test_5_1_the_convnet_beats_chance_and_reports_the_dense_network(capsys):
    results = nb5_1_introduction_to_convnets.main(["--quick"])
    assert results["convnet_test_acc"] > results["majority"] + 0.6  # 10 digits: the majority is ~0.11
    assert results["dense_test_acc"] > results["majority"] + 0.5
    _printed_table(capsys, nb5_1_introduction_to_convnets.TITLE)


def test_5_2_the_book_convnet_learns_the_stand_in_read_from_class_folders(capsys, tmp_path):
    results = nb5_2_using_convnets_with_small_datasets.main(["--quick", "--out", str(tmp_path)])
    assert results["best_val_acc"] > 0.5 + 0.12  # two balanced classes: guessing gives 0.5
    assert results["test_acc"] > 0.5 + 0.1
    assert 1 <= results["overfit_epoch"] <= results["epochs"]
    for path in results["figures"]:
        assert matplotlib.image.imread(path)[..., :3].std() > 0.02, path
    assert (tmp_path / "cats_and_dogs_small_1.dlbook").is_file()
    out = _printed_table(capsys, nb5_2_using_convnets_with_small_datasets.TITLE)
    assert "Found 1000 images belonging to 2 classes." in out  # read through flow_from_directory


def test_5_3_the_pretrained_base_transfers_to_shapes_better_than_scratch(capsys):
    results = nb5_3_using_a_pretrained_convnet.main(["--quick"])
    majority = results["majority"]  # five balanced shapes: ~0.2
    assert results["features_test_acc"] > majority + 0.3
    assert results["frozen_test_acc"] > majority + 0.4
    assert results["fine_tuned_test_acc"] > majority + 0.5
    assert results["fine_tuned_test_acc"] > results["scratch_test_acc"]  # the same network, same 100 images
    assert results["trainable_before"] > results["trainable_after"] == 4  # freezing the base leaves the head's 4
    _printed_table(capsys, nb5_3_using_a_pretrained_convnet.TITLE)


def test_5_4_the_three_techniques_draw_figures_and_measure_what_they_show(capsys, tmp_path):
    results = nb5_4_visualizing_what_convnets_learn.main(["--quick", "--out", str(tmp_path)])
    assert results["test_acc"] > 0.6
    assert len(results["figures"]) == 6
    for path in results["figures"]:
        assert Path(path).parent == tmp_path
        assert matplotlib.image.imread(path)[..., :3].std() > 0.02, path
    assert results["blank_last"] >= results["blank_first"]  # deeper layers: more blank channels (the book)
    assert results["pattern_gain"]["block2_conv2"] > 2  # a pattern excites its filter far more than noise
    assert results["grad_cam_on_object"] > results["grad_cam_area"] + 0.05  # the heat gathers on the digit
    _printed_table(capsys, nb5_4_visualizing_what_convnets_learn.TITLE)
