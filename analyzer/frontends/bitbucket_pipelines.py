"""Bitbucket Pipelines `bitbucket-pipelines.yml`: each step's `script` and `after-script` lines are shell.

Steps are read under `pipelines` (`default`, and each pattern of `branches`, `tags`, `pull-requests`,
`custom`), also inside `parallel:` groups and `stage:`s. A step (or its stage) with a `deployment:`
named like production makes its scripts production. A step shared through a YAML anchor is read once,
where it is written; a merge key (`<<: *deploy`) is followed.
"""

from __future__ import annotations

import yaml

from blastguard.frontends.workflows import _script_lines, _WorkflowFrontend
from blastguard.frontends.yaml_nodes import get as _get
from blastguard.frontends.yaml_nodes import items as _items
from blastguard.frontends.yaml_nodes import scalar as _scalar
from blastguard.frontends.yaml_nodes import script as _script

_PATTERNED = ("branches", "tags", "pull-requests", "custom")


class BitbucketPipelinesFrontend(_WorkflowFrontend):
    language = "bitbucket-pipelines"
    host_name = "Bitbucket pipeline"
    unparsed_is_unchecked = True

    def scripts(self, root: yaml.MappingNode, source):
        pipelines = _get(root, "pipelines")
        lists = [_get(pipelines, "default")]
        lists += [pipeline for kind in _PATTERNED for _, pipeline in _items(_get(pipelines, kind))]
        # A script reached twice through an alias is read once, in the most dangerous place it runs.
        found: dict[int, tuple] = {}
        for items in lists:
            for line, context in _items_scripts(items, source, source.context, None):
                if id(line) not in found or (context.production and not found[id(line)][1].production):
                    found[id(line)] = (line, context)
        for line, context in found.values():
            yield _script(line, source, context, None)


def _items_scripts(items, source, context, deployment):
    """(script line, context) of a pipeline's list of steps, parallel groups and stages."""
    for item in items.value if isinstance(items, yaml.SequenceNode) else []:
        step = _lookup(item, "step")
        if isinstance(step, yaml.MappingNode):
            yield from _step_scripts(step, source, context, deployment)
        parallel = _lookup(item, "parallel")
        if isinstance(parallel, yaml.MappingNode):  # `parallel: {fail-fast: true, steps: […]}`
            parallel = _lookup(parallel, "steps")
        yield from _items_scripts(parallel, source, context, deployment)
        stage = _lookup(item, "stage")
        if isinstance(stage, yaml.MappingNode):
            stage_deployment = _scalar(_lookup(stage, "deployment")) or deployment
            yield from _items_scripts(_lookup(stage, "steps"), source, context, stage_deployment)


def _step_scripts(step, source, context, deployment):
    deployment = _scalar(_lookup(step, "deployment")) or deployment
    if deployment and source.context.names.matches(deployment):
        name = _scalar(_lookup(step, "name")) or "a step"
        context = context.with_production(f"{name} deploys to '{deployment}'")
    for section in ("script", "after-script"):
        for line in _script_lines(_lookup(step, section)):
            if isinstance(line, yaml.ScalarNode):
                yield line, context
            # `- pipe: atlassian/…` entries are containers with variables, not shell: not read


def _lookup(node, key: str):
    """`_get`, following YAML merge keys (`<<: *anchor`, `<<: [*a, *b]`) when the key is not written."""
    found = _get(node, key)
    if found is not None or not isinstance(node, yaml.MappingNode):
        return found
    for k, value in node.value:
        if isinstance(k, yaml.ScalarNode) and k.tag == "tag:yaml.org,2002:merge":
            for merged in value.value if isinstance(value, yaml.SequenceNode) else [value]:
                found = _lookup(merged, key)
                if found is not None:
                    return found
    return None
