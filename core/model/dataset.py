"""The labelled prompt corpus on disk: where it is and how to read it (stdlib only).

``AEGIS_PROMPTS_DIR`` names the folder holding ``train.jsonl`` and ``dev.jsonl``; by default
it is ``shared/datasets/prompts`` beside the repository. One JSON object per line with
``text``, ``label`` (``injection``, ``jailbreak`` or ``benign``), ``lang`` and ``source``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

__all__ = ["LABELS", "Row", "default_prompts_dir", "load_jsonl"]

LABELS: Final = ("benign", "injection", "jailbreak")

Row = dict[str, str]


def default_prompts_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """``AEGIS_PROMPTS_DIR``, or ``shared/datasets/prompts`` beside the repository."""
    configured = environ.get("AEGIS_PROMPTS_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "prompts"


def load_jsonl(path: Path) -> list[Row]:
    """Rows of a corpus file; raises ``FileNotFoundError`` naming the path when it is missing."""
    if not path.is_file():
        raise FileNotFoundError(f"prompt dataset not found: {path} (set AEGIS_PROMPTS_DIR)")
    rows = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                if row["label"] not in LABELS:
                    raise ValueError(f"unknown label {row['label']!r} in {path}")
                rows.append({k: str(row[k]) for k in ("text", "label", "lang", "source")})
    return rows
