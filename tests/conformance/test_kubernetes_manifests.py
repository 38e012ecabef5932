"""The Kustomize base in `deploy/kubernetes/` against the Kubernetes OpenAPI schemas.

`kubernetes-validate` (PyPI, pinned in requirements.txt) bundles the JSON schemas of every
Kubernetes minor from 1.25 on, so this runs offline. Every resource is checked in strict mode
(unknown fields are errors) against the oldest and the newest bundled version. The resources are
the kustomize output (`kubectl kustomize`) where kubectl is installed, otherwise each file the
kustomization lists, loaded as it is. A deliberately broken copy must be refused, so the check can
fail. (The flags the Deployment passes are checked against the real command line by vl-server's
`tests/it/deploy.rs`.)
"""

from __future__ import annotations

import copy
import pathlib
import shutil
import subprocess

import kubernetes_validate
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BASE = ROOT / "deploy" / "kubernetes"
VERSIONS = [kubernetes_validate.utils.all_versions()[0], kubernetes_validate.utils.latest_version()]


def _resources() -> list[dict]:
    kubectl = shutil.which("kubectl")
    if kubectl:
        out = subprocess.run(
            [kubectl, "kustomize", str(BASE)], check=True, capture_output=True, text=True, timeout=60
        ).stdout
        return [d for d in yaml.safe_load_all(out) if d]
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    docs: list[dict] = []
    for name in kustomization["resources"]:
        docs.extend(d for d in yaml.safe_load_all((BASE / name).read_text()) if d)
    return docs


def test_the_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    present = {p.name for p in BASE.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present


@pytest.mark.parametrize("version", VERSIONS)
def test_every_resource_passes_the_strict_schema(version: str) -> None:
    resources = _resources()
    kinds = sorted(r["kind"] for r in resources)
    assert kinds == ["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service"]
    for resource in resources:
        kubernetes_validate.validate(resource, version, strict=True)


def test_a_broken_manifest_is_refused() -> None:
    deployment = next(r for r in _resources() if r["kind"] == "Deployment")
    unknown = copy.deepcopy(deployment)
    unknown["spec"]["template"]["spec"]["containers"][0]["bogusField"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(unknown, VERSIONS[-1], strict=True)
    wrong_type = copy.deepcopy(deployment)
    wrong_type["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong_type, VERSIONS[-1], strict=True)
