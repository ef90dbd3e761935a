"""Shell frontend: a script (or a one-line command) as the list of commands it runs, disguises removed.

tree-sitter-bash reads the text (`syntax_steps`), words get their values with exact offsets
(`word_values`), and every command is normalised (`unwrapped_commands`): wrappers unwrapped, strings
run by another shell parsed in turn, environment and variables carried along. Rules read
`document.commands`, each command with its program, arguments, environment and the commands before
it; production evidence comes from `document.evidence(command)`, and SQL that reaches a database
client becomes an embedded SQL source (`embedded_sql`), inline Python (`python3 -c`) an embedded
Python source (`embedded_python`), and a script run by name (`bash x.sh`, `./x`, `source x`) is read
from disk and checked whole (`script_files`); what cannot be read is `document.unverified(command)`.

Only tree-sitter is imported here: a shell command without SQL is checked without loading sqlglot.
"""

from __future__ import annotations

import bisect
from functools import cached_property, partial

from blastguard.frontends.base import Document, Frontend, Problem
from blastguard.frontends.shell.embedded_python import python_children
from blastguard.frontends.shell.embedded_sql import sql_children
from blastguard.frontends.shell.production import evidence
from blastguard.frontends.shell.script_files import PROGRAM_INTERPRETERS, Unverified, script_runs
from blastguard.frontends.shell.syntax_steps import Layer, new_parser
from blastguard.frontends.shell.syntax_steps import parse as parse_script
from blastguard.frontends.shell.unwrapped_commands import Command, Normaliser, Session
from blastguard.records import factory, record
from blastguard.sources import PYTHON_INTERPRETER, Embedded, Source
from blastguard.textindex import LineIndex

# Programs whose literal input `decoded_payloads` decodes when a shell runs their output.
DECODERS = frozenset({"base64", "basenc", "xxd", "openssl"})


@record(kw_only=True, identity=True)
class ShellDocument(Document):
    commands: list[Command]  # in the order they run, including those inside `bash -c`, `eval`, `$(…)`
    _evidence: dict[int, tuple[str, ...]] = factory(dict)

    @property
    def text(self) -> str:
        return self.source.text

    def earlier(self, command: Command, *programs: str) -> list[Command]:
        """The commands of `programs` that the script runs before `command`, in order."""
        found = []
        for program in programs:
            runs = self._by_program.get(program, [])
            found += runs[: bisect.bisect_left(runs, command.index, key=lambda c: c.index)]
        return sorted(found, key=lambda c: c.index) if len(programs) > 1 else found

    @cached_property
    def _by_program(self) -> dict[str, list[Command]]:
        """Commands by program, so looking back through a long script stays cheap."""
        index: dict[str, list[Command]] = {}
        for command in self.commands:
            index.setdefault(command.program, []).append(command)
        return index

    def evidence(self, command: Command) -> tuple[str, ...]:
        """Production evidence on the command itself (the document's own context is added by the engine)."""
        if command.index not in self._evidence:
            earlier = partial(self.earlier, command)
            self._evidence[command.index] = evidence(command, earlier, self.source.context.names)
        return self._evidence[command.index]

    @cached_property
    def _runs(self) -> tuple[list[Embedded], list[Unverified], set[int]]:
        """Scripts run by name, inline programs of other interpreters and decoded payloads: read once,
        for the children, what could not be read, and the commands whose unknown input is now known."""
        children, unverified = script_runs(self)
        resolved: set[int] = set()
        programs = {c.program for c in self.commands}
        if programs & PROGRAM_INTERPRETERS or any(PYTHON_INTERPRETER.fullmatch(p) for p in programs):
            from blastguard.frontends.shell.inline_programs import interpreter_runs  # only for such a command

            more_children, more_unverified = interpreter_runs(self)
            children, unverified = children + more_children, unverified + more_unverified
        if programs & DECODERS:
            from blastguard.frontends.shell.decoded_payloads import decoded_runs

            more_children, resolved = decoded_runs(self)
            children = children + more_children
        return children, unverified, resolved

    def unverified(self, command: Command) -> list[Unverified]:
        """What `command` runs that could not be read or checked (SH900 reports it)."""
        return [u for u in self._runs[1] if u[0] == command.index]

    def decoded(self, command: Command) -> bool:
        """Whether the unknown script `command` runs was decoded from a literal and checked."""
        return command.index in self._runs[2]

    def children(self) -> list[Embedded]:
        return sql_children(self) + python_children(self) + self._runs[0]


class ShellFrontend(Frontend):
    language = "shell"
    embeds = ("sql", "python", "shell")

    def __init__(self) -> None:
        self.parser = new_parser()

    @classmethod
    def from_config(cls, config) -> ShellFrontend:
        return cls()

    def parse(self, source: Source, wanted=None) -> ShellDocument:
        """Parse `source`; every command is kept, since SQL and scripts may hide in any of them."""
        script = parse_script(self.parser, Layer(source.text))
        env = dict(source.context.env)
        normaliser = Normaliser(self.parser, source.context.names, source.context.agent)
        normaliser.run(script, Session(dict(env), set(env), defaults=not source.context.agent))
        # (a part read again, with other values a variable may hold, repeats its problems)
        problems = [Problem(*problem) for problem in sorted(set(script.problems + normaliser.problems))]
        return ShellDocument(
            source=source,
            index=LineIndex(source.text),
            commands=normaliser.commands,
            comments=script.comments,
            problems=problems,
        )
