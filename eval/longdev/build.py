"""Write the long-document DEVELOPMENT set's JSONL files from its hand-written parts.

    python -m eval.longdev.build    # rewrites eval/longdev/data/*.jsonl

A development set, for choosing rules and thresholds for long documents; it is kept apart
from the evaluation set ``eval/outside6`` (none of that set's texts were read or reused).

The assembly, the seeds' use and the checks are :mod:`eval.documents`'s; this file names the
set: its seed (``aegis-longdev``), its material, its counts per family and language, and its
documents' length ranges (characters, without the user's request).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from eval.documents import FAMILIES, DocumentSet
from eval.longdev import material_en, material_ko

__all__ = ["DATA", "EXPECTED", "FAMILIES", "SET", "main"]

DATA: Final = Path(__file__).parent / "data"
# Documents per family and language (Korean weighs as much as English).
EXPECTED: Final = {"indirect": 8, "hard_negative": 8, "plain": 20}
SET: Final = DocumentSet(
    seed="aegis-longdev",
    data=DATA,
    langs=(("en", material_en), ("ko", material_ko)),
    expected=EXPECTED,
    length={"en": (2000, 12000), "ko": (1000, 6000)},
)


def main() -> None:
    SET.main()


if __name__ == "__main__":
    main()
