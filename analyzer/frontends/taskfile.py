"""Taskfiles (go-task, `Taskfile.yml`): each task's `cmds` (a string, or `cmd:` / `defer:` of an entry),
its `cmd`, and the `status` and `preconditions` checks are shell that `task` runs, as are the `sh:`
values of dynamic variables, which run when the file is read.

Go templates (`{{.DIR}}`) are filled in before the shell sees the command: each becomes one plain word
of the same length, so positions still match the file. A task named for production (`deploy:prod`) runs
there: that is its context; the file's and the task's `env:` are its environment.
"""

from __future__ import annotations

import re

import yaml

from blastguard.frontends.yaml_nodes import YamlHostFrontend, env, get, items, script, sequence

_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.DOTALL)


class TaskfileFrontend(YamlHostFrontend):
    language = "taskfile"
    what = "The Taskfile"

    def scripts(self, roots, source):
        for root in roots:
            file_env = env(get(root, "env"))
            context = source.context.with_env(file_env)
            yield from _dynamic_variables(get(root, "vars"), source, context)
            for name, task in items(get(root, "tasks")):
                task_context = source.context.with_env({**file_env, **env(get(task, "env"))})
                if source.context.names.matches(name.value):
                    task_context = task_context.with_production(f"task '{name.value}' is named for production")
                for node in _commands(task):
                    yield script(node, source, task_context, _TEMPLATE)
                yield from _dynamic_variables(get(task, "vars"), source, task_context)


def _commands(task):
    """The scalars of a task that the shell runs."""
    if isinstance(task, yaml.ScalarNode):  # `build: go build ./...`
        yield task
        return
    if isinstance(task, yaml.SequenceNode):  # `build: [go vet, go build]`
        task = yaml.MappingNode("tag:yaml.org,2002:map", [(yaml.ScalarNode("", "cmds"), task)])
    cmd = get(task, "cmd")
    if isinstance(cmd, yaml.ScalarNode):
        yield cmd
    for section in ("cmds", "status", "preconditions"):
        for entry in sequence(get(task, section)):
            if isinstance(entry, yaml.ScalarNode):
                yield entry
            for key in ("cmd", "defer", "sh"):  # `- task: other` calls a task, read where it is defined
                value = get(entry, key)
                if isinstance(value, yaml.ScalarNode):
                    yield value


def _dynamic_variables(variables, source, context):
    """`vars: {NAME: {sh: command}}`: the command runs as the Taskfile is read."""
    for _, value in items(variables):
        command = get(value, "sh")
        if isinstance(command, yaml.ScalarNode):
            yield script(command, source, context, _TEMPLATE)
