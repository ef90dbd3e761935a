"""Compose files (`docker-compose.yml`, `compose.yaml`, `docker-compose.prod.yml`): what each service's
container runs when it starts, its `entrypoint` followed by its `command`, and its healthcheck's `test`.

A string is a command line; a list is the program and its arguments, where `["sh", "-c", "…"]` hands
the script to the shell (command_words). Compose turns `$$` into `$` before the container sees it. A
compose file named for production (`docker-compose.prod.yml`) or a service named for it runs there;
a service's `environment:` is its environment.
"""

from __future__ import annotations

import os
import re

import yaml

from blastguard.frontends.command_words import embedded, program_source
from blastguard.frontends.yaml_nodes import YamlHostFrontend, get, items, piece, pieces, scalar, sequence

_DOLLAR_ESCAPE = re.compile(r"\$\$")


class ComposeFrontend(YamlHostFrontend):
    language = "docker-compose"
    what = "The compose file"

    def scripts(self, roots, source):
        base = os.path.basename(source.path.replace(os.sep, "/"))
        context = source.context
        if context.names.matches(base):
            context = context.with_production(f"compose file {base} is named for production")
        for root in roots:
            for name, service in items(get(root, "services")):
                service_context = context.with_env(_environment(get(service, "environment")))
                if context.names.matches(name.value):
                    service_context = service_context.with_production(f"service '{name.value}' is named for production")
                yield from _started(service, source, service_context)
                test = get(get(service, "healthcheck"), "test")
                yield from _healthcheck(test, source, service_context)


def _started(service, source, context):
    """What the container runs: the entrypoint, with the command as its arguments when both are lists."""
    entrypoint, command = get(service, "entrypoint"), get(service, "command")
    if isinstance(entrypoint, yaml.ScalarNode) and entrypoint.value:
        yield _line(entrypoint, source, context)  # a string entrypoint runs alone, without the command
        return
    first = _words(entrypoint, source.text) or []
    if not first and isinstance(command, yaml.ScalarNode) and command.value:
        yield _line(command, source, context)
        return
    words = first + (_words(command, source.text) or [])
    if words:
        found = program_source(words, source, context, (words[0].start or 0, words[-1].end or 0))
        if found is not None:
            yield found


def _healthcheck(test, source, context):
    """`test: curl -f …` or `["CMD-SHELL", "…"]` is a command line; `["CMD", program, …]` a program."""
    if isinstance(test, yaml.ScalarNode) and test.value:
        yield _line(test, source, context)
        return
    words = _words(test, source.text)
    if not words or len(words) < 2:
        return
    kind = words[0].value
    if kind == "CMD-SHELL":
        yield embedded(words[1], source.replace(language="shell", context=context), (words[1].start or 0, 0))
    elif kind == "CMD":
        found = program_source(words[1:], source, context, (words[1].start or 0, words[-1].end or 0))
        if found is not None:
            yield found


def _line(node: yaml.ScalarNode, source, context):
    word = piece(node, source.text).replace(_DOLLAR_ESCAPE, lambda _: "$")
    return embedded(
        word, source.replace(language="shell", context=context), (node.start_mark.index, node.end_mark.index)
    )


def _words(node, text: str):
    words = pieces(node, text)
    return [word.replace(_DOLLAR_ESCAPE, lambda _: "$") for word in words] if words else words


def _environment(node) -> dict[str, str]:
    """`environment: {KEY: value}` or `["KEY=value"]`."""
    if isinstance(node, yaml.MappingNode):
        return {k.value: v.value for k, v in items(node) if isinstance(v, yaml.ScalarNode)}
    pairs = (scalar(entry) or "" for entry in sequence(node))
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)
