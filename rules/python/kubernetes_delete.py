"""PY403 kubernetes-delete: the Kubernetes Python client deleting a namespace or the volumes that hold data."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.python.calls import Call
    from blastguard.frontends.python.frontend import PythonDocument

_FIX = (
    "Check the volumes' reclaim policy (`Retain` keeps the disk), snapshot what must survive, and delete "
    'through reviewed manifests; `dry_run="All"` shows what would go.'
)
_CLIENTS = frozenset({"kubernetes", "kubernetes_asyncio"})
# Client methods (after `delete_`, `delete_namespaced_`, `delete_collection_`…) and what they take with them.
_VOLUMES = {
    "persistent_volume_claim": (
        "PersistentVolumeClaim",
        "and, under the usual `Delete` reclaim policy, the volume bound to it with its data",
    ),
    "persistent_volume": ("PersistentVolume", "and, under a `Delete` reclaim policy, the disk behind it"),
}


def check(call: Call, document: PythonDocument) -> Iterator[Hit]:
    method = call.method
    if not method.startswith("delete_") or not document.model.imported_modules & _CLIENTS:
        return
    if _dry_run(call, document):
        return  # the API server only reports what would be deleted
    if method == "delete_namespace" and call.keyword("Id") is None:
        name = _named(call, document, "name")
        yield Hit(
            *call.span(),
            f"`delete_namespace` deletes the namespace{name} and everything in it: workloads, secrets and every "
            f"PersistentVolumeClaim, whose volumes go with them under the usual `Delete` reclaim policy. {_FIX}",
        )
        return
    collection = method.startswith("delete_collection_")
    kind = method.removeprefix("delete_collection_" if collection else "delete_").removeprefix("namespaced_")
    if kind not in _VOLUMES:
        return
    label, consequence = _VOLUMES[kind]
    if collection:
        selected = call.keyword("label_selector") is not None or call.keyword("field_selector") is not None
        what = f"the {label}s the selector matches" if selected else f"every {label}"
        where = " in the namespace" if "namespaced" in method else ""
        yield Hit(*call.span(), f"`{method}` deletes {what}{where}, {consequence}. {_FIX}")
    else:
        name = _named(call, document, "name")
        yield Hit(*call.span(), f"`{method}` deletes the {label}{name} {consequence}. {_FIX}")


def _dry_run(call: Call, document: PythonDocument) -> bool:
    node = call.keyword("dry_run")
    value = document.string(node, call) if node is not None else None
    return value is not None and value.literal and value.text == "All"


def _named(call: Call, document: PythonDocument, keyword: str) -> str:
    node = call.argument(0, keyword)
    value = document.string(node, call) if node is not None else None
    return f" '{value.text}'" if value is not None and value.literal and value.text else ""


RULE = Rule(
    id="PY403",
    name="kubernetes-delete",
    language="python",
    severity=Severity.WARNING,
    summary="The Kubernetes Python client deletes a namespace, or volume claims and volumes with their data.",
    rationale=(
        "With the `kubernetes` client, `delete_namespace` removes every object in the namespace, and with its "
        "PersistentVolumeClaims the volumes behind them: dynamically provisioned volumes default to the "
        "`Delete` reclaim policy, so the disks go too. `delete_namespaced_persistent_volume_claim`, "
        "`delete_persistent_volume` and their `delete_collection_*` forms (every claim of a namespace when no "
        "`label_selector`/`field_selector` narrows them) do the same one volume or many at a time. Deleting "
        "pods, jobs or deployments (which controllers and manifests recreate) is not a finding, nor is a "
        'call with `dry_run="All"`, nor a `delete_namespace(Id=…)` of another SDK (AWS Cloud Map). Production '
        "evidence raises these to errors."
    ),
    fix=_FIX,
    flag=(
        Example(
            "from kubernetes import client, config\nconfig.load_kube_config()\nv1 = client.CoreV1Api()\n"
            'v1.delete_namespace("shop-prod")',
            flagged='v1.delete_namespace("shop-prod")',
            severity=Severity.WARNING,
            message="deletes the namespace 'shop-prod' and everything in it",
        ),
        Example(
            'from kubernetes import client\nclient.CoreV1Api().delete_namespaced_persistent_volume_claim("data-pg-0", "db")',
            message="deletes the PersistentVolumeClaim 'data-pg-0' and, under the usual `Delete` reclaim policy",
        ),
        'import kubernetes\nv1.delete_persistent_volume(name="pvc-1234")',
        Example(
            'from kubernetes import client\nv1.delete_collection_namespaced_persistent_volume_claim("ci")',
            message="deletes every PersistentVolumeClaim in the namespace",
        ),
        'from kubernetes import client\nv1.delete_collection_namespaced_persistent_volume_claim("ci", label_selector="app=pg")',
        "from kubernetes_asyncio import client\nawait v1.delete_namespace(name=ns)",
    ),
    clean=(
        'from kubernetes import client\nv1.delete_namespaced_pod("web-0", "shop")',
        'from kubernetes import client\nv1.delete_collection_namespaced_pod("ci", label_selector="job=build")',
        'from kubernetes import client\nv1.delete_namespace("shop-prod", dry_run="All")',
        'from kubernetes import client\nv1.list_namespaced_persistent_volume_claim("db")',
        'import boto3\nboto3.client("servicediscovery").delete_namespace(Id="ns-123")',
        'admin.delete_namespace("tenant/ns")',
        'v1.delete_namespaced_persistent_volume_claim("data-pg-0", "db")',
    ),
    check=check,
    escalates=True,
    keywords=(
        "delete_namespace",
        "delete_namespaced_persistent_volume_claim",
        "delete_persistent_volume",
        "delete_collection_namespaced_persistent_volume_claim",
        "delete_collection_persistent_volume",
    ),
    precision="high",
    tags=("data-loss", "cluster"),
)
