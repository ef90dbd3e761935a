"""Ansible playbooks and task files: the commands their tasks run on the managed hosts.

A playbook is a list of plays (`hosts:` with `tasks`, `pre_tasks`, `post_tasks`, `handlers`); a task
file (a role's `tasks/main.yml`) is a list of tasks; `block` / `rescue` / `always` nest tasks. Read:
- `shell:` (a string, or `cmd:`) and `raw:` as shell;
- `command:` (a string or `cmd:`) as a command line, and its `argv:` list rebuilt into one; the command
  module runs no shell, but its program and arguments are judged the same way;
- `file:` with `state: absent`, which deletes its `path` recursively: read as the `rm -rf <path>` it
  amounts to, so the shell rules judge the path. `rm -rf ` stands at the module's name, the path at
  its value, so a finding lands on the task.
Jinja (`{{ var }}`, `{% … %}`) is filled in before the module runs: one plain word of equal length. A
play whose `hosts:` names a production group makes its tasks production; `environment:` (of a play,
a block, a task) is their environment. A list that is neither plays nor tasks is not Ansible: nothing
in it is read.
"""

from __future__ import annotations

import re
import shlex

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
    scalar_code as _scalar_code,
)
from blastguard.frontends.yaml_nodes import (
    script as _script,
)
from blastguard.sources import Embedded, Source

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_PLAY_KEYS = ("hosts", "import_playbook", "ansible.builtin.import_playbook")
_TASK_LISTS = ("pre_tasks", "tasks", "post_tasks", "handlers")
_NESTED = ("block", "rescue", "always")
_PREFIXES = ("", "ansible.builtin.", "ansible.legacy.")
_SHELL_MODULES = frozenset(p + m for p in _PREFIXES for m in ("shell", "raw"))
_COMMAND_MODULES = frozenset(p + "command" for p in _PREFIXES)
_FILE_MODULES = frozenset(p + "file" for p in _PREFIXES)
_PATH_KEYS = ("path", "dest", "name")
_FREE_FORM_PARAMETER = re.compile(r"(\w+)=(\"[^\"]*\"|'[^']*'|\S+)")
_SAFE_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


class AnsibleFrontend(_WorkflowFrontend):
    language = "ansible"
    host_name = "Ansible file"
    unparsed_is_unchecked = True
    root_kind = yaml.SequenceNode

    def scripts(self, root, source):
        items = [item for item in root.value if isinstance(item, yaml.MappingNode)]
        if any(_get(item, key) is not None for item in items for key in _PLAY_KEYS):
            for play in items:
                context = source.context.with_env(_env(_get(play, "environment")))
                hosts = _hosts(_get(play, "hosts"))
                production = [h for h in hosts if source.context.names.matches(h)]
                if production:
                    context = context.with_production(f"the play runs on hosts '{production[0]}'")
                for key in _TASK_LISTS:
                    yield from _tasks(_get(play, key), source, context)
        else:
            yield from _tasks(root, source, source.context)


def _hosts(node) -> list[str]:
    """`hosts: production`, `hosts: prod:&web`, `hosts: [db, web]`: the group names it targets."""
    values = [node] if isinstance(node, yaml.ScalarNode) else getattr(node, "value", [])
    names = [v.value for v in values if isinstance(v, yaml.ScalarNode) and isinstance(v.value, str)]
    return [part.lstrip("&!") for name in names for part in re.split(r"[:,]", name) if part.strip("&! ")]


def _tasks(node, source, context):
    for task in node.value if isinstance(node, yaml.SequenceNode) else []:
        if not isinstance(task, yaml.MappingNode):
            continue
        task_context = context.with_env(_env(_get(task, "environment")))
        for key in _NESTED:
            yield from _tasks(_get(task, key), source, task_context)
        for key, value in _items(task):
            if key.value in _SHELL_MODULES or key.value in _COMMAND_MODULES:
                found = _command(key, value, source, task_context)
            elif key.value in _FILE_MODULES:
                found = _deletion(key, value, task, source, task_context)
            else:
                continue
            if found is not None:
                yield found


def _command(key, value, source, context) -> Embedded | None:
    text = value if isinstance(value, yaml.ScalarNode) else _get(value, "cmd")
    if isinstance(text, yaml.ScalarNode) and text.value.strip():
        return _script(text, source, context, _JINJA)
    argv = _get(value, "argv") if key.value in _COMMAND_MODULES else None
    if isinstance(argv, yaml.SequenceNode) and argv.value and all(isinstance(a, yaml.ScalarNode) for a in argv.value):
        words = [_JINJA.sub(lambda m: "X" * len(m.group(0)), a.value) for a in argv.value]
        line = shlex.join(words)  # rebuilt: every finding in it points at the whole list
        return Embedded(Source(source.path, line, "shell", context), [], (argv.start_mark.index, argv.end_mark.index))
    return None


def _deletion(key, value, task, source, context) -> Embedded | None:
    """`file: {path: …, state: absent}` (or `file: path=… state=absent`): the `rm -rf` it amounts to."""
    text = source.text
    if isinstance(value, yaml.MappingNode):
        state = _scalar(_get(value, "state"))
        path = next((p for p in (_get(value, k) for k in _PATH_KEYS) if isinstance(p, yaml.ScalarNode)), None)
        if state != "absent" or path is None:
            return None
        code, offsets = _scalar_code(path, text)
        if offsets is None:
            offsets = [path.start_mark.index] * len(code) + [path.end_mark.index]
    elif isinstance(value, yaml.ScalarNode):
        code, value_offsets = _scalar_code(value, text)
        if value_offsets is None:
            return None
        parameters = {m.group(1): m for m in _FREE_FORM_PARAMETER.finditer(code)}
        state_match = parameters.get("state")
        path_match = next((parameters[k] for k in _PATH_KEYS if k in parameters), None)
        if state_match is None or state_match.group(2).strip("\"'") != "absent" or path_match is None:
            return None
        start, end = path_match.span(2)
        if path_match.group(2)[:1] in "\"'":
            start, end = start + 1, end - 1
        code, offsets = code[start:end], value_offsets[start : end + 1]
    else:
        return None
    code = _JINJA.sub(lambda m: "X" * len(m.group(0)), code)
    if not code.strip():
        return None
    key_start, key_end = key.start_mark.index, key.end_mark.index
    if not _SAFE_WORD.fullmatch(code):  # quoted as one word: every finding points from the module to the path
        line = "rm -rf " + shlex.quote(code)
        return Embedded(Source(source.path, line, "shell", context), [], (key_start, offsets[-1]))
    offsets = [key_start] * 7 + offsets[: len(code)]
    ends = [key_end] * 7 + [o + 1 for o in offsets[7:]]
    return Embedded(
        Source(source.path, "rm -rf " + code, "shell", context), offsets + [ends[-1]], None, ends + [ends[-1]]
    )
