"""Upper bounds on a window's score, read from the model's own weights.

The text's score is its highest window's, so a window that provably cannot beat the best one
scored so far need not be run through the ONNX graph. On a megabyte of random base64 (8,192
windows of ~250 n-grams the model knows) the graph would be most of the cost; the two bounds
leave it a few dozen windows. Every score reported is still the graph's, and so is the
winning window: a window is skipped only when its bound is below a score already found, so
the highest window, and the first of equal ones, is never skipped.

The graph ``core.model.train`` writes (and only that graph: :meth:`ScoreBound.from_model`
checks it node by node and returns ``None`` for any other) computes, per window with n-gram
weights ``w`` (TF x IDF, L2-normalised, so ``w >= 0``) and embedding rows ``E``::

    p = sum_i w_i E_i                                  # 33 values
    logit = bias + sum_j c_j relu(p_j + b_j) + s_lr * p[32],   c_j = s_mlp * v_j

A hidden unit with ``c_j <= 0`` adds at most 0. For one with ``c_j > 0``, ``relu(p_j + b_j)
<= relu(b_j) + sum_i w_i relu(E_ij)``. Hence the *loose* bound, one look-up per n-gram::

    logit <= const + sum_i w_i gain_i,  const = bias + sum_{c_j > 0} c_j relu(b_j),
                                        gain_i = sum_{c_j > 0} c_j relu(E_ij) + s_lr E_i,32

and the *tight* bound, which computes ``p_j`` for the units with ``c_j > 0`` (about half) and
the last column exactly, and drops only the units with ``c_j <= 0``. The loose bound is
computed for every window; the tight one, ~20 look-ups per n-gram, only for the windows the
loose one leaves. Both are widened by :data:`LOGIT_SLACK` before they are compared with a
score: far more than the rounding of the graph's float32 sums and of the bounds' own (the
loose one in float64, the tight one in float32; each ~1e-6 on these logits).

The weights are read from the ONNX file with a minimal protobuf reader (initializers stored as
``raw_data``, as ``onnx.numpy_helper`` writes them): the ``onnx`` package is a training
dependency, not a run-time one. At load, :meth:`ScoreBound.check` compares a float64
evaluation of the model from these weights with the graph's scores on probe windows, so a
misread weight disables the bounds rather than skipping a window wrongly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

__all__ = ["LOGIT_SLACK", "ScoreBound"]

# Added to a bound before it is compared: the graph computes in float32 (errors ~1e-6 on a
# logit), the bound in float64.
LOGIT_SLACK: Final = 0.05
# Added to the bound's probability, for the graph's float32 sigmoid (one ulp near 1 is 6e-8).
_SCORE_SLACK: Final = 1e-6
# The graph ``core.model.train._graph`` writes: (op, inputs, outputs, attributes).
_GRAPH: Final = (
    ("Gather", ("remap", "indices"), ("rows",), ()),
    ("Gather", ("idf", "rows"), ("row_idf",), ()),
    ("Greater", ("counts", "zero"), ("present",), ()),
    ("Max", ("counts", "one"), ("safe_counts",), ()),
    ("Log", ("safe_counts",), ("log_counts",), ()),
    ("Add", ("log_counts", "one"), ("tf_all",), ()),
    ("Where", ("present", "tf_all", "zero"), ("tf",), ()),
    ("Mul", ("tf", "row_idf"), ("tfidf",), ()),
    ("ReduceSumSquare", ("tfidf",), ("square_norm",), (("axes", (1,)), ("keepdims", 1))),
    ("Max", ("square_norm", "tiny"), ("safe_norm",), ()),
    ("Sqrt", ("safe_norm",), ("norm",), ()),
    ("Div", ("tfidf", "norm"), ("weights",), ()),
    ("Unsqueeze", ("weights", "axis1"), ("weights_row",), ()),
    ("Gather", ("embedding", "rows"), ("embedded16",), ()),
    ("Cast", ("embedded16",), ("embedded",), (("to", 1),)),
    ("MatMul", ("weights_row", "embedded"), ("pooled_row",), ()),
    ("Squeeze", ("pooled_row", "axis1"), ("pooled",), ()),
    ("Slice", ("pooled", "start0", "hidden_end", "axis1"), ("pre_hidden",), ()),
    ("Slice", ("pooled", "hidden_end", "lr_end", "axis1"), ("lr_logit",), ()),
    ("Add", ("pre_hidden", "hidden_bias"), ("hidden_in",), ()),
    ("Relu", ("hidden_in",), ("hidden",), ()),
    ("MatMul", ("hidden", "output_weights"), ("mlp_logit",), ()),
    ("Mul", ("mlp_logit", "scale_mlp"), ("mlp_part",), ()),
    ("Mul", ("lr_logit", "scale_lr"), ("lr_part",), ()),
    ("Add", ("mlp_part", "lr_part"), ("logit_sum",), ()),
    ("Add", ("logit_sum", "bias"), ("logit",), ()),
    ("Sigmoid", ("logit",), ("probability",), ()),
    ("Reshape", ("probability", "flat"), ("score",), ()),
)
# ONNX TensorProto data types read here.
_DTYPES: Final = {1: np.float32, 6: np.int32, 7: np.int64, 10: np.float16}

FloatArray = npt.NDArray[np.float64]


class ScoreBound:
    """Bounds on window logits from the model's weights (see the module docstring)."""

    def __init__(self, weights: dict[str, npt.NDArray[np.generic]]) -> None:
        remap = weights["remap"].astype(np.intp)
        embedding = weights["embedding"].astype(np.float64)  # [rows, hidden + 1]
        hidden = weights["hidden_bias"].size
        scale_lr = float(weights["scale_lr"].reshape(-1)[0])
        output = weights["output_weights"].astype(np.float64).reshape(-1)
        scaled = output * float(weights["scale_mlp"].reshape(-1)[0])
        up = np.maximum(scaled, 0.0)
        gain = np.maximum(embedding[:, :hidden], 0.0) @ up + scale_lr * embedding[:, hidden]
        hidden_bias = weights["hidden_bias"].astype(np.float64)
        bias = float(weights["bias"].reshape(-1)[0])
        self._weights = weights
        self._remap = remap
        self._row_idf = weights["idf"].astype(np.float64)
        # Loose bound, per bucket (float32 tables stay in cache; their rounding is far inside
        # the slack).
        self.idf: Final = weights["idf"].astype(np.float32)[remap]
        self.gain: Final = gain.astype(np.float32)[remap]
        self.const: Final = bias + float(np.maximum(hidden_bias, 0.0) @ up)
        # Tight bound, per embedding row: the units that can add, then the last column.
        units = np.flatnonzero(scaled > 0)
        # [units + 1, rows] float32: each column of the table a contiguous array that stays
        # in cache while it is looked up (float32 sums err by ~1e-6, far inside the slack).
        self._columns = np.ascontiguousarray(
            embedding[:, [*units.tolist(), hidden]].T, dtype=np.float32
        )
        self._tf32 = np.concatenate(
            ([0.0], 1.0 + np.log(np.arange(1, 1 << 16, dtype=np.float64)))
        ).astype(np.float32)
        self._row_idf32 = weights["idf"].astype(np.float32)
        self._units_bias = hidden_bias[units]
        self._units_scale = scaled[units]
        self._scale_lr = scale_lr
        self._bias = bias
        # tf = 1 + ln(count) for the counts a window can hold (a window has < 2**16 n-grams)
        self._tf = np.concatenate(([0.0], 1.0 + np.log(np.arange(1, 1 << 16, dtype=np.float64))))

    @classmethod
    def from_model(cls, path: Path) -> ScoreBound | None:
        """The bound of the model at ``path``, or ``None`` when its graph is not the one
        ``core.model.train`` writes (then no window is skipped)."""
        try:
            nodes, weights = _read_graph(path.read_bytes())
        except (OSError, ValueError, KeyError, IndexError):
            return None
        if tuple(nodes) != _GRAPH:
            return None
        try:
            return cls(weights)
        except (KeyError, ValueError, IndexError):
            return None

    def logits(
        self,
        offsets: npt.NDArray[np.integer[Any]],
        buckets: npt.NDArray[np.integer[Any]],
        counts: npt.NDArray[np.integer[Any]],
    ) -> FloatArray:
        """An upper bound on the logit of each row, given flat: row ``r`` is entries
        ``offsets[r]`` to ``offsets[r + 1]`` (never none), bucket ``buckets[i]`` counted
        ``counts[i]`` times."""
        weight = np.take(self._tf, counts) * np.take(self.idf, buckets)
        starts = offsets[:-1]
        top = np.add.reduceat(weight * np.take(self.gain, buckets), starts)
        norm = np.sqrt(np.maximum(np.add.reduceat(weight * weight, starts), 1e-12))
        bounds: FloatArray = self.const + top / norm
        return bounds

    def tight_logits(
        self,
        offsets: npt.NDArray[np.integer[Any]],
        buckets: npt.NDArray[np.integer[Any]],
        counts: npt.NDArray[np.integer[Any]],
    ) -> FloatArray:
        """A tighter upper bound on the logit of each row, given as to :meth:`logits`, at
        ~20 look-ups per n-gram."""
        embedding_rows = np.take(self._remap, buckets)
        weight = np.take(self._tf32, counts) * np.take(self._row_idf32, embedding_rows)
        starts = offsets[:-1]
        norm = np.sqrt(np.maximum(np.add.reduceat(weight * weight, starts), 1e-12))
        columns = np.take(self._columns, embedding_rows, axis=1)
        columns *= weight
        pooled = (np.add.reduceat(columns, starts, axis=1) / norm).T.astype(np.float64)
        inner = np.maximum(pooled[:, :-1] + self._units_bias, 0.0)
        bounds: FloatArray = self._bias + inner @ self._units_scale + self._scale_lr * pooled[:, -1]
        return bounds

    def may_reach(self, logits: FloatArray, score: float) -> npt.NDArray[np.bool_]:
        """Rows whose bound ``logits`` let them score ``score`` or more (a score of the graph)."""
        probability = 1.0 / (1.0 + np.exp(-(logits + LOGIT_SLACK)))
        return probability + _SCORE_SLACK >= score

    def exact_logits(
        self, indices: npt.NDArray[np.int64], counts: npt.NDArray[np.float32]
    ) -> FloatArray:
        """The model's logits computed in float64 from the weights read: only for
        :meth:`check`, never for a verdict."""
        w = self._weights
        rows = w["remap"].astype(np.intp)[indices]
        weight = self._tf[counts.astype(np.intp)] * w["idf"].astype(np.float64)[rows]
        norm = np.sqrt(np.maximum((weight * weight).sum(axis=1, keepdims=True), 1e-12))
        pooled = np.einsum("ij,ijk->ik", weight / norm, w["embedding"].astype(np.float64)[rows])
        hidden = w["hidden_bias"].size
        inner = np.maximum(pooled[:, :hidden] + w["hidden_bias"].astype(np.float64), 0.0)
        mlp = inner @ w["output_weights"].astype(np.float64).reshape(-1)
        logits: FloatArray = (
            float(w["bias"].reshape(-1)[0])
            + float(w["scale_mlp"].reshape(-1)[0]) * mlp
            + float(w["scale_lr"].reshape(-1)[0]) * pooled[:, hidden]
        )
        return logits

    def check(
        self,
        indices: npt.NDArray[np.int64],
        counts: npt.NDArray[np.float32],
        scores: npt.NDArray[np.float32],
    ) -> bool:
        """Whether the weights read reproduce the graph's ``scores`` of these rows (to 1e-4)
        and the bound holds for each."""
        exact = self.exact_logits(indices, counts)
        probability = 1.0 / (1.0 + np.exp(-exact))
        close = bool(np.all(np.abs(probability - scores.astype(np.float64)) <= 1e-4))
        present = counts > 0
        offsets = np.concatenate(([0], np.cumsum(np.count_nonzero(present, axis=1))))
        flat = (offsets, indices[present], counts[present].astype(np.int64))
        bounds = self.logits(*flat)
        tight = self.tight_logits(*flat)
        return close and bool(np.all(bounds >= tight - 1e-9) and np.all(tight >= exact - 1e-9))


def _read_graph(
    data: bytes,
) -> tuple[
    list[tuple[str, tuple[str, ...], tuple[str, ...], tuple[object, ...]]],
    dict[str, npt.NDArray[np.generic]],
]:
    """The nodes and initializers of an ONNX ModelProto (field numbers from onnx.proto)."""
    graph = next(value for number, value in _fields(memoryview(data)) if number == 7)
    if not isinstance(graph, memoryview):
        raise ValueError("model without a graph")
    nodes = []
    weights: dict[str, npt.NDArray[np.generic]] = {}
    for number, value in _fields(graph):
        if number == 1 and isinstance(value, memoryview):  # NodeProto
            nodes.append(_node(value))
        elif number == 5 and isinstance(value, memoryview):  # TensorProto
            name, array = _tensor(value)
            weights[name] = array
    return nodes, weights


def _node(data: memoryview) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[object, ...]]:
    inputs, outputs, attributes, op = [], [], [], ""
    for number, value in _fields(data):
        if number == 1:
            inputs.append(_text(value))
        elif number == 2:
            outputs.append(_text(value))
        elif number == 4:
            op = _text(value)
        elif number == 5 and isinstance(value, memoryview):
            attributes.append(_attribute(value))
        elif number == 7 and _text(value):
            raise ValueError("node outside the default ONNX domain")
    return op, tuple(inputs), tuple(outputs), tuple(attributes)


def _attribute(data: memoryview) -> tuple[str, object]:
    name, single, many = "", None, []
    for number, value in _fields(data):
        if number == 1:
            name = _text(value)
        elif number == 3 and isinstance(value, int):
            single = value
        elif number == 8:
            many.extend(_ints(value))
        elif number not in (20,):  # 20: the attribute's type
            raise ValueError("unexpected attribute field")
    return name, tuple(many) if many else single


def _tensor(data: memoryview) -> tuple[str, npt.NDArray[np.generic]]:
    dims: list[int] = []
    name, dtype, raw = "", 0, None
    for number, value in _fields(data):
        if number == 1:
            dims.extend(_ints(value))
        elif number == 2 and isinstance(value, int):
            dtype = value
        elif number == 8:
            name = _text(value)
        elif number == 9 and isinstance(value, memoryview):
            raw = bytes(value)
    if raw is None or dtype not in _DTYPES:
        raise ValueError(f"initializer {name!r} is not stored as raw data of a known type")
    array = np.frombuffer(raw, dtype=np.dtype(_DTYPES[dtype]).newbyteorder("<"))
    return name, array.reshape(dims).copy()


def _fields(data: memoryview) -> Iterator[tuple[int, int | memoryview]]:
    """(field number, value) of a protobuf message: ints for varints, bytes otherwise."""
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire = key >> 3, key & 7
        value: int | memoryview
        if wire == 0:
            value, position = _varint(data, position)
        elif wire == 1:
            value, position = data[position : position + 8], position + 8
        elif wire == 2:
            length, position = _varint(data, position)
            value, position = data[position : position + length], position + length
        elif wire == 5:
            value, position = data[position : position + 4], position + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if position > len(data):
            raise ValueError("truncated protobuf message")
        yield number, value


def _varint(data: memoryview, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, position
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _ints(value: int | memoryview) -> list[int]:
    """A repeated int64 field: one varint, or packed varints."""
    if isinstance(value, int):
        return [value]
    out, position = [], 0
    while position < len(value):
        number, position = _varint(value, position)
        out.append(number)
    return out


def _text(value: int | memoryview) -> str:
    if isinstance(value, int):
        raise ValueError("expected a string field")
    return bytes(value).decode("utf-8")
