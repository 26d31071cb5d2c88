"""Write the sixth outside set's JSONL files (long documents) from its hand-written parts.

    python -m eval.outside6.build   # rewrites eval/outside6/data/*.jsonl

The assembly, the seeds' use and the checks are :mod:`eval.documents`'s; this file names the
set: its seed (``aegis-outside-v6``), its material, its counts per family and language, and its
documents' length ranges (characters, without the user's request).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from eval.documents import FAMILIES, DocumentSet
from eval.outside6 import material_en, material_ko

__all__ = ["DATA", "EXPECTED", "FAMILIES", "SET", "main"]

DATA: Final = Path(__file__).parent / "data"
# Documents per family and language (Korean weighs as much as English).
EXPECTED: Final = {"indirect": 20, "hard_negative": 15, "plain": 30}
SET: Final = DocumentSet(
    seed="aegis-outside-v6",
    data=DATA,
    langs=(("en", material_en), ("ko", material_ko)),
    expected=EXPECTED,
    length={"en": (2000, 16000), "ko": (1000, 8000)},
)


def main() -> None:
    SET.main()


if __name__ == "__main__":
    main()
