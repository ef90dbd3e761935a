"""Kubernetes manifests (any YAML whose documents are Kubernetes objects, Helm's rendered output
included): what each container of a workload runs, its `command` followed by its `args`, and the
commands of its lifecycle hooks and exec probes.

Pods, and the pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs
(and of any object that keeps one at `spec.template`), init containers included. `["sh", "-c", "…"]`
hands the script to the shell; any other list is the program and its arguments (command_words).
Kubernetes fills `$(NAME)` in from the container's `env` before the program sees it: such a reference
becomes one plain word of the same length. A namespace named for production is the context.
"""

from __future__ import annotations

import re

import yaml

from blastguard.frontends.command_words import program_source
from blastguard.frontends.yaml_nodes import YamlHostFrontend, get, pieces, scalar, sequence

_REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")
_CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
# Where a container names commands to exec besides its own: lifecycle hooks and exec probes.
_HANDLERS = (
    ("lifecycle", "postStart"),
    ("lifecycle", "preStop"),
    ("livenessProbe",),
    ("readinessProbe",),
    ("startupProbe",),
)


class KubernetesFrontend(YamlHostFrontend):
    language = "kubernetes"
    what = "The Kubernetes manifest"

    def scripts(self, roots, source):
        for root in roots:
            for manifest in [root, *sequence(get(root, "items"))]:  # a `kind: List` holds objects
                yield from _object(manifest, source)


def _object(manifest, source):
    kind = scalar(get(manifest, "kind")) or "object"
    name = scalar(get(get(manifest, "metadata"), "name")) or ""
    context = source.context
    namespace = scalar(get(get(manifest, "metadata"), "namespace"))
    if namespace and context.names.matches(namespace):
        what = f"{kind} {name}" if name else kind
        context = context.with_production(f"{what} is in namespace '{namespace}'")
    for pod in _pod_specs(manifest):
        for containers in _CONTAINER_LISTS:
            for container in sequence(get(pod, containers)):
                yield from _container(container, source, context)


def _pod_specs(manifest):
    """The pod specs an object holds: a Pod's own, a workload's template, a CronJob's job template."""
    spec = get(manifest, "spec")
    found = [spec, get(get(spec, "template"), "spec")]
    found.append(get(get(get(get(spec, "jobTemplate"), "spec"), "template"), "spec"))
    return [pod for pod in found if isinstance(pod, yaml.MappingNode)]


def _container(container, source, context):
    variables = {
        scalar(get(entry, "name")): scalar(get(entry, "value")) or "" for entry in sequence(get(container, "env"))
    }
    variables.pop(None, None)
    context = context.with_env({k: v for k, v in variables.items() if k})

    def filled(words):
        """`$(NAME)` of a variable the container defines: the value Kubernetes puts there, as one word."""
        return [
            word.replace(_REFERENCE, lambda m: "X" * len(m.group(0)) if m.group(1) in variables else m.group(0))
            for word in words
        ]

    command = pieces(get(container, "command"), source.text)
    if command:  # without a command the image's entrypoint runs, which the manifest does not say
        words = filled(command + (pieces(get(container, "args"), source.text) or []))
        found = program_source(words, source, context, (words[0].start or 0, words[-1].end or 0))
        if found is not None:
            yield found
    for path in _HANDLERS:
        handler = container
        for key in path:
            handler = get(handler, key)
        words = pieces(get(get(handler, "exec"), "command"), source.text)
        if words:
            found = program_source(filled(words), source, context, (words[0].start or 0, words[-1].end or 0))
            if found is not None:
                yield found
