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

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "WINDOWS_PER_BATCH",
    "FeatureBatch",
    "FeatureSpec",
    "TextWindows",
    "WindowRows",
    "feature_batches",
    "featurize",
    "window_spans",
]

IntArray = npt.NDArray[np.integer[Any]]
_PRIME: Final = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: odd, well spread
_MIX: Final = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / golden ratio, for multiplicative hashing
_BOUNDARY: Final = 0x02  # framing code point; cannot occur in normalised text
_SPACE: Final = 0x20
_ZERO: Final = 0x30
# Windows counted together by feature_batches (~250k n-grams: a few MB of arrays).
WINDOWS_PER_BATCH: Final = 256
_HASH_CHUNK: Final = 1 << 15  # positions hashed at a time (arrays of 256 KB)


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


@dataclass(frozen=True, slots=True)
class WindowRows:
    """Rows of n-gram counts, flat: row ``r`` is entries ``offsets[r]`` to ``offsets[r + 1]``
    (never none), entry ``i`` bucket ``buckets[i]`` counted ``counts[i]`` times, each row's
    buckets ascending, as :func:`featurize` gives them. ``spans``: each row's window.

    :meth:`padded` makes the ``[rows, n-grams]`` arrays the model takes, for the rows that
    are to be scored.
    """

    offsets: IntArray
    buckets: IntArray
    counts: IntArray
    spans: list[tuple[int, int]]

    def __len__(self) -> int:
        return len(self.spans)

    def take(self, rows: npt.NDArray[np.intp]) -> WindowRows:
        """The rows listed, in that order."""
        lengths, source = _select(self.offsets, rows)
        return WindowRows(
            np.concatenate(([0], np.cumsum(lengths))),
            np.take(self.buckets, source),
            np.take(self.counts, source),
            [self.spans[row] for row in rows.tolist()],
        )

    @staticmethod
    def join(parts: list[WindowRows]) -> WindowRows:
        """The rows of ``parts``, one part after the other."""
        if len(parts) == 1:
            return parts[0]
        starts = np.cumsum([0, *(part.buckets.size for part in parts[:-1])])
        return WindowRows(
            np.concatenate(
                [
                    [0],
                    *(part.offsets[1:] + start for part, start in zip(parts, starts, strict=True)),
                ]
            ),
            np.concatenate([part.buckets for part in parts]),
            np.concatenate([part.counts for part in parts]),
            [span for part in parts for span in part.spans],
        )

    def padded(self, rows: npt.NDArray[np.intp] | None = None) -> FeatureBatch:
        """These rows (or those listed, in that order), padded with zeros to the longest."""
        if rows is None:
            if len(self.spans) == 1:
                return FeatureBatch(
                    self.buckets.astype(np.int64)[None, :],
                    self.counts.astype(np.float32)[None, :],
                    np.array([self.buckets.size], dtype=np.int64),
                    self.spans,
                )
            rows = np.arange(len(self.spans))
        lengths, source = _select(self.offsets, rows)
        indices, counts = _pad(lengths, np.take(self.buckets, source), np.take(self.counts, source))
        return FeatureBatch(
            indices, counts, lengths.astype(np.int64), [self.spans[row] for row in rows.tolist()]
        )


def _select(offsets: IntArray, rows: npt.NDArray[np.intp]) -> tuple[IntArray, IntArray]:
    """The lengths of the rows listed, and where their entries are, row after row."""
    first = offsets[rows]
    lengths = offsets[rows + 1] - first
    source = np.repeat(first - (np.cumsum(lengths) - lengths), lengths)
    return lengths, source + np.arange(source.size)


def _pad(
    lengths: IntArray, buckets: IntArray, counts: IntArray
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Rows given flat, one after the other, as ``[rows, longest]`` arrays padded with 0."""
    rows = lengths.size
    width = max(1, int(lengths.max(initial=0)))
    target = np.repeat(np.arange(rows) * width - (np.cumsum(lengths) - lengths), lengths)
    target += np.arange(target.size)
    indices = np.zeros(rows * width, dtype=np.int64)
    indices[target] = buckets
    padded = np.zeros(rows * width, dtype=np.float32)
    padded[target] = counts
    return indices.reshape(rows, width), padded.reshape(rows, width)


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
    return _folded_codes(text)[0]


def _folded_codes(text: str) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.bool_] | None]:
    """:func:`_codes`, and which characters of ``text`` the codes (unframed) come from
    (``None``: all of them)."""
    raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    # Tab, line feed, form feed, carriage return (9-13 but 11) and space.
    space = (raw == _SPACE) | ((raw - np.uint32(0x09) <= 4) & (raw != 0x0B))
    folded = np.where((raw - np.uint32(_ZERO)) < 10, np.uint32(_ZERO), raw)  # digits to 0
    folded[space] = _SPACE
    kept = None
    if space.any():
        keep = ~(space & np.concatenate(([False], space[:-1])))
        if not keep.all():
            kept = keep
            folded = folded[keep]
    framed = np.empty(folded.size + 2, dtype=np.uint64)
    framed[0] = framed[-1] = _BOUNDARY
    framed[1:-1] = folded
    return framed, kept


def _order_hashes(
    codes: npt.NDArray[np.uint64],
    spec: FeatureSpec,
    canonical: npt.NDArray[np.int32] | None = None,
) -> dict[int, Any]:
    """Bucket of the n-gram starting at each position, for each order in the spec (along
    the last axis: rows of codes give rows of buckets), mapped by ``canonical`` if given.

    A long text is hashed ``_HASH_CHUNK`` positions at a time, so that the arrays worked on
    stay in the CPU's cache."""
    top = max(spec.orders)
    if codes.ndim > 1 or codes.size <= _HASH_CHUNK + top:
        return _chunk_hashes(codes, spec, canonical)
    out = {n: np.empty(codes.size - n + 1, dtype=np.int32) for n in spec.orders if n <= codes.size}
    for start in range(0, codes.size, _HASH_CHUNK):
        for n, part in _chunk_hashes(
            codes[start : start + _HASH_CHUNK + top - 1], spec, canonical
        ).items():
            out[n][start : start + part.size] = part
    return out


def _chunk_hashes(
    codes: npt.NDArray[np.uint64], spec: FeatureSpec, canonical: npt.NDArray[np.int32] | None
) -> dict[int, Any]:
    out: dict[int, Any] = {}
    shift = np.uint64(64 - spec.bits)
    rolling = codes.copy()  # rolling[i]: the hash of the n codes from i, updated in place
    mixed = np.empty_like(codes)
    for n in range(1, max(spec.orders) + 1):
        size = codes.shape[-1] - n + 1
        if n > 1:
            if size < 1:
                break
            np.multiply(rolling[..., :size], _PRIME, out=rolling[..., :size])
            np.add(rolling[..., :size], codes[..., n - 1 :], out=rolling[..., :size])
        if n in spec.orders:
            salt = np.uint64((spec.salt * 0x1000193 + n * 0x27D4EB2F) & 0xFFFFFFFFFFFFFFFF)
            part = mixed[..., :size]
            np.bitwise_xor(rolling[..., :size], salt, out=part)
            np.multiply(part, _MIX, out=part)
            np.right_shift(part, shift, out=part)
            # Buckets fit in int32, which sorts faster than uint64 in np.unique.
            buckets = part.astype(np.int32)
            out[n] = buckets if canonical is None else np.take(canonical, buckets)
    return out


def featurize(
    text: str, spec: FeatureSpec, *, canonical: npt.NDArray[np.int32] | None = None
) -> FeatureBatch:
    """Hashed n-gram counts of each window of ``text`` (already normalised), one row each.

    ``canonical`` maps each bucket to the bucket it is counted as: a model that ignores
    some buckets lets them all be counted as one (see :func:`feature_batches`).
    """
    return next(feature_batches(text, spec, canonical=canonical, per_batch=None))


def featurize_many(
    texts: Sequence[str], spec: FeatureSpec, *, canonical: npt.NDArray[np.int32] | None = None
) -> FeatureBatch:
    """:func:`featurize` of each of ``texts`` (normalised, each at most one window long) as
    one row each, counted together: the texts' codes are hashed as one array and each
    n-gram that crosses from one text into the next is dropped, so a row is exactly the one
    :func:`featurize` gives its text. Featurised one at a time, a sentence cost ~0.05 ms in
    numpy calls; 1,260 sentences of documents took 109 ms one by one.
    """
    framed = [_codes(text) for text in texts]
    if any(codes.size - 2 > spec.window for codes in framed):
        raise ValueError(f"featurize_many takes texts of at most {spec.window} characters")
    sizes = np.array([codes.size for codes in framed], dtype=np.int64)
    codes = np.concatenate(framed)
    ends = np.cumsum(sizes)  # each text's framed codes end here (exclusive)
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), sizes)
    with np.errstate(over="ignore"):
        hashes = _order_hashes(codes, spec)
    keys = []
    for n, buckets in hashes.items():
        starts = np.arange(buckets.size)
        inside = starts + n <= ends[owner[: buckets.size]]  # the n-gram ends in its text
        mapped = buckets[inside] if canonical is None else canonical[buckets[inside]]
        keys.append((owner[: buckets.size][inside] << spec.bits) | mapped.astype(np.int64))
    unique, tally = np.unique(np.concatenate(keys), return_counts=True)
    rows = unique >> spec.bits
    lengths = np.bincount(rows, minlength=len(texts)).astype(np.int64)
    indices, counts = _pad(lengths, unique & ((1 << spec.bits) - 1), tally)
    return FeatureBatch(indices, counts, lengths, [(0, len(text)) for text in texts])


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


class TextWindows:
    """The windows of one normalised text, each distinct window counted once.

    What the classifier scores. A window's n-gram counts depend only on its characters (and
    the one on each side, the framing), so windows with the same characters — every window
    of a text that repeats a unit, most of a padded document — share one row: ``inverse``
    maps each window to its row, :meth:`rows` counts the distinct windows ``per_batch`` at a
    time (rows flat, :class:`WindowRows`). Windows are matched on their whole characters.

    ``canonical`` is :func:`featurize`'s map of each bucket to the bucket it is counted as,
    and each row is the row :func:`featurize` gives that window. Where there are few distinct
    windows, only theirs are hashed.

        >>> spec = FeatureSpec(window=64, stride=32, fine_window=16, fine_stride=8)
        >>> windows = TextWindows("abcdefgh" * 12, spec)
        >>> len(windows.spans), windows.distinct, windows.inverse.tolist()
        (11, 3, [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2])
    """

    def __init__(
        self, text: str, spec: FeatureSpec, *, canonical: npt.NDArray[np.int32] | None = None
    ) -> None:
        codes, kept = _folded_codes(text)
        self._text, self._spec, self._canonical, self._codes = text, spec, canonical, codes
        spans = spec.spans(codes.size - 2)
        self._size = spans[0][1] - spans[0][0]  # the last window is moved back: same size
        self._starts = np.array([start for start, _ in spans], dtype=np.int64)
        self.spans: Final = _map_kept(kept, len(text), spans)
        self.inverse, self._firsts = _distinct(codes, self._starts, self._size + 2)

    @property
    def distinct(self) -> int:
        """How many distinct windows (rows) there are."""
        return int(self._firsts.size)

    def rows(self, per_batch: int = WINDOWS_PER_BATCH) -> Iterator[WindowRows]:
        """The distinct windows' rows, ``per_batch`` at a time, in order; ``spans`` are those
        of each row's first window."""
        canonical = self._canonical
        if len(self.spans) == 1:
            buckets = np.concatenate(list(self._hash(self._codes).values()))
            if canonical is not None:
                buckets = np.take(canonical, buckets)
            unique, tally = np.unique(buckets, return_counts=True)
            yield WindowRows(np.array([0, unique.size]), unique, tally, [(0, len(self._text))])
            return
        # Window [start, start + size) of the text is [start, start + size + 2) of the framed
        # codes; its n-grams of order n start at start .. start + size + 2 - n.
        framed = self._size + 2
        if 2 * self.distinct * framed <= self._codes.size:
            # Few distinct windows: hash only theirs.
            windows = sliding_window_view(self._codes, framed)
            for first in range(0, self.distinct, per_batch):
                rows = self._firsts[first : first + per_batch]
                hashes = self._hash(windows[self._starts[rows]])
                grams = np.concatenate(list(hashes.values()), axis=1)
                yield WindowRows(
                    *_runs(grams if canonical is None else np.take(canonical, grams)),
                    [self.spans[w] for w in rows],
                )
            return
        views = [
            sliding_window_view(h, framed + 1 - n)
            for n, h in self._hash(self._codes, canonical).items()
            if h.size >= framed + 1 - n
        ]
        for first in range(0, self.distinct, per_batch):
            rows = self._firsts[first : first + per_batch]
            grams = np.concatenate([view[self._starts[rows]] for view in views], axis=1)
            yield WindowRows(*_runs(grams), [self.spans[w] for w in rows])

    def _hash(
        self, codes: npt.NDArray[np.uint64], canonical: npt.NDArray[np.int32] | None = None
    ) -> dict[int, Any]:
        with np.errstate(over="ignore"):
            return _order_hashes(codes, self._spec, canonical)


def _distinct(
    codes: npt.NDArray[np.uint64], starts: npt.NDArray[np.int64], size: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Each window's row (windows ``codes[start : start + size]`` with the same codes share
    one, numbered in order of first appearance) and each row's first window."""
    if starts.size == 1:
        return np.zeros(1, dtype=np.intp), np.zeros(1, dtype=np.intp)
    top = int(codes.max())
    narrow = codes.astype(np.uint8 if top < 1 << 8 else np.uint16 if top < 1 << 16 else np.uint32)
    data, width = narrow.tobytes(), narrow.itemsize
    rows: dict[bytes, int] = {}
    inverse = np.array(
        [
            rows.setdefault(data[at : at + size * width], len(rows))
            for at in (starts * width).tolist()
        ],
        dtype=np.intp,
    )
    return inverse, np.unique(inverse, return_index=True)[1].astype(np.intp)


def _count_rows(
    grams: npt.NDArray[np.int32],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Each row's distinct values and how often each occurs, rows padded with zeros to the
    longest, and the rows' lengths."""
    offsets, buckets, counts = _runs(grams)
    lengths = np.diff(offsets)
    return (*_pad(lengths, buckets, counts), lengths.astype(np.int64))


def _runs(grams: npt.NDArray[np.int32]) -> tuple[IntArray, IntArray, IntArray]:
    """Each row's distinct values, ascending, and how often each occurs: flat, with where
    each row's values begin (and the end)."""
    grams = np.sort(grams, axis=1)
    # Mark where a sorted row changes value: each mark starts a run of one value.
    first = np.empty(grams.shape, dtype=bool)
    first[:, 0] = True
    np.not_equal(grams[:, 1:], grams[:, :-1], out=first[:, 1:])
    where = np.flatnonzero(first)
    tally = np.diff(where, append=grams.size)  # a run ends where the next one (or row) starts
    offsets = np.concatenate(([0], np.cumsum(np.count_nonzero(first, axis=1))))
    return offsets, np.take(grams, where), tally


def _map_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Window spans over the whitespace-folded codes, mapped back to offsets in ``text``."""
    if len(spans) == 1:
        return [(0, len(text))]
    return _map_kept(_folded_codes(text)[1], len(text), spans)


def _map_kept(
    keep: npt.NDArray[np.bool_] | None, length: int, spans: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Spans over codes mapped to the characters the codes come from (``keep``, see
    :func:`_folded_codes`); a span that reaches the last code ends at ``length``."""
    if len(spans) == 1:
        return [(0, length)]
    kept = None if keep is None else np.flatnonzero(keep)
    bounds = np.array(spans, dtype=np.int64)
    if kept is None:
        return list(
            zip(bounds[:, 0].tolist(), np.minimum(bounds[:, 1], length).tolist(), strict=True)
        )
    first = kept[bounds[:, 0]]
    last = np.where(
        bounds[:, 1] >= kept.size, length, kept[np.minimum(bounds[:, 1], kept.size - 1)]
    )
    return list(zip(first.tolist(), last.tolist(), strict=True))
