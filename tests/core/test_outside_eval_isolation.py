"""The outside evaluation set (``eval/outside``, issue 16) measures generalisation only if
training never saw it: no text of it is in what the classifier is trained on (the corpus's
train split and the rows ``core.model.synth`` builds from the seeds), and no training module
reads its folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.model import synth
from core.model.dataset import default_prompts_dir, load_jsonl
from eval.outside.run import load

ROOT = Path(__file__).resolve().parents[2]


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def test_no_outside_text_is_in_the_training_rows() -> None:
    outside = {_key(item["text"]): item["id"] for item in load()}
    assert len(outside) > 1000
    train = default_prompts_dir() / "train.jsonl"
    if not train.is_file():
        pytest.fail(f"train split not found at {train}: set AEGIS_PROMPTS_DIR")
    rows = [*load_jsonl(train), *synth.generate_all()["train_aug"]]
    shared = sorted(outside[key] for key in {_key(row["text"]) for row in rows} & set(outside))
    assert shared == []


def test_no_training_module_reads_the_outside_set() -> None:
    for module in sorted((ROOT / "core" / "model").glob("*.py")):
        source = module.read_text("utf-8")
        assert "eval/outside" not in source and "eval.outside" not in source, module.name
