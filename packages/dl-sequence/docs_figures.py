"""Draw the figures of the page "What the chapter claims, measured" from small experiments run on the spot.

    python packages/dl-sequence/docs_figures.py OUT_DIR

The docs build runs this (``tools/docs_hooks.py``); ``tests/test_docs_figures.py`` runs it too
and checks every number the page quotes against the facts ``main`` returns. Data made here, no
download (``dl_sequence.datasets.synthetic`` and two generated series):

* ``keyword_texts`` (the label says whether good words outnumber bad ones: order plays no part) and
  ``order_texts`` (the label says whether "alpha" comes before "omega": only order tells);
* an Embedding learned on the keyword task, projected on its two principal axes;
* the gradient of SimpleRNN, LSTM and GRU with respect to each input step of a 200-step sequence;
* one training step of a GRU against a 1D convnet + GRU at 500 to 4,000 steps, and what both learn;
* a bag of words, a 1D convnet and the conv + GRU on both text tasks;
* two series, one where the recent past is the best forecast and one with a long periodic pattern:
  the common-sense baseline against a Dense model and an LSTM.

Everything is seeded; the whole script runs in well under a minute on 2 cores (timings vary by machine).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

import dl_layers as L
import dl_tensor as dt
from dl_sequence import (
    GRU,
    LSTM,
    Conv1D,
    Embedding,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    MaxPooling1D,
    SimpleRNN,
    TextVectorization,
    naive_forecast,
    timeseries_dataset_from_array,
)
from dl_sequence.datasets.synthetic import BAD, GOOD, keyword_texts, order_texts

COLORS = {"good": "#2ca02c", "bad": "#d62728", "filler": "#bbbbbb",
          "SimpleRNN": "#7f7f7f", "LSTM": "#1f77b4", "GRU": "#ff7f0e"}
N_TRAIN, N_TEST = 2000, 1000  # texts of each task: trained on the first 2,000, tested on the last 1,000
SEED = 0  # every seed below counts from it (the tests keep 0; change it to check that a claim is robust)
# the order_texts models are trained this many times (seeds SEED, SEED + 1, ...) and the run with the
# median test accuracy is the one reported: at 6 epochs, whether a model has learned the order yet is a
# close race, and a single run can land on either side of it (claims.md gives the spread)
ORDER_RUNS = 3
VOCAB = 1000  # token ids of the sequence models (TextVectorization max_tokens, Embedding input_dim)


def _save(fig, path) -> None:
    fig.savefig(path, dpi=90)


def _compiled(layers, loss="binary_crossentropy", metrics=("accuracy",)):
    model = L.Sequential(layers)
    model.compile(optimizer="rmsprop", loss=loss, metrics=list(metrics))
    return model


# -- the text tasks and the models of the chapter -------------------------------------------------


def text_tasks():
    """The two tasks, same sizes: ``{name: (texts, labels)}``; 3,000 texts each, labels balanced."""
    return {"keywords": keyword_texts(N_TRAIN + N_TEST, length=100, keywords=5, seed=SEED + 1),
            "order": order_texts(N_TRAIN + N_TEST, length=300, min_gap=100, seed=SEED + 1)}


def token_ids(texts, length):
    """Integer ids ``(texts, length)`` from a TextVectorization adapted on the training texts only."""
    vectorizer = TextVectorization(max_tokens=VOCAB, output_sequence_length=length)
    vectorizer.adapt(texts[:N_TRAIN])
    return vectorizer(texts).numpy(), vectorizer


def bag_of_words(texts, mode="multi_hot"):
    """``(texts, vocabulary)`` multi-hot (or count) vectors, vocabulary from the training texts only."""
    vectorizer = TextVectorization(max_tokens=VOCAB, output_mode=mode)
    vectorizer.adapt(texts[:N_TRAIN])
    return vectorizer(texts).numpy()


def bag_of_words_model():
    return _compiled([L.Dense(16, activation="relu"), L.Dense(1, activation="sigmoid")])


def convnet_model():
    """The book's 1D convnet, small: Embedding -> Conv1D -> GlobalMaxPooling1D -> Dense."""
    return _compiled([Embedding(VOCAB, 32), Conv1D(32, 7, activation="relu"), GlobalMaxPooling1D(),
                      L.Dense(1, activation="sigmoid")])


def simple_rnn_model():
    return _compiled([Embedding(VOCAB, 32), SimpleRNN(32), L.Dense(1, activation="sigmoid")])


def gru_model():
    return _compiled([Embedding(VOCAB, 32), GRU(32), L.Dense(1, activation="sigmoid")])


def conv_gru_model():
    """A 1D convnet as a preprocessing step before a GRU: the GRU reads 5 times fewer steps."""
    return _compiled([Embedding(VOCAB, 32), Conv1D(32, 7, activation="relu"), MaxPooling1D(5),
                      Conv1D(32, 7, activation="relu"), GRU(32), L.Dense(1, activation="sigmoid")])


def trained_accuracy(build, x, y, epochs, seed=None):
    """Train ``build()`` on the first N_TRAIN samples for ``epochs``; accuracy on the last N_TEST."""
    L.set_random_seed(SEED if seed is None else seed)
    model = build()
    model.fit(x[:N_TRAIN], y[:N_TRAIN], epochs=epochs, batch_size=32, verbose=0)
    return round(float(model.evaluate(x[N_TRAIN:], y[N_TRAIN:], verbose=0)[1]), 3), model


# -- 1. what an Embedding learns ---------------------------------------------------------------------


def pca_2d(table):
    """The rows of ``table`` projected on its two principal axes (PCA written out with an SVD)."""
    centred = table - table.mean(axis=0)  # (words, dims)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)  # vt: (dims, dims), rows = principal axes
    return centred @ vt[:2].T, s**2 / np.sum(s**2)  # (words, dims) @ (dims, 2) -> (words, 2); variance shares


def embedding_experiment(out, texts, labels, facts):
    ids, vectorizer = token_ids(texts, 100)
    L.set_random_seed(SEED)
    model = _compiled([Embedding(VOCAB, 8), GlobalAveragePooling1D(), L.Dense(1, activation="sigmoid")])
    model.fit(ids[:N_TRAIN], labels[:N_TRAIN], epochs=20, batch_size=32, verbose=0)
    accuracy = float(model.evaluate(ids[N_TRAIN:], labels[N_TRAIN:], verbose=0)[1])
    vocabulary = vectorizer.get_vocabulary()
    points, share = pca_2d(model.layers[0].get_weights()[0][:len(vocabulary)])
    index = {word: i for i, word in enumerate(vocabulary)}
    good, bad = [index[w] for w in GOOD], [index[w] for w in BAD]
    fillers = [i for w, i in index.items() if w.startswith("w")]
    if points[good, 0].mean() < 0:  # an SVD axis has no preferred sign: put the good words on the right
        points[:, 0] *= -1
    far = np.abs(points[fillers, 0]).max()
    one_hot_bytes = ids.size * len(vocabulary) * 4  # (texts, length, vocabulary) float32
    facts["embedding"] = {
        "test_accuracy": round(accuracy, 3), "vocabulary_size": len(vocabulary),
        "first_axis_variance_share": round(float(share[0]), 3),
        "good_min": round(float(points[good, 0].min()), 3), "bad_max": round(float(points[bad, 0].max()), 3),
        "filler_max_abs": round(float(far), 3),
        "one_hot_megabytes": round(one_hot_bytes / 1e6, 1),
        "ids_and_table_megabytes": round((ids.nbytes + model.layers[0].get_weights()[0].nbytes) / 1e6, 2),
    }
    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.scatter(points[fillers, 0], points[fillers, 1], s=8, color=COLORS["filler"], label="filler words w0 ... w499")
    for kind, rows in (("good", good), ("bad", bad)):
        ax.scatter(points[rows, 0], points[rows, 1], s=30, color=COLORS[kind], label=f"{kind} words")
        # labels spread evenly in height, on the side of the middle, each joined to its point by a line
        rows = sorted(rows, key=lambda i: points[i, 1])
        heights = np.linspace(points[:, 1].min(), points[:, 1].max(), len(rows))
        for i, height in zip(rows, heights):
            ax.annotate(vocabulary[i], points[i], xytext=(points[i, 0] * 0.75, height), fontsize=8,
                        ha="center", va="center", arrowprops={"arrowstyle": "-", "color": COLORS[kind], "lw": 0.5})
    ax.set_xlabel(f"first principal axis ({share[0]:.0%} of the variance)")
    ax.set_ylabel(f"second principal axis ({share[1]:.0%})")
    ax.set_title(f"An Embedding learned on keyword_texts (test accuracy {accuracy:.2f})", fontsize=10)
    ax.legend(fontsize=8, loc="lower center")
    _save(fig, out / "embedding_projection.png")


# -- 2. vanishing gradients --------------------------------------------------------------------------


def open_the_gate(layer, bias):
    """Set the bias of LSTM's forget gate (GRU's update gate) to ``bias``: the carry kept almost whole."""
    weights = layer.get_weights()
    units, b = layer.units, weights[2]
    if isinstance(layer, LSTM):
        b[units:2 * units] = bias  # gates i, f, c, o: f is the second block
    elif b.ndim == 2:
        b[0, :units] = bias  # reset_after=True: rows (input bias, recurrent bias), gates z, r, h
    else:
        b[:units] = bias  # reset_after=False: gates z, r, h
    layer.set_weights(weights)


def input_gradient_norms(make_layer, steps=200, batch=8, features=16, seeds=3, gate_bias=None):
    """Mean over seeds and samples of |d loss / d x_t| for t = 1..steps, loss = sum of the last output.

    The loss is scaled by 1e30 before backward (the gradients are linear in it), as mixed-precision
    training does, so that float32 holds gradients 60 orders of magnitude smaller than the last one.
    """
    norms = np.zeros(steps)
    for seed in range(SEED, SEED + seeds):
        L.set_random_seed(seed)
        x = np.random.default_rng(seed).normal(size=(batch, steps, features)).astype(np.float32)
        layer = make_layer()
        layer.build((None, None, features))
        if gate_bias is not None:
            open_the_gate(layer, gate_bias)
        x = dt.Tensor(x, requires_grad=True)
        (layer(x).sum() * 1e30).backward()
        norms += np.linalg.norm(x.grad.astype(np.float64), axis=2).mean(axis=0) / 1e30  # (batch, steps) -> (steps,)
    return norms / seeds


def sequence_gradient_norms(model, ids):
    """|d loss / d e_t| for each step t of the embedded sequences e = model.layers[0](ids), through the RNN
    that follows (loss: 1e30 times the sum of its output, as above); mean over the texts."""
    embedded = dt.Tensor(model.layers[0](ids).numpy(), requires_grad=True)  # (texts, steps, 32)
    (model.layers[1](embedded).sum() * 1e30).backward()
    return np.linalg.norm(embedded.grad.astype(np.float64), axis=2).mean(axis=0) / 1e30  # (steps,)


def vanishing_experiment(out, trained, order_ids, facts):
    steps = 200
    kinds = {"SimpleRNN": lambda: SimpleRNN(32), "LSTM": lambda: LSTM(32), "GRU": lambda: GRU(32)}
    default = {name: input_gradient_norms(make, steps) for name, make in kinds.items()}
    opened = {name: input_gradient_norms(kinds[name], steps, gate_bias=3.0) for name in ("LSTM", "GRU")}
    test_ids = order_ids[N_TRAIN:N_TRAIN + 64]  # 64 test texts of order_texts (300 steps)
    learned = {}
    for name, build in (("SimpleRNN", simple_rnn_model), ("GRU", gru_model)):
        L.set_random_seed(trained[name][2])  # the weights this model started from in its training run
        learned[name] = {"before training": sequence_gradient_norms(build(), test_ids),
                         "after training": sequence_gradient_norms(trained[name][1], test_ids)}

    def ratio(g):
        return float(f"{g[0] / g[-1]:.3g}")

    facts["vanishing"] = {
        "steps": steps,
        "first_over_last": {name: ratio(g) for name, g in default.items()},
        "first_over_last_gate_bias_3": {name: ratio(g) for name, g in opened.items()},
        "order_texts": {name: {k: ratio(g) for k, g in curves.items()} | {"test_accuracy": trained[name][0]}
                        for name, curves in learned.items()},
    }
    fig = Figure(figsize=(13, 4.2), layout="constrained")
    left, middle, right = fig.subplots(1, 3)
    t = np.arange(1, steps + 1)
    for name, g in default.items():
        left.plot(t, g / g[-1], color=COLORS[name], label=name)
    middle.plot(t, default["SimpleRNN"] / default["SimpleRNN"][-1], color=COLORS["SimpleRNN"],
                label="SimpleRNN (no gate to open)")
    for name, g in opened.items():
        middle.plot(t, g / g[-1], color=COLORS[name], label=f"{name}, gate bias 3")
    for name, curves in learned.items():
        for when, g in curves.items():
            right.plot(np.arange(1, len(g) + 1), g / g[-1], color=COLORS[name],
                       linestyle="-" if when == "after training" else ":",
                       label=f"{name} {when}" + (f" (test accuracy {trained[name][0]:.2f})" if "after" in when else ""))
    left.set_title("Keras's default initialisers, random inputs", fontsize=10)
    middle.set_title("Forget (LSTM) / update (GRU) gate biased open", fontsize=10)
    right.set_title(f"After 6 epochs on order_texts (300 steps; median of {ORDER_RUNS} runs)", fontsize=10)
    left.set_ylabel("|d loss / d input at step t|, relative to the last step")
    for ax in (left, middle, right):
        ax.set_yscale("log")
        ax.set_xlabel("input step t (the loss reads the last output)")
        ax.legend(fontsize=7)
    fig.suptitle("How much gradient reaches each step of a sequence (32 units)")
    _save(fig, out / "vanishing_gradients.png")


# -- 3. a 1D convnet before an RNN: speed and what it learns -----------------------------------------


def step_seconds(models, x, y, repeats=5):
    """Median time of ``train_on_batch`` of each model after one warm-up step; the models take turns, so
    a busy machine slows them alike."""
    for model in models.values():
        model.train_on_batch(x, y)
    times = {name: [] for name in models}
    for _ in range(repeats):
        for name, model in models.items():
            start = time.perf_counter()
            model.train_on_batch(x, y)
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


def order_models(ids, labels):
    """SimpleRNN, GRU and conv + GRU trained 6 epochs on order_texts, ORDER_RUNS times each: ``{name:
    (test accuracy, model, seed) of the median run}``, and ``{name: every run's test accuracy}``."""
    builds = {"SimpleRNN": simple_rnn_model, "GRU": gru_model, "conv + GRU": conv_gru_model}
    trained, runs = {}, {}
    for name, build in builds.items():
        done = [(*trained_accuracy(build, ids, labels, 6, seed), seed) for seed in range(SEED, SEED + ORDER_RUNS)]
        runs[name] = [accuracy for accuracy, _, _ in done]
        trained[name] = sorted(done, key=lambda run: run[0])[len(done) // 2]  # the median run
    return trained, runs


def speed_experiment(out, trained, facts):
    lengths = [500, 1000, 2000, 4000]
    rng = np.random.default_rng(0)
    seconds = {"GRU": [], "conv + GRU": []}
    for length in lengths:
        x = rng.integers(1, VOCAB, size=(32, length))  # a batch of 32 random id sequences
        y = rng.integers(0, 2, size=32).astype(np.float32)
        L.set_random_seed(SEED)
        models = {"GRU": gru_model(), "conv + GRU": conv_gru_model()}
        for name, s in step_seconds(models, x, y).items():
            seconds[name].append(s)
    # multiply-adds per sample and step: a GRU's two products (x @ W, h @ U), a convolution's k taps
    gru_kernel, gru_recurrent = models["GRU"].layers[1].get_weights()[:2]  # (32, 96), (32, 96)
    conv_kernel = models["conv + GRU"].layers[1].get_weights()[0]  # (7, 32, 32)
    macs = {"GRU(32)": gru_kernel.size + gru_recurrent.size, "Conv1D(32, 7)": conv_kernel.size}
    macs["conv + GRU, per input step"] = round(macs["Conv1D(32, 7)"] + (macs["Conv1D(32, 7)"] + macs["GRU(32)"]) / 5)
    accuracy = {name: trained[name][0] for name in ("GRU", "conv + GRU")}
    training = {name: round(float(model.history.history["accuracy"][-1]), 3) for name, (_, model, _) in trained.items()}
    facts["speed"] = {"lengths": lengths, "step_seconds": {k: [round(s, 4) for s in v] for k, v in seconds.items()},
                      "slowdown": [round(a / b, 2) for a, b in zip(seconds["GRU"], seconds["conv + GRU"])],
                      "macs_per_step": macs, "order_accuracy": accuracy, "order_training_accuracy": training}
    fig = Figure(figsize=(10, 4), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(3, 2))
    for name, s in seconds.items():
        left.plot(lengths, np.array(s) * 1000, "o-", label=f"Embedding -> {name}")
    left.set_xlabel("sequence length (steps)")
    left.set_ylabel("one training step, batch 32 (ms)")
    left.set_title("train_on_batch, median of 5 (machine-dependent)", fontsize=10)
    left.legend()
    bars = right.bar(list(accuracy), list(accuracy.values()), color=["#1f77b4", "#ff7f0e"])
    right.bar_label(bars, fmt="%.2f")
    right.axhline(0.5, color="grey", linestyle=":", label="chance")
    right.set_ylim(0, 1.05)
    right.set_ylabel("test accuracy")
    right.set_title(f"order_texts: 300 words, gap >= 100, 6 epochs (median of {ORDER_RUNS} runs)", fontsize=10)
    right.legend(loc="lower right")
    _save(fig, out / "conv_vs_rnn_speed.png")


# -- 4. a bag of words, a 1D convnet and an RNN where order does and does not matter ------------------


def bag_of_words_experiment(out, tasks, ids, trained, facts):
    accuracy = {}
    for task, (texts, labels) in tasks.items():
        accuracy[task] = {
            "bag of words (multi-hot)": trained_accuracy(bag_of_words_model, bag_of_words(texts), labels, 10)[0],
            "bag of words (counts)": trained_accuracy(bag_of_words_model, bag_of_words(texts, "count"), labels, 10)[0],
            "1D convnet": trained_accuracy(convnet_model, ids[task], labels, 6)[0],
        }
    for name in ("conv + GRU", "GRU"):  # on the order task: trained in the speed experiment, same data
        accuracy["keywords"][name] = trained_accuracy(
            conv_gru_model if name == "conv + GRU" else gru_model, ids["keywords"], tasks["keywords"][1], 6)[0]
        accuracy["order"][name] = trained[name][0]
    facts["bag_of_words"] = accuracy
    models = list(accuracy["keywords"])
    fig = Figure(figsize=(9, 4), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / len(models)
    for i, model in enumerate(models):
        values = [accuracy[task][model] for task in accuracy]
        bars = ax.bar(np.arange(2) + (i - (len(models) - 1) / 2) * width, values, width, label=model)
        ax.bar_label(bars, fmt="%.2f", fontsize=8)
    ax.axhline(0.5, color="grey", linestyle=":")
    ax.set_xticks([0, 1], ["keyword_texts: order does not matter", "order_texts: only order matters"])
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("test accuracy (1,000 texts; chance 0.5)")
    ax.set_title("The same models on two tasks")
    ax.legend(fontsize=8, ncols=3, loc="upper center")
    _save(fig, out / "bag_of_words_vs_order.png")


# -- 5. forecasting: the common-sense baseline --------------------------------------------------------


def wandering_series(n=4000, seed=None):
    """AR(1) with coefficient 0.98: the series drifts slowly; the best forecast is (almost) the last value."""
    noise = np.random.default_rng(SEED if seed is None else seed).normal(size=n)
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = 0.98 * x[t - 1] + noise[t]
    return x.astype(np.float32)


def periodic_series(n=4000, period=48, seed=None):
    """A fixed smooth random pattern of ``period`` steps, repeated, amplitude 3, plus unit noise."""
    rng = np.random.default_rng(SEED if seed is None else seed)
    shape = rng.normal(size=period)
    shape = np.convolve(np.tile(shape, 3), np.ones(5) / 5, mode="same")[period:2 * period]  # smoothed, periodic
    return (3 * shape[np.arange(n) % period] / shape.std() + rng.normal(size=n)).astype(np.float32)


def forecast(series, window, horizon, epochs=10, n_train=2500):
    """Validation MAE (original units) of the baselines, a Dense model and an LSTM, trained on the first
    ``n_train`` steps, validated on the rest; the target is ``horizon`` steps after each window."""
    mean, std = series[:n_train].mean(), series[:n_train].std()  # normalisation from the training part only
    z = ((series - mean) / std)[:, None]  # (time, 1 feature)
    targets = z[window - 1 + horizon:, 0]  # targets[i]: the value `horizon` steps after the window starting at i
    train = timeseries_dataset_from_array(z[:-horizon], targets, window, batch_size=32, shuffle=True, seed=SEED,
                                          end_index=n_train - window - horizon + 1)
    val = timeseries_dataset_from_array(z[:-horizon], targets, window, batch_size=512, start_index=n_train)
    x_val = np.concatenate([x for x, _ in val])  # (windows, window, 1)
    y_val = np.concatenate([y for _, y in val])
    y_pred, y_true = naive_forecast(series[n_train + window - 1:], horizon)  # the last value of each window
    assert np.allclose(y_true, y_val * std + mean, atol=1e-3 * std)  # the same targets
    mae = {"naive": float(np.mean(np.abs(y_pred - y_true))), "training mean": float(np.mean(np.abs(mean - y_true)))}
    builds = {"Dense": lambda: [L.Flatten(input_shape=(window, 1)), L.Dense(16, activation="relu"), L.Dense(1)],
              "LSTM": lambda: [LSTM(32, input_shape=(window, 1)), L.Dense(1)]}
    curves = {}
    for name, build in builds.items():
        L.set_random_seed(SEED)
        model = _compiled(build(), loss="mse", metrics=("mae",))
        history = model.fit(train, epochs=epochs, validation_data=(x_val, y_val), verbose=0).history
        curves[name] = np.array(history["val_mae"]) * std
        mae[name] = float(curves[name][-1])
    return {k: round(v, 3) for k, v in mae.items()}, {k: round(float(c.min()), 3) for k, c in curves.items()}


def forecasting_experiment(out, facts):
    series = {"wandering": (wandering_series(), 30, 1), "periodic": (periodic_series(), 60, 6)}
    facts["forecasting"] = {}
    fig = Figure(figsize=(10, 6), layout="constrained")
    axes = fig.subplots(2, 2, height_ratios=(2, 3))
    titles = {"wandering": "AR(1), 0.98: the recent past is the best forecast (window 30, 1 step ahead)",
              "periodic": "a 48-step pattern + noise (window 60, 6 steps ahead)"}
    for col, (name, (values, window, horizon)) in enumerate(series.items()):
        mae, best = forecast(values, window, horizon)
        facts["forecasting"][name] = {"window": window, "horizon": horizon, "val_mae": mae,
                                      "best_epoch_val_mae": best}
        axes[0, col].plot(np.arange(2500, 2800), values[2500:2800], lw=0.8)
        axes[0, col].set_title(titles[name], fontsize=9)
        axes[0, col].set_xlabel("step (first 300 validation steps)")
        bars = axes[1, col].bar(list(mae), list(mae.values()), color=["#7f7f7f", "#bbbbbb", "#2ca02c", "#1f77b4"])
        axes[1, col].bar_label(bars, fmt="%.2f")
        axes[1, col].set_ylabel("validation MAE (after 10 epochs)")
        axes[1, col].margins(y=0.12)
    fig.suptitle("The common-sense baseline (tomorrow = today) against a Dense model and an LSTM")
    _save(fig, out / "forecasting_baseline.png")


def main(out) -> dict:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    facts, seconds, start = {}, {}, time.perf_counter()
    tasks = text_tasks()
    ids = {"keywords": token_ids(tasks["keywords"][0], 100)[0], "order": token_ids(tasks["order"][0], 300)[0]}
    embedding_experiment(out, *tasks["keywords"], facts)
    seconds["embedding"] = time.perf_counter() - start
    trained, facts["order_runs"] = order_models(ids["order"], tasks["order"][1])
    seconds["order_models"] = time.perf_counter() - start - sum(seconds.values())
    vanishing_experiment(out, trained, ids["order"], facts)
    seconds["vanishing"] = time.perf_counter() - start - sum(seconds.values())
    speed_experiment(out, trained, facts)
    seconds["speed"] = time.perf_counter() - start - sum(seconds.values())
    bag_of_words_experiment(out, tasks, ids, trained, facts)
    seconds["bag_of_words"] = time.perf_counter() - start - sum(seconds.values())
    forecasting_experiment(out, facts)
    seconds["forecasting"] = time.perf_counter() - start - sum(seconds.values())
    facts["seconds"] = {k: round(v, 1) for k, v in seconds.items()} | {"total": round(time.perf_counter() - start, 1)}
    (out / "facts.json").write_text(json.dumps(facts, indent=1))
    return facts


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else "figures"), indent=1))
