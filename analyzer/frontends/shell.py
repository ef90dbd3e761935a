"""Shell frontend: a script (or a one-line command) as the list of commands it runs, disguises removed.

tree-sitter-bash reads the text (`shell_syntax`), words get their values with exact offsets
(`shell_words`), and every command is normalised (`shell_commands`): wrappers unwrapped, strings
run by another shell parsed in turn, environment and variables carried along. Rules read
`document.commands`, each command with its program, arguments, environment and the commands before
it; production evidence comes from `document.evidence(command)`, and SQL that reaches a database
client becomes an embedded SQL source (`shell_sql`), inline Python (`python3 -c`) an embedded
Python source (`shell_python`), and a script run by name (`bash x.sh`, `./x`, `source x`) is read
from disk and checked whole (`shell_scripts`); what cannot be read is `document.unverified(command)`.

Only tree-sitter is imported here: a shell command without SQL is checked without loading sqlglot.
"""

from __future__ import annotations

import bisect
from functools import cached_property, partial

from blastguard.frontends import Comment
from blastguard.frontends.shell_commands import Command, Normaliser, Session
from blastguard.frontends.shell_production import evidence
from blastguard.frontends.shell_python import python_children
from blastguard.frontends.shell_scripts import PROGRAM_INTERPRETERS, Unverified, script_runs
from blastguard.frontends.shell_sql import sql_children
from blastguard.frontends.shell_syntax import Layer, new_parser
from blastguard.frontends.shell_syntax import parse as parse_script
from blastguard.records import Record
from blastguard.sources import PYTHON_INTERPRETER, Embedded, Source
from blastguard.textindex import LineIndex


# Programs whose literal input `shell_decoded` decodes when a shell runs their output.
DECODERS = frozenset({"base64", "basenc", "xxd", "openssl"})


class ShellDocument(Record):
    __slots__ = ("source", "index", "commands", "comments", "problems", "_evidence", "__dict__")

    def __init__(self, source: Source, index: LineIndex, commands: list[Command], comments: list[Comment],
                 problems: list[tuple[int, int, str]]) -> None:
        self.source = source
        self.index = index
        self.commands = commands  # in the order they run, including those inside `bash -c`, `eval`, `$(…)`
        self.comments = comments
        self.problems = problems
        self._evidence: dict[int, tuple[str, ...]] = {}

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
            from blastguard.frontends.shell_interpreters import interpreter_runs  # only for such a command

            more_children, more_unverified = interpreter_runs(self)
            children, unverified = children + more_children, unverified + more_unverified
        if programs & DECODERS:
            from blastguard.frontends.shell_decoded import decoded_runs

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


class ShellFrontend:
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
        normaliser = Normaliser(self.parser, source.context.names)
        normaliser.run(script, Session(dict(env), set(env)))
        problems = sorted(script.problems + normaliser.problems)
        return ShellDocument(source, LineIndex(source.text), normaliser.commands, script.comments, problems)
