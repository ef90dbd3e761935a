"""Azure Pipelines: the `script:` and `bash:` steps (and inline `Bash@3` tasks) are shell.

Steps are read wherever a pipeline holds them: at the top, in `jobs`, in `stages[].jobs`, and in a
deployment job's strategy (`runOnce`, `rolling`, `canary`: each lifecycle hook's steps). Macros are
replaced before the agent runs the script: `$(var)`, `${{ … }}` and `$[ … ]` become one plain word
of equal length. A deployment job whose `environment:` is named like production makes its scripts
production; `variables:` and a step's `env:` are its environment. `powershell:` / `pwsh:` are not read.
"""

from __future__ import annotations

import re

import yaml

from blastguard.frontends.workflows import _environment_name, _WorkflowFrontend
from blastguard.frontends.yaml_nodes import (
    env as _env,
)
from blastguard.frontends.yaml_nodes import (
    get as _get,
)
from blastguard.frontends.yaml_nodes import (
    items as _items,
)
from blastguard.frontends.yaml_nodes import (
    scalar as _scalar,
)
from blastguard.frontends.yaml_nodes import (
    script as _script,
)

_MACRO = re.compile(r"\$\(\s*[A-Za-z_][\w.\-]*\s*\)|\$\{\{.*?\}\}|\$\[.*?\]", re.DOTALL)
_STRATEGIES = ("runOnce", "rolling", "canary")
_LIFECYCLE_HOOKS = ("preDeploy", "deploy", "routeTraffic", "postRouteTraffic")


class AzurePipelinesFrontend(_WorkflowFrontend):
    language = "azure-pipelines"
    host_name = "Azure pipeline"
    unparsed_is_unchecked = True

    def scripts(self, root: yaml.MappingNode, source):
        context = source.context.with_env(_variables(_get(root, "variables")))
        yield from _steps(_get(root, "steps"), source, context)
        yield from _jobs(_get(root, "jobs"), source, context)
        for stage in _sequence(_get(root, "stages")):
            yield from _jobs(_get(stage, "jobs"), source, context.with_env(_variables(_get(stage, "variables"))))


def _jobs(jobs, source, context):
    for job in _sequence(jobs):
        job_context = context.with_env(_variables(_get(job, "variables")))
        yield from _steps(_get(job, "steps"), source, job_context)
        deployment = _scalar(_get(job, "deployment"))
        if deployment is None:
            continue
        environment = _environment_name(_get(job, "environment"))
        if environment and source.context.names.matches(environment):
            job_context = job_context.with_production(f"job {deployment} deploys to environment '{environment}'")
        for strategy_name in _STRATEGIES:
            strategy = _get(_get(job, "strategy"), strategy_name)
            hooks = [_get(strategy, hook) for hook in _LIFECYCLE_HOOKS]
            hooks += [value for _, value in _items(_get(strategy, "on"))]  # `on: {success: …, failure: …}`
            for hook in hooks:
                yield from _steps(_get(hook, "steps"), source, job_context)


def _steps(steps, source, context):
    for step in _sequence(steps):
        script = _get(step, "script") or _get(step, "bash")
        if script is None and (_scalar(_get(step, "task")) or "").startswith("Bash@"):
            inputs = _get(step, "inputs")
            if (_scalar(_get(inputs, "targetType")) or "").lower() == "inline":
                script = _get(inputs, "script")
        if isinstance(script, yaml.ScalarNode):
            yield _script(script, source, context.with_env(_env(_get(step, "env"))), _MACRO)


def _sequence(node) -> list:
    return node.value if isinstance(node, yaml.SequenceNode) else []


def _variables(node) -> dict[str, str]:
    """`variables:` as a mapping, or as a list of `- name: … value: …` (groups and templates are not read)."""
    if isinstance(node, yaml.SequenceNode):
        pairs = ((_scalar(_get(item, "name")), _scalar(_get(item, "value"))) for item in node.value)
        return {name: value for name, value in pairs if name is not None and value is not None}
    return _env(node)
