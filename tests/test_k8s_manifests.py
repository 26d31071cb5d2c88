"""deploy/k8s: every manifest valid against Kubernetes' own schemas (the ``kubernetes-validate``
package bundles them; nothing is downloaded), and the scale-out objects aimed at what exists.

The manifests are rendered as ``kubectl apply -k`` would (``kubectl kustomize``) where kubectl
is installed; elsewhere from the resource files the kustomization lists, with its patches
merged the way kustomize merges these (a null field removed, lists keyed by topologyKey).
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml

K8S = Path(__file__).resolve().parent.parent / "deploy" / "k8s"
# The oldest release the manifests need (ContainerResource metrics are GA from 1.30), and the
# newest the package knows.
VERSIONS = ("1.30", kubernetes_validate.latest_version())


def _rendered() -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is not None:
        text = subprocess.run(
            [kubectl, "kustomize", str(K8S)], check=True, capture_output=True, text=True
        ).stdout
        return [doc for doc in yaml.safe_load_all(text) if doc]
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    docs: list[dict[str, Any]] = []
    for resource in kustomization["resources"]:
        path = K8S / resource
        if path.is_file():
            docs.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    for patch in kustomization.get("patches", []):
        for change in yaml.safe_load_all((K8S / patch["path"]).read_text()):
            (target,) = (
                doc
                for doc in docs
                if (doc["kind"], doc["metadata"]["name"])
                == (change["kind"], change["metadata"]["name"])
            )
            _merge(target, change)
    return docs


def _merge(target: dict[str, Any], change: dict[str, Any]) -> None:
    for name, value in change.items():
        if value is None:
            target.pop(name, None)
        elif isinstance(value, dict) and isinstance(target.get(name), dict):
            _merge(target[name], value)
        elif name == "topologySpreadConstraints":
            keys = {item["topologyKey"] for item in value}
            kept = [item for item in target.get(name, []) if item["topologyKey"] not in keys]
            target[name] = value + kept
        else:
            target[name] = value


@pytest.fixture(scope="module")
def manifests() -> list[dict[str, Any]]:
    return _rendered()


def _named(manifests: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in manifests if doc["kind"] == kind}


@pytest.mark.parametrize("version", VERSIONS)
def test_every_manifest_is_valid_against_the_kubernetes_schema(
    manifests: list[dict[str, Any]], version: str
) -> None:
    """Each object passes its kind's schema, unknown fields refused (strict)."""
    problems = []
    for doc in manifests:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            problems.append(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message}")
    assert problems == []
    assert {"Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= {
        doc["kind"] for doc in manifests
    }


def test_the_validator_refuses_a_misspelt_field(manifests: list[dict[str, Any]]) -> None:
    """A typo in an autoscaler is caught, so the test above can fail."""
    hpa = copy.deepcopy(_named(manifests, "HorizontalPodAutoscaler")["aegis-edge"])
    hpa["spec"]["minReplica"] = hpa["spec"].pop("minReplicas")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(hpa, VERSIONS[0], strict=True)


@pytest.mark.parametrize(("name", "container"), [("aegis-edge", "edge"), ("aegis-core", "core")])
def test_each_tier_scales_on_its_own_container_and_keeps_one_pod_in_a_drain(
    manifests: list[dict[str, Any]], name: str, container: str
) -> None:
    """The autoscaler targets the tier's Deployment and container (which has a CPU request),
    the disruption budget selects its pods, and its pods spread over nodes and zones."""
    deployment = _named(manifests, "Deployment")[name]
    pod = deployment["spec"]["template"]
    hpa = _named(manifests, "HorizontalPodAutoscaler")[name]["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    assert 2 <= hpa["minReplicas"] < hpa["maxReplicas"]
    (metric,) = hpa["metrics"]
    assert metric["containerResource"]["container"] == container
    assert metric["containerResource"]["name"] == "cpu"
    containers = {c["name"]: c for c in pod["spec"]["containers"]}
    assert "cpu" in containers[container]["resources"]["requests"]
    # The autoscaler owns the replica count: applying the manifests must not reset it.
    assert "replicas" not in deployment["spec"]
    pdb = _named(manifests, "PodDisruptionBudget")[name]["spec"]
    selected = pdb["selector"]["matchLabels"]
    assert selected.items() <= pod["metadata"]["labels"].items()
    assert pdb["maxUnavailable"] == 1
    spread = {c["topologyKey"] for c in pod["spec"]["topologySpreadConstraints"]}
    assert spread == {"kubernetes.io/hostname", "topology.kubernetes.io/zone"}
