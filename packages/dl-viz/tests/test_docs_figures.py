"""The figures the docs build draws (docs_figures.py), drawn here too: each file a real picture,
and each claim the pages make about them true."""

import numpy as np

from dl_tensor.testing import chapter_figures_tests

drawn, test_every_figure_a_page_shows_is_drawn_and_not_blank = chapter_figures_tests(__file__)


def test_the_numbers_the_pages_quote(drawn):
    _, facts = drawn
    assert facts["stripes_test_accuracy"] > 0.95
    acc = np.array(list(facts["adversarial_accuracy"].values()))
    assert acc[0] > 0.95 and acc[-1] < 0.25 and np.all(np.diff(acc) <= 0)  # falls below chance
    assert facts["fooled_share_at_0.15"] > 0.5
    confidence = facts["mean_confidence"]
    assert confidence["uniform noise"] < confidence["test stripes"] and confidence["uniform noise"] > 0.25 * 1.5
    assert facts["overfit_best_epoch"] < 35  # validation loss turns up before the 40th epoch
