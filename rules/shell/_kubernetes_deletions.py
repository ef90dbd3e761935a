"""What a `kubectl delete` (or `oc delete`), a `helm uninstall` and an `argocd app delete` remove, as SH501
reads them.

Each reader returns (message, names) for a command that loses data, or None. Deleting a pod, a
deployment or a service is everyday work (a controller brings pods back; the data lives in volumes),
so only what holds data or reaches wide is read: namespaces, volumes and their claims, custom
resource definitions, whatever manifests declare (`-f`, `-k`), `--all` and every namespace.
"""

from __future__ import annotations

from blastguard.frontends.shell.program_options import GLOBAL_OPTIONS, Syntax, options, parse

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from blastguard.frontends.shell.program_options import Argv
    from blastguard.frontends.shell.unwrapped_commands import Command

_NAMESPACE = "the namespace and everything in it"
_VOLUME = "the persistent volume"
_CLAIM = "the persistent volume claim (and, usually, its volume)"
_DEFINITION = "the custom resource definition and every custom resource of its kind, in every namespace"
# Resources whose deletion loses data, by every name kubectl accepts for them.
_KUBERNETES = {
    **dict.fromkeys(("namespace", "namespaces", "ns"), _NAMESPACE),
    **dict.fromkeys(("pv", "persistentvolume", "persistentvolumes"), _VOLUME),
    **dict.fromkeys(("pvc", "persistentvolumeclaim", "persistentvolumeclaims"), _CLAIM),
    **dict.fromkeys(("crd", "crds", "customresourcedefinition", "customresourcedefinitions"), _DEFINITION),
}
# An OpenShift project is a namespace.
_OPENSHIFT = {**_KUBERNETES, **dict.fromkeys(("project", "projects"), "the project (a namespace) and everything in it")}
_KUBECTL_DELETE = Syntax(GLOBAL_OPTIONS["kubectl"].takes_value | options("-k", "--kustomize", "--raw"))
_MANIFESTS = ("-f", "--filename", "-k", "--kustomize")

# `helm uninstall` and the names Helm accepts for it (`delete` is Helm 2's).
_UNINSTALL = frozenset({"uninstall", "delete", "del", "un"})
_HELM_UNINSTALL = Syntax(GLOBAL_OPTIONS["helm"].takes_value | options("--timeout", "--description", "--cascade"))
_HELM_LOSS = (
    "the release and every resource its chart created: Deployments, Services, Secrets, ConfigMaps, and any "
    "PersistentVolumeClaim the chart declares itself, with its volume where the reclaim policy is Delete "
    "(claims made from a StatefulSet's volumeClaimTemplates, and resources marked "
    "`helm.sh/resource-policy: keep`, stay)"
)


def kubectl(command: Command) -> tuple[str, list[str]] | None:
    argv = parse(command.words[1:], _KUBECTL_DELETE)[0]
    words = argv.positionals
    if not words or words[0].value != "delete" or _kubectl_dry_run(argv):
        return None
    kinds, names = [], []
    for word in words[1:]:
        kind, slash, name = word.value.partition("/")
        if slash:
            kinds.append(_kind(kind))
            names.append(name)
        elif not kinds:
            kinds += [_kind(k) for k in word.value.split(",")]
        else:
            names.append(word.value)
    losses = _OPENSHIFT if command.program == "oc" else _KUBERNETES
    lost = [losses[k] for k in kinds if k in losses]
    manifests = argv.values(*_MANIFESTS)
    every = argv.has("--all", "-A", "--all-namespaces")
    scope = "every namespace" if argv.has("-A", "--all-namespaces") else "the namespace"
    if lost and not every:
        what = lost[0]
        shown = [*kinds[:1], *names[:1]]
    elif manifests:
        what = "every resource those manifests declare (a namespace, a volume claim or a custom resource among them with its data)"
        option = next(o.name for o in argv.options if o.name in _MANIFESTS)
        shown = [option, manifests[0].value]
        names = [m.value for m in manifests]
    elif every:
        named = ", ".join(k for k in kinds if k != "all")  # `all` is kubectl's name for every common kind
        what = f"all {named or 'resources'} in {scope}" + (" and the data they hold" if lost else "")
        shown = [*kinds[:1], *names[:1]]
    else:
        return None
    return f"`{' '.join((command.program, 'delete', *shown))}` removes {what}.", names


def helm(command: Command) -> tuple[str, list[str]] | None:
    argv = parse(command.words[1:], _HELM_UNINSTALL)[0]
    words = [w.value for w in argv.positionals]
    if not words or words[0] not in _UNINSTALL or _helm_dry_run(argv):
        return None
    releases = words[1:]
    shown = " ".join(("helm", words[0], *releases[:1]))
    return f"`{shown}` removes {_HELM_LOSS}.", releases


# `argocd app delete` cascades by default: the application's Kubernetes resources go with it.
_ARGOCD_DELETE = Syntax(
    GLOBAL_OPTIONS["argocd"].takes_value
    | options("-p", "--propagation-policy", "-l", "--selector", "-N", "--app-namespace")
)
_ARGOCD_LOSS = (
    "the application and, cascading, every Kubernetes resource it manages (a namespace, a volume claim or a "
    "custom resource among them with its data)"
)


def argocd(command: Command) -> tuple[str, list[str]] | None:
    argv = parse(command.words[1:], _ARGOCD_DELETE)[0]
    words = [w.value for w in argv.positionals]
    if words[:2] not in (["app", "delete"], ["apps", "delete"]) or not _cascades(argv):
        return None
    apps = words[2:] or [w.value for w in argv.values("-l", "--selector")]
    shown = " ".join(("argocd app delete", *apps[:1]))
    return f"`{shown}` removes {_ARGOCD_LOSS}.", apps


def _cascades(argv: Argv) -> bool:
    """`--cascade` is on unless the last one given says `=false` (an unknown value may cascade)."""
    given = [o for o in argv.options if o.name == "--cascade"]
    if not given or given[-1].value is None:
        return True
    value = given[-1].value
    return not value.literal or value.value not in _DELETES - {"none"}


def _kind(name: str) -> str:
    """`customresourcedefinitions.apiextensions.k8s.io` is a `customresourcedefinitions`; case does not count."""
    return name.lower().split(".", 1)[0]


# Go's ParseBool false, and kubectl's `--dry-run=none`: values that still delete.
_DELETES = frozenset({"none", "false", "False", "FALSE", "f", "F", "0"})


def _kubectl_dry_run(argv: Argv) -> bool:
    """`--dry-run`, `=client`, `=server` or `=true` deletes nothing; `=none`, `=false` or an unknown value may."""
    given = [o for o in argv.options if o.name == "--dry-run"]
    if not given:
        return False
    value = given[-1].value  # a bare `--dry-run` is the old spelling of `--dry-run=client`
    return value is None or (value.literal and value.value not in _DELETES)


def _helm_dry_run(argv: Argv) -> bool:
    """`helm uninstall --dry-run` (a boolean: `=false` or an unknown value still uninstalls)."""
    given = [o for o in argv.options if o.name == "--dry-run"]
    if not given:
        return False
    value = given[-1].value
    return value is None or (value.literal and value.value not in _DELETES - {"none"})
