"""The programs in examples/ (what `tox -e demo` runs) work and show what they claim."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

import ch5_convnet  # noqa: E402
import ch6_text_and_sequences  # noqa: E402


def test_chapter_5_example_trains_a_convnet_and_transfers_the_pretrained_one(capsys):
    results = ch5_convnet.main(["--epochs", "3"])
    assert results["from_scratch_all"] > 0.35  # 5 classes: chance is 0.2
    assert results["pretrained_few"] > results["scratch_few"] + 0.1
    assert "MiniVGG pretrained on digits" in capsys.readouterr().out


def test_chapter_6_example_learns_word_order_and_spam_from_raw_strings(capsys):
    results = ch6_text_and_sequences.main(["--epochs", "10", "--spam-epochs", "3"])
    assert results["order_bag_of_words"] < 0.6 < 0.85 < results["order_conv_gru"]  # order: only the GRU reads it
    assert results["spam_conv_gru"] > results["spam_majority"] + 0.15
    assert "Conv1D + GRU test accuracy" in capsys.readouterr().out
