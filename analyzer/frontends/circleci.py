"""CircleCI `.circleci/config.yml`: the `run` steps of jobs and of reusable commands are shell.

A step is `run: <command>` or `run: {command: …, environment: …}`; `commands:` defines steps that
jobs call by name, read where they are defined. `environment:` values (of a job, a command's step)
are the script's environment; a workflow that runs a job under a context named like production
(`context: production`) makes that job's scripts production.
"""

from __future__ import annotations

import re

import yaml

from blastguard.frontends.workflows import _WorkflowFrontend
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

# Pipeline values and parameters are filled in before the shell runs: one plain word of equal length.
_PIPELINE_VALUE = re.compile(r"<<\s*[^<>\n]*?\s*>>")
_SHELL_PROGRAMS = {"bash", "sh"}


class CircleCIFrontend(_WorkflowFrontend):
    language = "circleci"
    host_name = "CircleCI configuration"
    unparsed_is_unchecked = True

    def scripts(self, root: yaml.MappingNode, source):
        production = _production_jobs(root, source)
        for _, command in _items(_get(root, "commands")):
            yield from _steps(_get(command, "steps"), source, source.context)
        for key, job in _items(_get(root, "jobs")):
            if not isinstance(job, yaml.MappingNode):
                continue
            context = source.context.with_env(_env(_get(job, "environment")))
            if key.value in production:
                context = context.with_production(production[key.value])
            yield from _steps(_get(job, "steps"), source, context)
        # A workflow may add steps before and after a job it runs: they run where the job runs.
        for _, workflow in _items(_get(root, "workflows")):
            jobs = _get(workflow, "jobs")
            for entry in jobs.value if isinstance(jobs, yaml.SequenceNode) else []:
                for job_key, settings in _items(entry):
                    context = source.context
                    if job_key.value in production:
                        context = context.with_production(production[job_key.value])
                    for extra in ("pre-steps", "post-steps"):
                        yield from _steps(_get(settings, extra), source, context)


def _steps(steps, source, context):
    for step in steps.value if isinstance(steps, yaml.SequenceNode) else []:
        for condition in ("when", "unless"):  # `- when: {condition: …, steps: […]}`
            yield from _steps(_get(_get(step, condition), "steps"), source, context)
        run = _get(step, "run")
        if isinstance(run, yaml.ScalarNode):
            yield _script(run, source, context, _PIPELINE_VALUE)
        elif isinstance(run, yaml.MappingNode):
            shell = (_scalar(_get(run, "shell")) or "bash").split()[0].rsplit("/", 1)[-1]
            command = _get(run, "command")
            if isinstance(command, yaml.ScalarNode) and shell in _SHELL_PROGRAMS:
                step_context = context.with_env(_env(_get(run, "environment")))
                yield _script(command, source, step_context, _PIPELINE_VALUE)


def _production_jobs(root, source) -> dict[str, str]:
    """Jobs a workflow runs under a context named like production: job name -> the evidence."""
    found: dict[str, str] = {}
    for workflow_key, workflow in _items(_get(root, "workflows")):
        jobs = _get(workflow, "jobs")
        for entry in jobs.value if isinstance(jobs, yaml.SequenceNode) else []:
            for job_key, settings in _items(entry):  # `- deploy: {context: production}`
                contexts = _get(settings, "context")
                names = [contexts] if isinstance(contexts, yaml.ScalarNode) else getattr(contexts, "value", [])
                for name in names:
                    if isinstance(name, yaml.ScalarNode) and source.context.names.matches(name.value):
                        found.setdefault(
                            job_key.value,
                            f"workflow {workflow_key.value} runs job {job_key.value} in context '{name.value}'",
                        )
    return found
