"""The figures the docs build draws (docs_figures.py), drawn here too: each file a real picture,
and each claim the pages make about them true."""

import importlib.util
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "docs_figures.py"
DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("dl_viz_docs_figures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("figures")
    return out, module.main(out)


def test_every_figure_a_page_shows_is_drawn_and_not_blank(drawn):
    out, _ = drawn
    shown = {name for page in DOCS.glob("*.md") for name in _figure_links(page.read_text())}
    assert shown, "the pages show no figure"
    missing = sorted(shown - {p.name for p in out.glob("*.png")})
    assert not missing, f"pages link figures the script does not draw: {missing}"
    for name in shown:
        image = matplotlib.image.imread(out / name)
        assert image.shape[0] > 50 and image.shape[1] > 50 and image[..., :3].std() > 0.02, name


def _figure_links(text):
    import re

    return re.findall(r"\]\(figures/([\w-]+\.png)\)", text)


def test_the_numbers_the_pages_quote(drawn):
    _, facts = drawn
    assert facts["stripes_test_accuracy"] > 0.95
    acc = np.array(list(facts["adversarial_accuracy"].values()))
    assert acc[0] > 0.95 and acc[-1] < 0.25 and np.all(np.diff(acc) <= 0)  # falls below chance
    assert facts["fooled_share_at_0.15"] > 0.5
    confidence = facts["mean_confidence"]
    assert confidence["uniform noise"] < confidence["test stripes"] and confidence["uniform noise"] > 0.25 * 1.5
    assert facts["overfit_best_epoch"] < 35  # validation loss turns up before the 40th epoch
