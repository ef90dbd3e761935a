"""Python frontend: the calls of a module that can destroy data, and the strings they execute.

libcst reads the module, but only the top-level statements that mention an execution point (and the
imports and constants those may use) are parsed (`chunks`); a module that mentions none is
not parsed at all. Rules read `document.calls`, each with its dotted name resolved through the
imports (`calls`); strings are folded to values with exact positions (`string_values`); SQL
and commands that reach an executor become embedded sources for the SQL and shell rules
(`executed_strings`); production evidence comes from where the file connects (`production`).

Scanned code is never imported or run.
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from typing import NamedTuple

import libcst as cst

from blastguard.frontends.base import Document, Frontend, Problem
from blastguard.frontends.python.alembic_migrations import AlembicMigration
from blastguard.frontends.python.calls import Call, Model, ParsedChunk
from blastguard.frontends.python.chunks import Chunk, comments, split
from blastguard.frontends.python.depth import too_deep
from blastguard.frontends.python.django_history import AppHistory
from blastguard.frontends.python.django_migrations import DjangoMigration
from blastguard.frontends.python.emptiness_guards import EmptinessGuards
from blastguard.frontends.python.executed_strings import shell_children, sql_children
from blastguard.frontends.python.in_memory import fresh_database
from blastguard.frontends.python.production import evidence
from blastguard.frontends.python.string_values import Folder
from blastguard.records import record
from blastguard.sources import Embedded, Source, reader_of
from blastguard.textindex import LineIndex

# Calls that execute, delete or drop something, whatever the file imports (`name(`, `.name(`).
_ALWAYS = (
    r"execute|executemany|executescript|execute_command|exec_driver_sql|read_sql|read_sql_query|RunSQL|"
    r"os\.system|os\.popen|os\.remove|os\.exec[lv]p?e?|create_subprocess_exec|create_subprocess_shell|rmtree|"
    r"removedirs|rmdir|unlink|delete|delete_\w+|_raw_delete|begin_delete|recursive_delete|drop|drop_\w+|DeleteModel|"
    r"RemoveField|to_sql|terminate_instances|flushall|flushdb|send_command|truncate_table|SeparateDatabaseAndState"
)
# Common names that only matter when the file uses what they belong to (plain substring tests: a
# regular expression per file here would cost more than the parse it saves).
_WHEN_USED = (
    (("subprocess",), r"run|call|check_call|check_output|Popen|getoutput|getstatusoutput"),
    (("invoke", "fabric"), r"run|sudo|local"),
    (("nox",), r"run|run_always|run_install"),
    (("sqlalchemy",), r"text|update"),
    ((".objects", "peewee", ".query("), r"update|raw"),
    (("from os import",), r"system|popen|remove|exec[lv]p?e?"),
    ((".update(",), r"AddField|RunPython"),  # a data migration filling a column it just added
    (("RunSQL",), r"AddField"),  # SQL filling a column the same migration just added
    (("pymongo", "motor", "mongo", "DeleteMany"), r"remove|bulk_write"),  # MongoDB deletes of every document
)
# Assignments of values folding may need: `NAME = "…"`, `NAME: str = f"…"`, `ARGV = [...]`, `NAME = other`.
_CONSTANT = re.compile(r"[A-Za-z_][\w.]*\s*(?::[^=\n]*)?=\s*(?:[rRbBuUfF]{0,2}['\"]|[(\[]|[A-Za-z_])")
_DICT_CONSTANT = re.compile(r"[A-Za-z_]\w*\s*(?::[^=\n]*)?=\s*\{")
_SMALL_DICT = 2048
_IMPORT = re.compile(r"(?:import|from)\s")
_SETS_ENVIRONMENT = re.compile(r"os\.(?:environ|putenv)\b")  # production evidence
# Statements only Python 2 has: `print "…"`, `exec "…"`, `except E, e:`. A match is confirmed by
# the compiler, since a docstring may hold such a line too.
_PYTHON2 = re.compile(
    r"^[ \t]*(?:print[ \t]+[\"'\w]|exec[ \t]+[\"']|except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:)", re.MULTILINE
)


def wanted_calls(text: str) -> re.Pattern:
    """Calls a rule or an embedding may read, or a suppression comment."""
    names = [_ALWAYS] + [names for marks, names in _WHEN_USED if any(mark in text for mark in marks)]
    return re.compile(r"\b(?:" + "|".join(names) + r")\s*\(|blastguard")


@record(kw_only=True, identity=True)
class PythonDocument(Document):
    model: Model
    production: tuple[str, ...] = ()  # evidence from where this file connects

    @property
    def calls(self) -> list[Call]:
        return self.model.calls

    @cached_property
    def folder(self) -> Folder:
        return Folder(self.model.binding, self.model.qualified_name, self.model.loop_iterable)

    @cached_property
    def migration(self) -> DjangoMigration:
        history = AppHistory(reader_of(self.source.context))
        return DjangoMigration(self.model, self.folder, history, _app_label(self.source.path))

    @cached_property
    def alembic(self) -> AlembicMigration:
        return AlembicMigration(self.model, self.folder)

    @cached_property
    def _emptiness(self) -> EmptinessGuards:
        return EmptinessGuards(self.model, self.folder)

    def found_empty(self, call: Call, table) -> str | None:
        """The condition of an `if` around `call` that has just found `table` empty (see `emptiness_guards`);
        None where an agent runs the code, since it could write a guard that lies."""
        return None if self.source.context.agent else self._emptiness.guard(call, table)

    def _fresh_database(self, call: Call) -> bool:
        return fresh_database(call, self.model, self.folder)

    def string(self, node, call: Call):
        """The string `node` (an argument of `call`) folds to, or None when it is not a string."""
        return self.folder.string(node, call.scope, call.chunk)

    def children(self) -> list[Embedded]:
        context = self.source.context.with_production(*self.production)
        path = self.source.path
        runs_sql = [call for call in self.calls if not self.migration.state_only(call)]
        equivalent = None  # what an operation that runs no SQL itself amounts to, for the SQL around it
        if "alembic" in self.model.imported_modules:
            equivalent = self.alembic.equivalent_sql
        elif "RunSQL" in self.source.text:
            equivalent = self.migration.equivalent_sql
        fresh = None if "attach" in self.source.text.lower() else self._fresh_database
        children = sql_children(runs_sql, self.folder, path, context, equivalent, fresh) + shell_children(
            self.calls, self.folder, self.model, path, context
        )
        # A constant executed in two places is one statement in the file: judge it once.
        unique = {(c.source.language, c.source.text, tuple(c.offsets)): c for c in children}
        return list(unique.values())


def _app_label(path: str | None) -> str | None:
    """The Django app a migration belongs to, as Django labels it by default: the folder holding its
    `migrations` package (`shop/migrations/0002_x.py` -> `shop`)."""
    parts = (path or "").replace(os.sep, "/").split("/")
    return parts[-3].lower() if len(parts) >= 3 and parts[-2] == "migrations" and parts[-3] else None


class PythonFrontend(Frontend):
    language = "python"
    embeds = ("sql", "shell")

    def parse(self, source: Source, wanted=None) -> PythonDocument:
        text = source.text
        model = Model()
        document = PythonDocument(source=source, index=LineIndex(text), model=model)
        calls = wanted_calls(text)
        if not calls.search(text):
            return document  # nothing here can execute or delete anything
        if _python2(text):
            document.problems.append(
                Problem(0, 0, "This looks like Python 2, which blastguard does not read; the file was skipped.")
            )
            return document
        document.comments = comments(text)
        chunks = split(text)
        selected = [c for c in chunks if _needed(text[c.start : c.end], c, calls)]
        parsed, failed, refused = _parse_chunks(text, selected)
        for start, end, reason in refused:
            if calls.search(text, start, end):  # it may run something: reported as not checked (BG005)
                document.unchecked.append(Problem(start, end, reason))
            else:  # it only binds values: a statement that uses them sees them as unknown
                document.problems.append(
                    Problem(
                        start, start + 1, f"A statement was not read ({reason}); the values it defines are unknown."
                    )
                )
        if failed is not None:
            # The whole text holds any refused statement, so it would be refused too.
            whole = None if refused else _parse(text, 0)
            if isinstance(whole, ParsedChunk):
                parsed, failed = [whole], None
            else:
                document.problems.append(failed if whole is None or isinstance(whole, Refused) else whole)
        for chunk in parsed:
            model.add(chunk)
        document.production = evidence(model, document.folder, source.context.names)
        return document


def _python2(text: str) -> bool:
    if not _PYTHON2.search(text):
        return False
    import ast  # only here: the C compiler confirms what the pattern suspects

    try:
        ast.parse(text)
    except SyntaxError:
        return True
    except (ValueError, RecursionError, MemoryError):
        return False
    return False


def _needed(chunk_text: str, chunk: Chunk, calls: re.Pattern) -> bool:
    """A statement is parsed when it may call something a rule reads, or binds what those calls use."""
    if calls.search(chunk_text):
        return True
    if chunk.kind != "simple":
        return False
    if _IMPORT.match(chunk_text) or _CONSTANT.match(chunk_text) or _SETS_ENVIRONMENT.match(chunk_text):
        return True
    # A small dict (`PARAMS = {...}` later spread into a call); large ones are data tables.
    return len(chunk_text) <= _SMALL_DICT and bool(_DICT_CONSTANT.match(chunk_text))


def _parse_chunks(text: str, chunks: list[Chunk]) -> tuple[list[ParsedChunk], Problem | None, list[Refused]]:
    """The parsed chunks, the first parse problem, and the chunks refused unparsed (too deep)."""
    parsed, failed, refused = [], None, []
    for chunk in chunks:
        result = _parse(text[chunk.start : chunk.end], chunk.start)
        if isinstance(result, ParsedChunk):
            parsed.append(result)
        elif isinstance(result, Refused):
            refused.append(result)
        elif failed is None:
            failed = result
    return parsed, failed, refused


class Refused(NamedTuple):
    """A text too deep to hand to libcst, whose native parser would overflow its stack and kill the process."""

    start: int
    end: int
    reason: str


def _parse(text: str, start: int) -> ParsedChunk | Refused | Problem:
    """A parsed chunk, or the parse problem (offsets in the file) when it does not parse."""
    if reason := too_deep(text):
        return Refused(start, start + len(text.rstrip()), reason)
    try:
        return ParsedChunk(start, cst.parse_module(text))
    except cst.ParserSyntaxError as exc:
        offset = start + _offset(text, exc.raw_line, exc.raw_column)
        message = str(exc.message).rstrip(".")
        return Problem(offset, offset + 1, f"Python syntax error: {message}; this file was only partly checked.")
    except (RecursionError, ValueError) as exc:
        return Problem(
            start, start + 1, f"The Python parser failed ({type(exc).__name__}); this file was only partly checked."
        )


def _offset(text: str, line: int, column: int) -> int:
    offset = 0
    for _ in range(max(line - 1, 0)):
        newline = text.find("\n", offset)
        if newline < 0:
            break
        offset = newline + 1
    return min(offset + column, len(text))
