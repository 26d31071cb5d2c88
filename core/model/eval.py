"""``python -m core.model.eval``: how well the committed classifier separates attacks.

Scores every text exactly as run time does (:class:`InjectionClassifier`: normalised forms,
windows, max) and reports, for each set:

* ROC AUC, and the true-positive rate at 1% and at 0.1% false-positive rate (the threshold
  taken from the set's own benign rows), overall and per language (en, ko);
* at the committed threshold: the share of attacks caught per label, and the share of
  benign rows flagged.

Sets: the corpus's dev split (``dev.jsonl`` in ``AEGIS_PROMPTS_DIR``), and the held-out sets
built from ``core/model/data/heldout/`` (never trained on): ``ko`` (hand-written Korean
attacks, indirect and long-text attacks, Korean hard negatives), ``en`` (hand-written
English paraphrases), ``obfuscated`` (the held-out attacks obfuscated), ``hard`` (benign
hard negatives only), ``everyday`` (benign instructions) and ``howto`` ("how to make …"
questions, benign and harmful; reported apart, see ``APART``). The dev split has one Korean
attack, so Korean TPR is measured on "ko-attacks vs dev-ko-benign": the held-out Korean
attacks against the dev split's and the held-out Korean benign rows.

    python -m core.model.eval [--model PATH] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from core.model import synth
from core.model.classifier import InjectionClassifier
from core.model.dataset import default_prompts_dir, load_jsonl

__all__ = ["SetReport", "evaluate", "main", "roc_auc", "score_rows", "tpr_at_fpr"]

FloatArray = npt.NDArray[np.float64]
Row = dict[str, str]


def roc_auc(scores: FloatArray, attack: npt.NDArray[np.bool_]) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties counted half); NaN with one class."""
    positives, negatives = int(attack.sum()), int((~attack).sum())
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(scores.size, dtype=np.float64)
    sorted_scores = scores[order]
    # average ranks over ties
    unique, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = first + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(average, counts)
    del unique
    u = ranks[attack].sum() - positives * (positives + 1) / 2.0
    return float(u / (positives * negatives))


def tpr_at_fpr(scores: FloatArray, attack: npt.NDArray[np.bool_], fpr: float) -> float:
    """Share of attacks scoring above the highest threshold that flags at most ``fpr`` of
    the benign rows; NaN with one class."""
    benign = np.sort(scores[~attack])[::-1]
    if benign.size == 0 or not attack.any():
        return float("nan")
    allowed = int(np.floor(fpr * benign.size))
    threshold = benign[allowed] if allowed < benign.size else -np.inf
    return float((scores[attack] > threshold).mean())


def score_rows(classifier: InjectionClassifier, rows: Sequence[Row]) -> FloatArray:
    """Run-time scores of the rows' texts."""
    return np.array([classifier.score(row["text"]) for row in rows], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class SetReport:
    """Metrics of one set (or one slice of it)."""

    name: str
    rows: int
    attacks: int
    auc: float
    tpr_at_1pct_fpr: float
    tpr_at_01pct_fpr: float
    caught_at_threshold: float  # share of attacks above the committed threshold
    flagged_at_threshold: float  # share of benign rows above it
    caught_by_label: dict[str, float]


def _report(name: str, rows: Sequence[Row], scores: FloatArray, threshold: float) -> SetReport:
    attack = np.array([row["label"] != "benign" for row in rows], dtype=bool)
    by_label = {}
    for label in ("injection", "jailbreak"):
        mask = np.array([row["label"] == label for row in rows], dtype=bool)
        if mask.any():
            by_label[label] = float((scores[mask] > threshold).mean())
    return SetReport(
        name=name,
        rows=len(rows),
        attacks=int(attack.sum()),
        auc=roc_auc(scores, attack),
        tpr_at_1pct_fpr=tpr_at_fpr(scores, attack, 0.01),
        tpr_at_01pct_fpr=tpr_at_fpr(scores, attack, 0.001),
        caught_at_threshold=float((scores[attack] > threshold).mean()) if attack.any() else 0.0,
        flagged_at_threshold=float((scores[~attack] > threshold).mean())
        if (~attack).any()
        else 0.0,
        caught_by_label=by_label,
    )


# Held-out sets reported on their own only, not in the combined figures, which then stay
# comparable with those the model card gives for earlier models: ``howto`` (2026-12-07)
# measures one known false-alarm class.
APART: Final = frozenset({"howto"})


def evaluate(
    classifier: InjectionClassifier, dev: Sequence[Row], heldout: dict[str, list[Row]]
) -> list[SetReport]:
    """Reports for the dev split (all, en, ko), each held-out set, and Korean combined."""
    threshold = classifier.threshold
    reports = []
    dev_scores = score_rows(classifier, dev)
    reports.append(_report("dev", dev, dev_scores, threshold))
    for lang in ("en", "ko"):
        in_lang = np.array([row["lang"] == lang for row in dev], dtype=bool)
        dev_part = [row for row, keep in zip(dev, in_lang, strict=True) if keep]
        reports.append(_report(f"dev/{lang}", dev_part, dev_scores[in_lang], threshold))
    held_scores = {name: score_rows(classifier, rows) for name, rows in heldout.items()}
    for name, rows in heldout.items():
        reports.append(_report(f"heldout/{name}", rows, held_scores[name], threshold))
        for lang in ("en", "ko"):
            mask = np.array([row["lang"] == lang for row in rows], dtype=bool)
            if mask.any() and not mask.all():
                part = [row for row, keep in zip(rows, mask, strict=True) if keep]
                reports.append(
                    _report(f"heldout/{name}/{lang}", part, held_scores[name][mask], threshold)
                )
    # Korean: held-out Korean attacks (plain and obfuscated) against all Korean benign rows.
    korean_rows: list[Row] = []
    korean_scores: list[float] = []
    combined = [name for name in heldout if name not in APART]
    sources = [(dev, dev_scores), *((heldout[n], held_scores[n]) for n in combined)]
    for source_rows, scores in sources:
        for row, score in zip(source_rows, scores, strict=True):
            if row["lang"] == "ko":
                korean_rows.append(row)
                korean_scores.append(float(score))
    reports.append(_report("korean-combined", korean_rows, np.array(korean_scores), threshold))
    all_rows = [row for name in combined for row in heldout[name]]
    all_scores = np.concatenate([held_scores[name] for name in combined])
    reports.append(_report("heldout-combined", all_rows, all_scores, threshold))
    return reports


def _format(report: SetReport) -> str:
    labels = " ".join(f"{k} {v:.3f}" for k, v in report.caught_by_label.items())
    return (
        f"{report.name:<28} {report.rows:>6} {report.attacks:>6}  {report.auc:6.4f}  "
        f"{report.tpr_at_1pct_fpr:6.3f}  {report.tpr_at_01pct_fpr:6.3f}  "
        f"{report.caught_at_threshold:6.3f}  {report.flagged_at_threshold:6.3f}  {labels}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Print the report table (and write it as JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description="Evaluate the Aegis injection classifier.")
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--prompts-dir", type=Path, default=default_prompts_dir())
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    classifier = InjectionClassifier(args.model)
    dev = load_jsonl(args.prompts_dir / "dev.jsonl")
    generated = synth.generate_all()
    heldout = {name: rows for name, rows in generated.items() if name != "train_aug"}
    started = time.monotonic()
    reports = evaluate(classifier, dev, heldout)
    header = (
        f"{'set':<28} {'rows':>6} {'attack':>6}  {'AUC':>6}  {'TPR@1%':>6}  {'@0.1%':>6}  "
        f"{'caught':>6}  {'flagged':>6}  caught by label (at threshold)"
    )
    print(f"model {classifier.path.name}, threshold {classifier.threshold:.4f}")
    print(header)
    for report in reports:
        print(_format(report))
    print(f"scored in {time.monotonic() - started:.1f} s")
    if args.json is not None:
        payload: dict[str, Any] = {
            "threshold": classifier.threshold,
            "reports": [asdict(r) for r in reports],
        }
        args.json.write_text(json.dumps(payload, indent=2, allow_nan=True), encoding="utf-8")


if __name__ == "__main__":
    main()
