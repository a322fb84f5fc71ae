"""The dl-book demo (``tox -e demo``): each chapter package at work, in a minute or two.

1. Chapter 2 (dl-tensor): a two-layer network from scratch: tensors, autodiff, SGD.
2. Chapter 3 (dl-layers): the same kind of task with Sequential, compile, fit, save.
3. Chapter 5 (dl-convnet): a convnet from scratch, then a pretrained one reused for a new task.
4. Chapter 6 (dl-sequence): a 1D convnet before a GRU, from raw strings, on word order and on real emails.

Then a table of the results, and figures drawn with dl-viz from the models just trained
(training curves, Grad-CAM, the learned word embeddings, an adversarial example), written to
the folder it prints (``--out``; by default a folder in the system's temporary directory).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import ch2_from_scratch
import ch3_first_network
import ch5_convnet
import ch6_text_and_sequences
import numpy as np


def draw_figures(convnet: dict, text: dict, out: Path) -> list[Path]:
    """The demo's figures, from the models the chapters trained (dl-viz; matplotlib, no screen)."""
    import dl_viz

    model, x_test, y_test = convnet["model"], convnet["x_test"], convnet["y_test"]
    paths = [dl_viz.save_figure(dl_viz.plot_history(convnet["history"]), out / "convnet_training_curves.png")]

    last_conv = [layer.name for layer in model.layers if layer.name.startswith("conv2d")][-1]
    image = x_test[:1]  # (1, 28, 28, 1), pixels 0-255
    heatmap = dl_viz.grad_cam(model, image, last_conv)
    paths.append(dl_viz.save_figure(dl_viz.plot_grad_cam(image[0, :, :, 0] / 255.0, heatmap,
                                                         title=f"Grad-CAM at {last_conv}"), out / "grad_cam.png"))

    spam_model, vocabulary = text["spam_model"], text["spam_vocabulary"]
    table = next(layer for layer in spam_model.layers if layer.name.startswith("embedding")).get_weights()[0]
    words = vocabulary[2:80]  # the most frequent words (past the padding and "[UNK]")
    paths.append(dl_viz.save_figure(dl_viz.plot_embeddings(table[2:80], labels=words), out / "word_embeddings.png"))

    import dl_layers as L
    from dl_convnet import Rescaling

    in_unit_range = L.Sequential([L.Input(shape=model.input_shape[1:]), Rescaling(255.0), model])  # pixels in [0, 1]
    paths.append(dl_viz.save_figure(dl_viz.plot_adversarial(in_unit_range, image[0] / 255.0, int(y_test[0]),
                                                            epsilon=0.15, clip=(0.0, 1.0)),
                                    out / "adversarial_example.png"))
    return paths


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "dl-book-demo",
                        help="folder for the figures")
    args = parser.parse_args(argv)

    print("=== Chapter 2: a network from scratch with dl-tensor ===")
    ch2 = ch2_from_scratch.main([])
    print()
    print("=== Chapter 3: layers, compile and fit with dl-layers ===")
    ch3 = ch3_first_network.main([])
    print()
    print("=== Chapter 5: convolutions, pooling and a pretrained convnet with dl-convnet ===")
    ch5 = ch5_convnet.main([])
    print()
    print("=== Chapter 6: text, a 1D convnet and a GRU with dl-sequence ===")
    ch6 = ch6_text_and_sequences.main([])
    print()

    rows = [
        ("2", "two-layer network from scratch (dl-tensor)", "digits, test accuracy", ch2),
        ("3", "Sequential MLP, compile and fit (dl-layers)", "test accuracy", ch3),
        ("5", "convnet from scratch on 2,000 shapes (dl-convnet)", "test accuracy", ch5["from_scratch_all"]),
        ("5", "pretrained MiniVGG + new head, 20 images per class", "test accuracy", ch5["pretrained_few"]),
        ("5", "the same network from scratch on those 100 images", "test accuracy", ch5["scratch_few"]),
        ("6", "bag of words on the word-order task (chance 0.5)", "test accuracy", ch6["order_bag_of_words"]),
        ("6", "Conv1D + GRU on the word-order task (dl-sequence)", "test accuracy", ch6["order_conv_gru"]),
        ("6", f"Conv1D + GRU on SpamAssassin (majority {ch6['spam_majority']:.3f})", "test accuracy",
         ch6["spam_conv_gru"]),
    ]
    print("=== Results ===")
    print("| chapter | model | measure | value |")
    print("|---|---|---|---:|")
    for chapter, model, measure, value in rows:
        print(f"| {chapter} | {model} | {measure} | {float(np.asarray(value)):.3f} |")
    print()

    args.out.mkdir(parents=True, exist_ok=True)
    print(f"=== Figures, drawn with dl-viz, in {args.out} ===")
    for path in draw_figures(ch5, ch6, args.out):
        print(f"  {path}")


if __name__ == "__main__":
    main()
