"""Seed groups for the encoder tier's head only: marked on their rows, left out of the n-gram
model's training, and a misspelt tier stops the build instead of training both."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.model import synth


def test_encoder_only_groups_are_marked_and_only_they() -> None:
    rows = synth.generate_all()["train_aug"]
    marked = [row for row in rows if synth.encoder_only(row)]
    assert marked, "prose_mix.yaml's groups train the head only"
    assert {row["source"].split(":")[1] for row in marked} == {"prose_mix"}
    assert all(row["label"] == "benign" for row in marked)
    # Everything else trains both tiers.
    assert len(rows) - len(marked) > 30_000


def test_a_misspelt_tier_stops_the_build(tmp_path: Path) -> None:
    seed = tmp_path / "bad.yaml"
    seed.write_text(
        "groups:\n  - name: g\n    tier: encodr\n    label: benign\n    lang: en\n"
        "    texts: [hello]\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="tier must be 'encoder'"):
        synth.generate_file(seed, {})
