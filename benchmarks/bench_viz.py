"""dl-viz's techniques on the pretrained MiniVGG against the same computations in PyTorch, same process.

The PyTorch twin of MiniVGG gets the shipped weights (kernels (kh, kw, in, out) -> (out, in, kh, kw);
the classifier's Flatten reads NHWC, so the twin permutes before flattening). First the two
sides are checked to compute the same thing (predictions, Grad-CAM maps, filter-pattern
gradients), then each workload alternates in rounds (``harness.compare``), on varied inputs:

* ``grad_cam``: one heatmap at ``block3_conv2`` for one 28x28 digit (forward, backward to the
  layer's output, the map);
* ``filter_pattern``: 10 steps of gradient ascent for one filter of ``block2_conv2`` on a
  40x40 image of the base without its classifier;
* ``fgsm``: adversarial examples (fast gradient sign) for a batch of 128 digits.

    python benchmarks/bench_viz.py [--rounds 5] [--seconds 1.5]

Prints calls/s per side and the ratio ours/torch (above 1: ours is faster).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import compare, round_ratio  # noqa: E402

import dl_viz  # noqa: E402
from dl_convnet.applications import MiniVGG  # noqa: E402

INPUTS = 16  # different inputs, cycled, for both sides


def torch_twin(model, include_top=True):
    """MiniVGG in PyTorch with ``model``'s weights: {name: module} in order."""
    import torch
    from torch import nn

    torch.set_num_threads(2)
    torch.set_flush_denormal(True)
    layers = {}
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            w, b = layer.get_weights()
            conv = nn.Conv2d(w.shape[2], w.shape[3], 3, padding=1)
            # (kh, kw, in, out) -> (out, in, kh, kw)
            conv.weight.data = torch.from_numpy(w.transpose(3, 2, 0, 1).copy())
            conv.bias.data = torch.from_numpy(b.copy())
            layers[layer.name] = nn.Sequential(conv, nn.ReLU())
        elif kind == "MaxPooling2D":
            layers[layer.name] = nn.MaxPool2d(2)
        elif kind == "Flatten" and include_top:
            layers[layer.name] = nn.Flatten()
        elif kind == "Dense" and include_top:
            w, b = layer.get_weights()
            dense = nn.Linear(w.shape[0], w.shape[1])
            dense.weight.data = torch.from_numpy(w.T.copy())
            dense.bias.data = torch.from_numpy(b.copy())
            act = nn.ReLU() if layer.name == "fc1" else nn.Softmax(dim=1)
            layers[layer.name] = nn.Sequential(dense, act)
    return layers


def torch_run(layers, x, stop=None):
    """Run the twin on NHWC numpy/tensor ``x``; returns (output of ``stop`` or None, final output)."""
    import torch

    h = x if isinstance(x, torch.Tensor) else torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    kept = None
    for name, module in layers.items():
        if name == "flatten":
            h = h.permute(0, 2, 3, 1)  # NCHW -> NHWC, as our Flatten reads
        h = module(h)
        if name == stop:
            kept = h
    return kept, h


def torch_grad_cam(layers, image, layer):
    import torch

    x = torch.from_numpy(np.ascontiguousarray(image[None].transpose(0, 3, 1, 2)))
    features, scores = torch_run(layers, x, stop=layer)
    top = int(scores[0].argmax())
    (g,) = torch.autograd.grad(scores[0, top], [features])  # the layer's gradient only, as ours asks
    weights = g[0].mean(dim=(1, 2))  # (channels,)
    cam = torch.relu((features[0].detach() * weights[:, None, None]).mean(dim=0))  # (h, w)
    return (cam / cam.max() if cam.max() > 0 else cam).numpy()


def torch_filter_pattern(layers, image, layer, k, steps=10, learning_rate=1.0):
    import torch

    x = torch.from_numpy(np.ascontiguousarray(image[None].transpose(0, 3, 1, 2))).clone()
    for _ in range(steps):
        x.requires_grad_(True)
        features, _ = torch_run(layers, x, stop=layer)
        loss = features[:, k, 2:-2, 2:-2].mean()
        (g,) = torch.autograd.grad(loss, [x])
        with torch.no_grad():
            x = x + learning_rate * g / torch.sqrt(torch.clamp((g * g).sum(), min=1e-12))
    return x.detach()[0].permute(1, 2, 0).numpy()


def torch_fgsm(layers, x, y, epsilon):
    import torch

    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).requires_grad_(True)
    _, probs = torch_run(layers, xt)
    loss = torch.nn.functional.nll_loss(torch.log(probs.clamp_min(1e-7)), torch.from_numpy(y), reduction="sum")
    (g,) = torch.autograd.grad(loss, [xt])
    return (xt.detach() + epsilon * torch.sign(g)).permute(0, 2, 3, 1).numpy()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.5)
    args = parser.parse_args(argv)
    import torch

    rng = np.random.default_rng(0)
    vgg, base = MiniVGG(), MiniVGG(include_top=False)
    twin, base_twin = torch_twin(vgg), torch_twin(base, include_top=False)
    digits = rng.uniform(0, 1, size=(INPUTS, 28, 28, 1)).astype(np.float32) ** 4  # mostly dark, some bright strokes
    starts = rng.uniform(0, 1, size=(INPUTS, 40, 40, 1)).astype(np.float32)
    batches = [(rng.uniform(0, 1, size=(128, 28, 28, 1)).astype(np.float32) ** 4, rng.integers(0, 10, 128))
               for _ in range(4)]

    # the same computations on both sides
    with torch.no_grad():
        p_torch = torch_run(twin, digits)[1].numpy()
    print(f"predictions: max |ours - torch| = {np.abs(vgg.predict(digits) - p_torch).max():.2e}")
    cam_diff = max(np.abs(dl_viz.grad_cam(vgg, d, "block3_conv2") - torch_grad_cam(twin, d, "block3_conv2")).max()
                   for d in digits[:4])
    print(f"grad_cam maps: max |ours - torch| = {cam_diff:.2e}")
    pat_ours = dl_viz.filter_pattern(base, "block2_conv2", 3, steps=1, learning_rate=1.0, image=starts[0])
    pat_torch = torch_filter_pattern(base_twin, starts[0], "block2_conv2", 3, steps=1)
    print(f"one filter-pattern step: max |ours - torch| = {np.abs(pat_ours - pat_torch).max():.2e}")
    x0, y0 = batches[0]
    adv_diff = np.mean(dl_viz.adversarial_example(vgg, x0, y0, 0.05) != torch_fgsm(twin, x0, y0, 0.05))
    print(f"fgsm: share of pixels where the two sides' signs differ = {adv_diff:.2e}")

    counter = {"i": 0}

    def nxt():
        counter["i"] += 1
        return counter["i"] % INPUTS

    workloads = {
        "grad_cam": {"ours": lambda: dl_viz.grad_cam(vgg, digits[nxt()], "block3_conv2") is not None,
                     "torch": lambda: torch_grad_cam(twin, digits[nxt()], "block3_conv2") is not None},
        "filter_pattern": {
            "ours": lambda: dl_viz.filter_pattern(base, "block2_conv2", 3, steps=10, learning_rate=1.0,
                                                  image=starts[nxt()]) is not None,
            "torch": lambda: torch_filter_pattern(base_twin, starts[nxt()], "block2_conv2", 3) is not None},
        "fgsm": {"ours": lambda: dl_viz.adversarial_example(vgg, *batches[nxt() % 4], 0.05) is not None,
                 "torch": lambda: torch_fgsm(twin, *batches[nxt() % 4], 0.05) is not None},
    }
    print(f"\n{'workload':<16}{'ours calls/s':>14}{'torch calls/s':>15}{'ratio ours/torch':>18}")
    for name, sides in workloads.items():
        res = compare(sides, rounds=args.rounds, seconds=args.seconds)
        print(f"{name:<16}{res['ours']['median']:>14.1f}{res['torch']['median']:>15.1f}"
              f"{round_ratio(res, 'ours', 'torch'):>18.2f}", flush=True)


if __name__ == "__main__":
    main()
