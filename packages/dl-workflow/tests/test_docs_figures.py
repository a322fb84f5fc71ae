"""The figures the docs build draws (docs_figures.py), drawn here too: each a real picture, and
each claim the pages make about them true."""

import numpy as np

from dl_tensor.testing import chapter_figures_tests

drawn, test_every_figure_a_page_shows_is_drawn_and_not_blank = chapter_figures_tests(__file__)


def test_the_numbers_the_pages_quote(drawn):
    _, facts = drawn
    reg = facts["regularization"]
    assert reg["none"]["final_val_crossentropy"] > 1.5 * reg["none"]["best_val_crossentropy"]  # it overfits
    for kind in ("L2 (0.002)", "L1 (0.0005)", "Dropout (0.5)"):
        assert reg[kind]["final_val_crossentropy"] < 0.8 * reg["none"]["final_val_crossentropy"], kind
    small, _, large = facts["capacity"]
    assert small["verdict"] == "still improving" and small["best"] > 2 * large["best"]
    assert large["verdict"].startswith("overfits after epoch")
    acc = facts["bottleneck"]
    assert acc["2"] < acc["64"] - 0.4 and acc["4"] < acc["64"] - 0.1 and acc["16"] > 0.9
    curve = facts["learning_curve"]
    assert curve["mae"][-1] < curve["baseline_mae"][-1] / 3 and curve["mae"][0] > 2 * curve["mae"][-1]
    assert curve["verdict"].startswith("flat")
    assert np.all(np.diff(curve["mae"]) < 0.05)
