"""The programs in examples/ (what `tox -e demo` runs) work and show what they claim."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

import ch5_convnet  # noqa: E402


def test_chapter_5_example_trains_a_convnet_and_transfers_the_pretrained_one(capsys):
    results = ch5_convnet.main(["--epochs", "3"])
    assert results["from_scratch_all"] > 0.35  # 5 classes: chance is 0.2
    assert results["pretrained_few"] > results["scratch_few"] + 0.1
    assert "MiniVGG pretrained on digits" in capsys.readouterr().out
