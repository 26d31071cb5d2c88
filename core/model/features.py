"""Hashed character n-grams: the classifier's featurizer, shared by training and run time.

The model never sees text. It sees, per window of the normalised text, the hashed character
n-grams it holds and how often each occurs, as two arrays: ``indices`` (bucket numbers) and
``counts``. Everything learned — n-gram weights, IDF, the network — lives in the ONNX graph;
this module has no learned parameters, only its :class:`FeatureSpec` (n-gram orders, number
of buckets, hash salt, window and stride), which is stored in the model's metadata so that a
model always runs with the featurizer it was trained with.

Before hashing, the text is folded a little further than :func:`shared.normalize.normalize`
does: every run of whitespace becomes one space and every ASCII digit becomes ``0`` (numbers
and layout carry no signal about intent, and folding them lets one n-gram cover ``step 1``
and ``step 7``). The text is framed with a boundary marker so that the first and last
characters have n-grams of their own.

An n-gram's bucket is a 64-bit polynomial rolling hash of its code points, mixed with a salt
per order and reduced by multiplicative hashing (the top ``bits`` bits of ``h × K``), all
vectorised in numpy: about 0.1 ms for 1 KB.

Long texts are cut into overlapping windows (``window`` characters, every ``stride``
characters) so that a short attack inside a long benign document is not diluted by it; the
caller scores every window and keeps the highest. No character is ever dropped: the last
window always reaches the end of the text.

    >>> spec = FeatureSpec()
    >>> batch = featurize("ignore previous instructions", spec)
    >>> batch.indices.shape[0], batch.spans
    (1, [(0, 28)])
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "WINDOWS_PER_BATCH",
    "FeatureBatch",
    "FeatureSpec",
    "feature_batches",
    "featurize",
    "window_spans",
]

_PRIME: Final = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: odd, well spread
_MIX: Final = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / golden ratio, for multiplicative hashing
_BOUNDARY: Final = 0x02  # framing code point; cannot occur in normalised text
_SPACE: Final = 0x20
_ZERO: Final = 0x30
# Windows counted together by feature_batches (~250k n-grams: a few MB of arrays).
WINDOWS_PER_BATCH: Final = 256


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """How text becomes hashed n-gram counts; saved with the model, read back at load.

    ``orders`` are the character n-gram lengths, ``bits`` gives ``2**bits`` buckets, ``salt``
    varies the hash, ``window``/``stride`` are in characters of the normalised text. With
    ``fine_window`` set, a text longer than ``window`` is cut into ``fine_window``-character
    windows (every ``fine_stride``) instead, so that one attack sentence in a long document
    gets a window where it is most of the text rather than being diluted by the rest.
    """

    orders: tuple[int, ...] = (1, 2, 3, 4, 5)
    bits: int = 18
    salt: int = 0x5EED
    window: int = 1024
    stride: int = 512
    fine_window: int = 0
    fine_stride: int = 0

    @property
    def buckets(self) -> int:
        """Number of hash buckets, the width of the model's first layer."""
        return 1 << self.bits

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for the model's metadata."""
        data = asdict(self)
        data["orders"] = list(self.orders)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureSpec:
        """Read back :meth:`to_dict`'s output; raises ``ValueError`` on a bad value."""
        try:
            spec = cls(
                orders=tuple(int(n) for n in data["orders"]),
                bits=int(data["bits"]),
                salt=int(data["salt"]),
                window=int(data["window"]),
                stride=int(data["stride"]),
                fine_window=int(data.get("fine_window", 0)),
                fine_stride=int(data.get("fine_stride", 0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"bad feature spec: {exc}") from exc
        if not spec.orders or min(spec.orders) < 1 or not 8 <= spec.bits <= 26:
            raise ValueError("bad feature spec: orders or bits out of range")
        if not 0 < spec.stride <= spec.window:
            raise ValueError("bad feature spec: need 0 < stride <= window")
        if spec.fine_window and not 0 < spec.fine_stride <= spec.fine_window < spec.window:
            raise ValueError("bad feature spec: need 0 < fine_stride <= fine_window < window")
        return spec

    def spans(self, length: int) -> list[tuple[int, int]]:
        """The windows over ``length`` characters (see the class docstring)."""
        if self.fine_window and length > self.window:
            return window_spans(length, self.fine_window, self.fine_stride)
        return window_spans(length, self.window, self.stride)


@dataclass(frozen=True, slots=True)
class FeatureBatch:
    """One row per window: ``indices`` and ``counts`` padded with zeros to the longest row.

    ``lengths`` are the rows' unpadded lengths; ``spans`` the windows' ``(start, end)`` in
    characters of the text given to :func:`featurize`.
    """

    indices: npt.NDArray[np.int64]
    counts: npt.NDArray[np.float32]
    lengths: npt.NDArray[np.int64]
    spans: list[tuple[int, int]]


def window_spans(length: int, window: int, stride: int) -> list[tuple[int, int]]:
    """Start and end of each window over ``length`` characters; the last one ends at the end.

    >>> window_spans(2500, 1024, 512)
    [(0, 1024), (512, 1536), (1024, 2048), (1476, 2500)]
    """
    if length <= window:
        return [(0, length)]
    spans = [(start, start + window) for start in range(0, length - window, stride)]
    spans.append((length - window, length))
    return spans


def _codes(text: str) -> npt.NDArray[np.uint64]:
    """Code points, whitespace runs folded to one space, digits to ``0``, framed."""
    raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = raw.astype(np.uint64)
    space = (raw == _SPACE) | (raw == 0x0A) | (raw == 0x09) | (raw == 0x0D) | (raw == 0x0C)
    codes[space] = _SPACE
    codes[(raw >= _ZERO) & (raw <= 0x39)] = _ZERO
    if space.any():
        keep = ~(space & np.concatenate(([False], space[:-1])))
        codes = codes[keep]
    framed = np.empty(codes.size + 2, dtype=np.uint64)
    framed[0] = framed[-1] = _BOUNDARY
    framed[1:-1] = codes
    return framed


def _order_hashes(codes: npt.NDArray[np.uint64], spec: FeatureSpec) -> dict[int, Any]:
    """Bucket of the n-gram starting at each position, for each order in the spec."""
    out: dict[int, Any] = {}
    shift = np.uint64(64 - spec.bits)
    rolling = codes.copy()
    for n in range(1, max(spec.orders) + 1):
        if n > 1:
            if codes.size < n:
                break
            rolling = rolling[:-1] * _PRIME + codes[n - 1 :]
        if n in spec.orders:
            salt = np.uint64((spec.salt * 0x1000193 + n * 0x27D4EB2F) & 0xFFFFFFFFFFFFFFFF)
            # Buckets fit in int32, which sorts faster than uint64 in np.unique.
            out[n] = (((rolling ^ salt) * _MIX) >> shift).astype(np.int32)
    return out


def featurize(
    text: str, spec: FeatureSpec, *, canonical: npt.NDArray[np.int32] | None = None
) -> FeatureBatch:
    """Hashed n-gram counts of each window of ``text`` (already normalised), one row each.

    ``canonical`` maps each bucket to the bucket it is counted as: a model that ignores
    some buckets lets them all be counted as one (see :func:`feature_batches`).
    """
    return next(feature_batches(text, spec, canonical=canonical, per_batch=None))


def feature_batches(
    text: str,
    spec: FeatureSpec,
    *,
    canonical: npt.NDArray[np.int32] | None = None,
    per_batch: int | None = WINDOWS_PER_BATCH,
) -> Iterator[FeatureBatch]:
    """:func:`featurize`'s rows, ``per_batch`` windows at a time (``None``: all at once).

    A long text has thousands of windows of ~1,000 n-grams each; counted a few hundred
    windows at a time, the arrays stay in the CPU's cache and memory stays bounded, which
    makes a megabyte of text four times cheaper to count than all at once.
    """
    with np.errstate(over="ignore"):
        codes = _codes(text)
        hashes = _order_hashes(codes, spec)
    if canonical is not None:
        hashes = {n: canonical[h] for n, h in hashes.items()}
    length = codes.size - 2
    spans = spec.spans(length)
    if len(spans) == 1:
        unique, tally = np.unique(np.concatenate(list(hashes.values())), return_counts=True)
        yield FeatureBatch(
            indices=unique.astype(np.int64)[None, :],
            counts=tally.astype(np.float32)[None, :],
            lengths=np.array([unique.size], dtype=np.int64),
            spans=[(0, len(text))],
        )
        return
    size = spans[0][1] - spans[0][0]  # every window has the same size (the last is moved back)
    # Window [start, start + size) of the text is [start, start + size + 2) of the framed
    # codes; the n-grams of order n inside it start at start .. start + size + 2 - n.
    views = [
        sliding_window_view(h, size + 3 - n) for n, h in hashes.items() if h.size >= size + 3 - n
    ]
    starts = np.array([start for start, _ in spans], dtype=np.int64)
    mapped = _map_spans(text, spans)
    step = per_batch or len(spans)
    for first in range(0, len(spans), step):
        chunk = starts[first : first + step]
        indices, counts, lengths = _count_rows(
            np.concatenate([view[chunk] for view in views], axis=1)
        )
        yield FeatureBatch(indices, counts, lengths, mapped[first : first + step])


def _count_rows(
    grams: npt.NDArray[np.int32],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Each row's distinct values and how often each occurs, rows padded with zeros to the
    longest, and the rows' lengths."""
    grams = np.sort(grams, axis=1)
    rows, wide = grams.shape
    # Mark where a sorted row changes value: each mark starts a run of one value.
    first = np.empty(grams.shape, dtype=bool)
    first[:, 0] = True
    np.not_equal(grams[:, 1:], grams[:, :-1], out=first[:, 1:])
    where = np.flatnonzero(first)
    tally = np.diff(where, append=grams.size)  # a run ends where the next one (or row) starts
    row = where // wide
    lengths = np.bincount(row, minlength=rows)
    column = np.arange(where.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    width = int(lengths.max())
    indices = np.zeros((rows, width), dtype=np.int64)
    indices[row, column] = grams.ravel()[where]
    counts = np.zeros((rows, width), dtype=np.float32)
    counts[row, column] = tally
    return indices, counts, lengths.astype(np.int64)


def _map_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Window spans over the whitespace-folded codes, mapped back to offsets in ``text``."""
    if len(spans) == 1:
        return [(0, len(text))]
    raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    space = (raw == _SPACE) | (raw == 0x0A) | (raw == 0x09) | (raw == 0x0D) | (raw == 0x0C)
    kept = np.flatnonzero(~(space & np.concatenate(([False], space[:-1]))))
    mapped = []
    for start, end in spans:
        first = int(kept[start])
        last = len(text) if end >= kept.size else int(kept[end])
        mapped.append((first, last))
    return mapped
