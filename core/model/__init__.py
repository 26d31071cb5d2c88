"""The prompt-injection / jailbreak classifier: ONNX model, featurizer and training code.

Run time needs only :class:`InjectionClassifier` (onnxruntime, numpy, :mod:`shared`);
``train``, ``eval`` and ``synth`` are development tools (the ``train`` extra).
"""

from core.model.classifier import ClassifierResult, InjectionClassifier, ModelLoadError

__all__ = ["ClassifierResult", "InjectionClassifier", "ModelLoadError"]
