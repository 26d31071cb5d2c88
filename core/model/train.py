"""``python -m core.model.train``: train the injection classifier and export it to ONNX.

Reproducible from a clean checkout (fixed seeds, no downloads) in about 5 minutes and 6 GB
of memory on two CPU cores. Needs the ``train`` extra (``pip install -e '.[train]'``); run
time does not.

Data
    The corpus's train split (``train.jsonl`` in ``AEGIS_PROMPTS_DIR``, default
    ``<repo>/../shared/datasets/prompts``), the rows :mod:`core.model.synth` builds from the
    seeds in ``core/model/data/seeds/``, and two augmentations made here from both: long
    benign texts (benign prompts of one language joined), and short attacks inserted at a
    random sentence boundary of long benign texts. ``injection`` and ``jailbreak`` are one
    class, "attack". Each text is normalised as at run time (:mod:`shared.normalize`); a
    base64 attack is learned from its decoded payload, which is what run time scores.

Features
    Hashed character 1-5-grams per window (:mod:`core.model.features`; 1024-character
    windows in training; at run time a text longer than that is scored in 192-character
    windows), sublinear TF x IDF, L2-normalised.
    Buckets found in more than ``MAX_DF`` of windows (spaces, frequent letters: style and
    length, not intent) are dropped, and only the ``TOP_K`` most frequent others are kept.

Model
    An ensemble exported as one ONNX graph: a logistic regression and a one-hidden-layer MLP
    over the same sparse features, averaged in logit space. Not every window of a long
    attack is an attack (a jailbreak's story, the e-mail around an injected sentence):
    where the attack sentence is known (the insertions made here, and BIPIA's, found by
    comparing each injected e-mail with its clean original) the windows holding it are
    attacks and the others benign; elsewhere a first model scores the windows and only
    those close to the text's best count (multiple-instance learning). An attack text's
    windows share its weight; every benign window weighs fully, since each can raise a
    false alarm. Classes are balanced, and within a source that has both classes its benign
    rows are up-weighted to match its attacks, so a source's style is not learned as a label.

Threshold
    The score at 1% false-positive rate on the dev split's benign rows, English and Korean
    each, taking the higher. Stored in the model's metadata with the featurizer's spec.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import os
import random
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import onnx
import scipy.sparse as sp
from onnx import TensorProto, helper, numpy_helper
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from core.model import synth
from core.model.classifier import DEFAULT_MODEL_PATH, METADATA_KEY, InjectionClassifier
from core.model.dataset import Row, default_prompts_dir, load_jsonl
from core.model.features import FeatureSpec, featurize
from shared.normalize import normalize, normalized_forms

__all__ = ["SPEC", "TRAIN_SPEC", "TrainedModel", "export_onnx", "main", "train"]

SPEC: Final = FeatureSpec(
    orders=(1, 2, 3, 4, 5),
    bits=18,
    salt=0x5EED,
    window=1024,
    stride=512,
    fine_window=192,
    fine_stride=128,
)
# Training cuts long texts into 1,024-character windows. Run time scores a long text in
# 192-character windows instead: the model, trained mostly on short prompts, scores them
# well, and a short attack padded with 20 KB of filler is no longer diluted by it. Training
# on the fine windows too was worse on the dev split and the held-out sets (and needed 9 GB).
TRAIN_SPEC: Final = dataclasses.replace(SPEC, fine_window=0, fine_stride=0)
SEED: Final = 20240611
TOP_K: Final = 65536  # buckets kept (by window frequency); the rest map to a zero row
MAX_DF: Final = 0.1  # buckets in more windows than this share are dropped
LR_C: Final = 10.0
MLP_HIDDEN: Final = 32
MLP_ALPHA: Final = 1e-4
MLP_EPOCHS: Final = 12
MLP_BATCH: Final = 256
ENSEMBLE_LR: Final = 0.65  # weight of the logistic regression's logit; the MLP gets the rest
MIL_GAP: Final = 0.3  # a long attack's windows within this logit of its best are attacks
LONG_BENIGN_DOCS: Final = 3000
CONTEXT_ATTACK_DOCS: Final = 1200
TARGET_FPR: Final = 0.01
FloatArray = npt.NDArray[np.float32]


def _sentence_cuts(text: str) -> list[int]:
    return [m.end() for m in re.finditer(r"[.!?다요]\s", text)] or [len(text)]


def augment(corpus: Sequence[Row], generated: Sequence[Row], rng: random.Random) -> list[Row]:
    """Long benign texts and attacks hidden in long benign texts, from corpus and seeds.

    The corpus's long texts are nearly all attacks and its Korean benign prompts are all
    short; these rows keep the model from learning "long means attack" while teaching it
    that one attack sentence inside a benign document is still an attack.
    """
    benign: dict[str, list[str]] = {"en": [], "ko": []}
    hosts: dict[str, list[str]] = {"en": [], "ko": []}
    for row in [*corpus, *generated]:
        if row["label"] == "benign" and row["lang"] in benign:
            benign[row["lang"]].append(row["text"])
            if len(row["text"]) > 400:
                hosts[row["lang"]].append(row["text"])
    attacks = [r["text"] for r in [*corpus, *generated] if r["label"] != "benign"]
    short_attacks = [t for t in attacks if len(t) < 300]
    rows: list[Row] = []
    for i in range(LONG_BENIGN_DOCS):
        lang = ("en", "ko")[i % 2]
        parts = rng.sample(benign[lang], rng.randint(3, 40))
        rows.append({"text": "\n".join(parts), "label": "benign", "lang": lang,
                     "source": "aegis-augment:long_benign"})  # fmt: skip
    for i in range(CONTEXT_ATTACK_DOCS):
        lang = ("en", "ko")[i % 2]
        attack = rng.choice(short_attacks)
        if rng.random() < 0.5:
            parts = rng.sample(benign[lang], rng.randint(2, 12))
            parts.insert(rng.randint(0, len(parts)), attack)
            text = "\n".join(parts)
        else:
            host = rng.choice(hosts[lang])
            cut = rng.choice([*_sentence_cuts(host), len(host)])
            text = f"{host[:cut]} {attack} {host[cut:]}"
        rows.append({"text": text, "label": "injection", "lang": lang, "attack": attack,
                     "source": "aegis-augment:attack_in_context"})  # fmt: skip
    return rows


def mark_inserted_attacks(corpus: Sequence[Row]) -> int:
    """Find the attack sentence in each BIPIA injection row; returns how many were found.

    BIPIA's injected e-mails are its clean e-mails (also in the corpus, same split) with
    one attack sentence inserted. The longest common prefix and suffix with the matching
    clean row give the sentence, stored as the row's ``attack``: the windows that hold it
    are attacks, the windows of the same e-mail that do not are clean text.
    """
    clean = [r["text"] for r in corpus if "BIPIA" in r["source"] and r["label"] == "benign"]
    found = 0
    for row in corpus:
        if "BIPIA" not in row["source"] or row["label"] == "benign":
            continue
        text = row["text"]
        best, best_cover = "", -1
        for candidate in clean:
            if len(candidate) >= len(text):
                continue
            # Character by character is what is wanted here: these are texts, not paths.
            prefix = len(os.path.commonprefix([text, candidate]))  # noqa: RUF071
            suffix = len(os.path.commonprefix([text[::-1], candidate[::-1]]))  # noqa: RUF071
            if prefix + suffix > best_cover:
                best, best_cover = text[prefix : len(text) - suffix], prefix + suffix
            if best_cover >= len(candidate):
                break
        if best.strip() and best_cover >= len(text) - len(best) - 1:
            row["attack"] = best.strip()
            found += 1
    return found


def training_forms(row: Row) -> list[str]:
    """The normalised texts a row is learned from (what run time would score)."""
    forms = normalized_forms(row["text"])
    if row["label"] == "benign":
        return forms
    if "+base64" in row["source"] and len(forms) > 1:
        return forms[1:]
    return forms[:1]


def _source(row: Row) -> str:
    origin, _, rest = row["source"].partition(":")
    return f"{origin}:{rest.split(':')[0]}" if origin.startswith("aegis") else origin


@dataclass
class _Windows:
    counts: sp.csr_matrix
    attack: npt.NDArray[np.int64]
    doc: npt.NDArray[np.int64]
    windows: npt.NDArray[np.int64]
    known: npt.NDArray[np.bool_]  # label known per window (no multiple-instance guess)
    excluded: npt.NDArray[np.bool_]  # partly holds a known attack: left out
    row_weight: npt.NDArray[np.float64]


def _window_labels(
    form: str, attack: str | None, spans: Sequence[tuple[int, int]]
) -> list[int] | None:
    """Per window: 1 holds the attack, 0 does not, -1 partly; None if it cannot be found."""
    if attack is None:
        return None
    needle = normalize(attack).strip()
    start = form.find(needle)
    if start < 0 or not needle:
        return None
    end = start + len(needle)
    labels = []
    for first, last in spans:
        overlap = min(last, end) - max(first, start)
        if overlap >= min(len(needle), last - first) * 0.8:
            labels.append(1)
        elif overlap <= 0:
            labels.append(0)
        else:
            labels.append(-1)
    return labels


def _counts_matrix(rows: Iterable[tuple[npt.NDArray[Any], npt.NDArray[Any]]], width: int) -> Any:
    indices: list[npt.NDArray[Any]] = []
    values: list[npt.NDArray[Any]] = []
    indptr = [0]
    for row_indices, row_counts in rows:
        keep = row_counts > 0
        indices.append(row_indices[keep])
        values.append(row_counts[keep])
        indptr.append(indptr[-1] + int(keep.sum()))
    return sp.csr_matrix(
        (np.concatenate(values).astype(np.float32), np.concatenate(indices), np.array(indptr)),
        shape=(len(indptr) - 1, width),
    )


def _windows(rows: Sequence[Row], spec: FeatureSpec) -> _Windows:
    pairs: list[tuple[npt.NDArray[Any], npt.NDArray[Any]]] = []
    attack: list[int] = []
    doc: list[int] = []
    windows: list[int] = []
    known: list[bool] = []
    excluded: list[bool] = []
    for number, row in enumerate(rows):
        is_attack = int(row["label"] != "benign")
        for form_number, form in enumerate(training_forms(row)):
            batch = featurize(form, spec)
            count = len(batch.spans)
            pairs.extend((batch.indices[i], batch.counts[i]) for i in range(count))
            marks = _window_labels(form, row.get("attack"), batch.spans) if count > 1 else None
            if is_attack and form_number == 0 and marks is not None:
                attack += [max(mark, 0) for mark in marks]
                excluded += [mark < 0 for mark in marks]
                known += [True] * count
            else:
                attack += [is_attack] * count
                excluded += [False] * count
                known += [not is_attack or count == 1] * count
            doc += [number] * count
            windows += [count] * count
    # Within a source that has both classes, benign rows weigh as much as its attacks.
    tally = collections.Counter((_source(r), r["label"] == "benign") for r in rows)
    row_weight = np.ones(len(rows))
    for number, row in enumerate(rows):
        benign, attacks = tally[(_source(row), True)], tally[(_source(row), False)]
        if row["label"] == "benign" and 0 < benign < attacks:
            row_weight[number] = attacks / benign
    return _Windows(
        counts=_counts_matrix(pairs, spec.buckets),
        attack=np.array(attack),
        doc=np.array(doc),
        windows=np.array(windows),
        known=np.array(known, dtype=bool),
        excluded=np.array(excluded, dtype=bool),
        row_weight=row_weight,
    )


@dataclass
class TrainedModel:
    """Everything the ONNX graph holds: bucket map, IDF, the two models' weights."""

    remap: npt.NDArray[np.int32]  # bucket -> row of `embedding` (0: dropped)
    idf: FloatArray  # per row; row 0 is 0
    embedding: FloatArray  # [rows, hidden + 1]: MLP first layer, then the LR weights
    hidden_bias: FloatArray
    output_weights: FloatArray  # [hidden]
    output_bias: float
    lr_bias: float
    ensemble_lr: float


def _tfidf(counts: Any, idf: FloatArray) -> Any:
    weighted = counts.copy().astype(np.float32)
    weighted.data = (1.0 + np.log(weighted.data)).astype(np.float32)
    weighted = sp.csr_matrix(weighted.multiply(idf[None, :]))
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags((1.0 / norms).astype(np.float32)) @ weighted)


def _weights(data: _Windows, mask: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Sample weights: an attack text's windows share its weight (one window suffices to
    catch it); every benign window weighs fully (each one can raise a false alarm)."""
    attack = data.attack == 1
    weight = data.row_weight[data.doc] * mask
    weight[attack] /= data.windows[attack]
    weight[attack] *= weight[~attack].sum() / weight[attack].sum()
    result: npt.NDArray[np.float64] = weight / weight.mean()
    return result


def train(rows: Sequence[Row], spec: FeatureSpec = TRAIN_SPEC, log: Any = print) -> TrainedModel:
    """Fit the ensemble on ``rows`` (already augmented); returns its weights."""
    started = time.monotonic()
    data = _windows(rows, spec)
    log(f"windows: {data.counts.shape[0]} ({int(data.attack.sum())} attack), "
        f"{time.monotonic() - started:.0f} s")  # fmt: skip
    df = np.asarray((data.counts > 0).sum(axis=0)).ravel()
    df[df > MAX_DF * data.counts.shape[0]] = 0
    kept = np.sort(np.argsort(-df, kind="stable")[:TOP_K])
    kept = kept[df[kept] > 0]
    idf = (np.log((1 + data.counts.shape[0]) / (1 + df[kept])) + 1).astype(np.float32)
    features = _tfidf(data.counts[:, kept], idf)

    # Stage 1: long attacks' windows left out; score them; keep those near each text's best.
    lr = LogisticRegression(C=LR_C, max_iter=3000)
    stage_one = (data.known & ~data.excluded).astype(np.float64)
    lr.fit(features, data.attack, sample_weight=_weights(data, stage_one))
    logits = lr.decision_function(features)
    mask = stage_one.copy()
    multi = np.flatnonzero(~data.known)
    best: dict[int, float] = collections.defaultdict(lambda: -np.inf)
    for i in multi:
        best[int(data.doc[i])] = max(best[int(data.doc[i])], float(logits[i]))
    for i in multi:
        mask[i] = float(logits[i] >= best[int(data.doc[i])] - MIL_GAP)
    log(f"multiple-instance stage: {int(mask[multi].sum())} of {multi.size} long-attack "
        f"windows kept, {time.monotonic() - started:.0f} s")  # fmt: skip
    weights = _weights(data, mask)
    lr.fit(features, data.attack, sample_weight=weights)
    log(f"logistic regression fitted, {time.monotonic() - started:.0f} s")

    selected = weights > 0
    mlp = MLPClassifier(
        hidden_layer_sizes=(MLP_HIDDEN,),
        alpha=MLP_ALPHA,
        batch_size=MLP_BATCH,
        max_iter=MLP_EPOCHS,
        random_state=SEED % (2**32),
        shuffle=True,
    )
    mlp.fit(features[selected], data.attack[selected], sample_weight=weights[selected])
    log(f"MLP fitted, {time.monotonic() - started:.0f} s")

    remap = np.zeros(spec.buckets, dtype=np.int32)
    remap[kept] = np.arange(1, kept.size + 1, dtype=np.int32)
    first, second = mlp.coefs_
    embedding = np.zeros((kept.size + 1, MLP_HIDDEN + 1), dtype=np.float32)
    embedding[1:, :MLP_HIDDEN] = first
    embedding[1:, MLP_HIDDEN] = lr.coef_[0]
    return TrainedModel(
        remap=remap,
        idf=np.concatenate([[0.0], idf]).astype(np.float32),
        embedding=embedding,
        hidden_bias=mlp.intercepts_[0].astype(np.float32),
        output_weights=second[:, 0].astype(np.float32),
        output_bias=float(mlp.intercepts_[1][0]),
        lr_bias=float(lr.intercept_[0]),
        ensemble_lr=ENSEMBLE_LR,
    )


def _graph(model: TrainedModel) -> onnx.GraphProto:
    hidden = model.hidden_bias.size
    scale_lr = np.float32(model.ensemble_lr)
    scale_mlp = np.float32(1.0 - model.ensemble_lr)
    inits = [
        numpy_helper.from_array(model.remap, "remap"),
        numpy_helper.from_array(model.idf, "idf"),
        numpy_helper.from_array(model.embedding.astype(np.float16), "embedding"),
        numpy_helper.from_array(model.hidden_bias, "hidden_bias"),
        numpy_helper.from_array(model.output_weights.reshape(hidden, 1), "output_weights"),
        numpy_helper.from_array(
            np.array([model.output_bias * scale_mlp + model.lr_bias * scale_lr], np.float32),
            "bias",
        ),
        numpy_helper.from_array(np.array([scale_mlp], np.float32), "scale_mlp"),
        numpy_helper.from_array(np.array([scale_lr], np.float32), "scale_lr"),
        numpy_helper.from_array(np.array(0.0, np.float32), "zero"),
        numpy_helper.from_array(np.array(1.0, np.float32), "one"),
        numpy_helper.from_array(np.array(1e-12, np.float32), "tiny"),
        numpy_helper.from_array(np.array([1], np.int64), "axis1"),
        numpy_helper.from_array(np.array([0], np.int64), "start0"),
        numpy_helper.from_array(np.array([hidden], np.int64), "hidden_end"),
        numpy_helper.from_array(np.array([hidden + 1], np.int64), "lr_end"),
        numpy_helper.from_array(np.array([-1], np.int64), "flat"),
    ]
    node = helper.make_node
    nodes = [
        node("Gather", ["remap", "indices"], ["rows"]),
        node("Gather", ["idf", "rows"], ["row_idf"]),
        # sublinear TF: 1 + ln(count) where count > 0, else 0 (padding)
        node("Greater", ["counts", "zero"], ["present"]),
        node("Max", ["counts", "one"], ["safe_counts"]),
        node("Log", ["safe_counts"], ["log_counts"]),
        node("Add", ["log_counts", "one"], ["tf_all"]),
        node("Where", ["present", "tf_all", "zero"], ["tf"]),
        node("Mul", ["tf", "row_idf"], ["tfidf"]),
        node("ReduceSumSquare", ["tfidf"], ["square_norm"], axes=[1], keepdims=1),
        node("Max", ["square_norm", "tiny"], ["safe_norm"]),
        node("Sqrt", ["safe_norm"], ["norm"]),
        node("Div", ["tfidf", "norm"], ["weights"]),
        node("Unsqueeze", ["weights", "axis1"], ["weights_row"]),  # [N, 1, L]
        node("Gather", ["embedding", "rows"], ["embedded16"]),  # [N, L, H + 1]
        node("Cast", ["embedded16"], ["embedded"], to=TensorProto.FLOAT),
        node("MatMul", ["weights_row", "embedded"], ["pooled_row"]),  # [N, 1, H + 1]
        node("Squeeze", ["pooled_row", "axis1"], ["pooled"]),  # [N, H + 1]
        node("Slice", ["pooled", "start0", "hidden_end", "axis1"], ["pre_hidden"]),
        node("Slice", ["pooled", "hidden_end", "lr_end", "axis1"], ["lr_logit"]),
        node("Add", ["pre_hidden", "hidden_bias"], ["hidden_in"]),
        node("Relu", ["hidden_in"], ["hidden"]),
        node("MatMul", ["hidden", "output_weights"], ["mlp_logit"]),
        node("Mul", ["mlp_logit", "scale_mlp"], ["mlp_part"]),
        node("Mul", ["lr_logit", "scale_lr"], ["lr_part"]),
        node("Add", ["mlp_part", "lr_part"], ["logit_sum"]),
        node("Add", ["logit_sum", "bias"], ["logit"]),
        node("Sigmoid", ["logit"], ["probability"]),
        node("Reshape", ["probability", "flat"], ["score"]),
    ]
    return helper.make_graph(
        nodes,
        "aegis_injection_classifier",
        [
            helper.make_tensor_value_info("indices", TensorProto.INT64, ["windows", "ngrams"]),
            helper.make_tensor_value_info("counts", TensorProto.FLOAT, ["windows", "ngrams"]),
        ],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["windows"])],
        inits,
    )


def export_onnx(
    model: TrainedModel, spec: FeatureSpec, threshold: float, path: Path, info: Mapping[str, Any]
) -> None:
    """Write the ONNX model with its metadata (featurizer spec, threshold, provenance)."""
    proto = helper.make_model(
        _graph(model),
        producer_name="aegis core.model.train",
        opset_imports=[helper.make_opsetid("", 17)],
    )
    proto.ir_version = 8
    metadata = {"features": spec.to_dict(), "threshold": threshold, **info}
    helper.set_model_props(proto, {METADATA_KEY: json.dumps(metadata, sort_keys=True)})
    onnx.checker.check_model(proto)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save_model(proto, str(path))


def _threshold_at(benign_scores: FloatArray, fpr: float) -> float:
    ordered = np.sort(benign_scores)[::-1]
    allowed = int(np.floor(fpr * ordered.size))
    return float(ordered[min(allowed, ordered.size - 1)])


def choose_threshold(classifier: InjectionClassifier, dev: Sequence[Row]) -> float:
    """Score at ``TARGET_FPR`` on the dev split's benign rows, per language, the higher."""
    thresholds = []
    for lang in ("en", "ko"):
        benign = [r["text"] for r in dev if r["label"] == "benign" and r["lang"] == lang]
        scores = np.array([classifier.score(text) for text in benign], dtype=np.float32)
        thresholds.append(_threshold_at(scores, TARGET_FPR))
    return float(max(thresholds))


def main(argv: Sequence[str] | None = None) -> None:
    """Train, pick the threshold on the dev split, write ``core/model/injection.onnx``."""
    parser = argparse.ArgumentParser(description="Train the Aegis injection classifier.")
    parser.add_argument("--prompts-dir", type=Path, default=default_prompts_dir())
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH)
    args = parser.parse_args(argv)
    spec = SPEC
    started = time.monotonic()
    corpus = load_jsonl(args.prompts_dir / "train.jsonl")
    print(f"BIPIA attack sentences located: {mark_inserted_attacks(corpus)}")
    dev = load_jsonl(args.prompts_dir / "dev.jsonl")
    # Groups marked `tier: encoder` teach the encoder's head only (synth.ENCODER_ONLY).
    generated = [row for row in synth.generate_all()["train_aug"] if not synth.encoder_only(row)]
    rows = [*corpus, *generated]
    rows += augment(corpus, generated, random.Random(SEED))  # noqa: S311 (seeded on purpose)
    print(f"rows: {len(corpus)} corpus, {len(generated)} synthetic, {len(rows)} in all")
    model = train(rows, TRAIN_SPEC)
    info = {
        "version": 1,
        "model": f"ensemble: logistic regression + MLP({MLP_HIDDEN}) over hashed char n-grams",
        "trained_on": {"corpus_rows": len(corpus), "synthetic_rows": len(generated),
                       "all_rows": len(rows)},
    }  # fmt: skip
    export_onnx(model, spec, 0.5, args.out, info)
    # The n-gram model's own threshold: the encoder tier is calibrated on top of it afterwards
    # (python -m core.model.train_encoder), so it must not take part here.
    threshold = choose_threshold(InjectionClassifier(args.out, encoder_path=None), dev)
    export_onnx(model, spec, threshold, args.out, info)
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({size:.1f} MB), threshold {threshold:.4f}, "
          f"{time.monotonic() - started:.0f} s")  # fmt: skip


if __name__ == "__main__":
    main()
