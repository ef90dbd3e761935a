"""Strings that reach an executor, handed to the SQL and shell rules with exact positions.

Only a string that is passed to an execution point is analysed: SQL given to a DB-API cursor or
connection, SQLAlchemy, Django or pandas; a command given to `subprocess`, `os.system` and their
kin (an argv list is rebuilt into one shell command, each word quoted as the shell would need).
A string that is printed, logged or documented is never looked at.

Holes (values known only at run time) become something the other language reads as unknown: a
quoted identifier `"{table}"` in SQL, so a rule can tell a run-time table or predicate from a
value, and a variable `${table}` in shell.
"""

from __future__ import annotations

import re

import libcst as cst

from blastguard.frontends.python.string_values import Piece, Value
from blastguard.records import Record, record
from blastguard.sources import Embedded, Source

TYPE_CHECKING = False  # `typing` costs an agent hook milliseconds
if TYPE_CHECKING:  # annotations only
    from blastguard.frontends.python.calls import ParsedChunk

# Methods whose first argument is SQL, on whatever object: cursors, connections, sessions, `op`.
_SQL_METHODS = frozenset({"execute", "executemany", "executescript", "exec_driver_sql", "read_sql", "read_sql_query"})
_SQL_FUNCTIONS = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text"})
_SQL_KEYWORDS = ("sql", "statement", "query", "operation", "sql_script")
# A value starts like SQL (after blanks and comments).
_SQL_START = re.compile(
    r"\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*(select|insert|update|delete|merge|with|create|alter|drop|truncate|grant|"
    r"revoke|replace|rename|comment|vacuum|do|call|copy|set|begin|start|pragma|attach|detach)\b",
    re.IGNORECASE | re.DOTALL,
)
# Calls that run a shell command line, and those that run an argv.
_SHELL_LINE = frozenset(
    {"os.system", "os.popen", "asyncio.create_subprocess_shell", "subprocess.getoutput", "subprocess.getstatusoutput"}
)
_SUBPROCESS = frozenset(
    {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.Popen"}
)
_ARGV_FROM_SECOND = frozenset({"os.execv", "os.execvp", "os.execve", "os.execvpe"})
_ARGS_SPREAD = frozenset({"asyncio.create_subprocess_exec", "os.execl", "os.execlp", "os.execle", "os.execlpe"})
# How many of the calls a function runs SQL with before and after one make its script: a function
# running thousands of statements must not cost each of them a parse of all the others.
_SCRIPT_WINDOW = 64
_TASK_RUNNERS = ("invoke", "fabric")  # `c.run("…")` in tasks.py and fabfiles
# A nox session's `session.run("rm", "-rf", path)` runs its arguments as an argv, without a shell.
_NOX_RUNS = frozenset({"run", "run_always", "run_install"})
_SAFE_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD_CHAR = re.compile(r"\w")
_PROGRAM_NAME = re.compile(r"[A-Za-z0-9._+-]+")


def sql_value(call, folder) -> list[Value]:
    """The SQL strings `call` executes, if it is an execution point."""
    if (
        call.method in _SQL_METHODS
        or (call.method == "raw" and ".objects." in call.name)
        or call.name in _SQL_FUNCTIONS
    ):
        argument = call.argument(0, *_SQL_KEYWORDS)
        arguments = [argument] if argument is not None else []
    elif call.method == "RunSQL":
        argument = call.argument(0, "sql")
        arguments = _statements(argument)
    else:
        return []
    values = []
    for argument in arguments:
        value = folder.string(argument, call.scope, call.chunk)
        if value is not None and _SQL_START.match(_render_sql(value).text) and not _verb_and_values(value):
            values += folder.each(value, call)  # a table from a loop over literals: each one judged
    return values


def _verb_and_values(value: Value) -> bool:
    """`gdb.execute("delete %s" % number)`: a delete verb followed only by run-time values is another
    tool's command (a debugger's breakpoint, a cache key); SQL names its table after `DELETE FROM`."""
    literal = "".join(p.text for p in value.pieces if p.kind == "text").split()
    return [word.lower() for word in literal] == ["delete"]


def _statements(argument) -> list[cst.BaseExpression]:
    """RunSQL's `sql`: one string, or a list of strings and (sql, params) pairs."""
    if isinstance(argument, (cst.List, cst.Tuple)):
        found = []
        for element in argument.elements:
            value = element.value
            if isinstance(value, cst.Tuple) and value.elements:
                value = value.elements[0].value
            found.append(value)
        return found
    return [argument] if argument is not None else []


def shell_value(call, folder, model) -> Rendered | None:
    """The command line `call` runs, rendered as shell with the file offset of every character."""
    name = call.name
    if (
        call.method in _NOX_RUNS
        and "nox" in model.imported_modules
        and not name.startswith(("subprocess.", "asyncio."))
    ):
        positional = [a.value for a in call.node.args if a.keyword is None]
        return _argv(positional, call, folder)
    if name in _SHELL_LINE or (
        call.method in ("run", "sudo", "local")
        and model.imported_modules.intersection(_TASK_RUNNERS)
        and not name.startswith(("subprocess.", "asyncio."))
    ):
        return _line(call.argument(0, "cmd", "command"), call, folder)
    if name in _SUBPROCESS:
        args = call.argument(0, "args")
        if _is_true(call.keyword("shell")):
            return _line(args, call, folder)
        if isinstance(args, cst.Call) and model.qualified_name(args.func) == "shlex.split" and args.args:
            return _line(args.args[0].value, call, folder)  # one command line, split by the shell's rules
        return _argv(_elements(args, call, model), call, folder)
    if name in _ARGV_FROM_SECOND:
        return _argv(_elements(call.argument(1, "args"), call, model), call, folder)
    if name in _ARGS_SPREAD:
        start = 0 if name.startswith("asyncio.") else 1
        positional = [a.value for a in call.node.args if a.keyword is None]
        return _argv(positional[start:], call, folder) if len(positional) > start else None
    return None


def _is_true(node) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def _elements(args, call, model) -> list[cst.BaseExpression] | None:
    """An argv given as a list or tuple (directly or through a name bound once), or a string."""
    if isinstance(args, cst.Name):
        from_binding = model.binding(args, call.scope)
        args = from_binding[0] if from_binding and isinstance(from_binding[0], (cst.List, cst.Tuple)) else args
    if isinstance(args, (cst.List, cst.Tuple)):
        return [e.value if not isinstance(e, cst.StarredElement) else e for e in args.elements]
    return [args] if args is not None else None


def _line(argument, call, folder) -> Rendered | None:
    if argument is None:
        return None
    value = folder.string(argument, call.scope, call.chunk)
    if value is None or not value.text.strip():
        return None
    leading = next((p for p in value.pieces if p.kind != "text" or p.text.strip(" \t\n\"'")), None)
    if leading is not None and leading.kind == "hole":
        return None  # `os.system(cmd + " " + path)`: the program is a run-time value, nothing to judge
    return render(value, _shell_hole)


def _argv(elements, call, folder) -> Rendered | None:
    if not elements:
        return None
    if _unknown(elements[0], call, folder):
        return None  # the program itself is a run-time value (`Popen(cmdline)`): nothing to judge
    command = Rendered("", [], [])
    for element in elements:
        if isinstance(element, cst.StarredElement):
            value = Value((Piece("", element, call.chunk, None, "hole"),))
        else:
            value = folder.value(element, call.scope, call.chunk)
        word = render(value, _shell_hole, quote=True)
        if not word.text:
            word.add("''", *call.chunk.span(element))
        if command.text:
            command.add(" ", word.offsets[0], word.offsets[0])
        elif not word.text.strip("'"):
            return None  # no program to run
        command.text += word.text
        command.offsets += word.offsets
        command.ends += word.ends
    return command


def _unknown(element, call, folder) -> bool:
    """The program's name is a run-time value (`cmd[0]`, `os.path.join(bindir, name)`); a run-time
    folder with a known name (`venv / "bin" / "pip"`) is a known program."""
    if isinstance(element, cst.StarredElement):
        return True
    pieces = folder.value(element, call.scope, call.chunk).pieces
    last_folder = max((i for i, p in enumerate(pieces) if p.kind == "text" and "/" in p.text), default=-1)
    name = pieces[last_folder + 1 :]
    if last_folder >= 0:
        name = [
            Piece(pieces[last_folder].text.rsplit("/", 1)[1], pieces[last_folder].node, pieces[last_folder].chunk)
        ] + list(name)
    if any(p.kind == "hole" for p in name):
        return True
    return not _PROGRAM_NAME.fullmatch("".join(p.text for p in name).strip())


def _shell_hole(piece: Piece, number: int, before: str, after: str) -> str:
    if piece.kind == "home":
        return '"$HOME"'
    name = piece.label if _IDENTIFIER.fullmatch(piece.label) else f"python_value_{number}"
    return '"${' + name + '}"'


def _sql_hole(piece: Piece, number: int, before: str, after: str) -> str:
    """A quoted identifier `"{table}"` that rules recognise as a run-time value; inside a name
    (`events_{year}`) a bare marker, so the name stays one identifier."""
    if _WORD_CHAR.match(before) or _WORD_CHAR.match(after):
        return f"__hole{number}__"
    return '"{' + piece.label.replace('"', "'") + '}"'


def render(value: Value, hole_text, quote: bool = False) -> Rendered:
    """`value` as text in the target language, with the file span of each character. With `quote`,
    literal parts are quoted as one shell word."""
    by_chunk: dict[int, tuple[ParsedChunk, list]] = {}
    for piece in value.pieces:
        by_chunk.setdefault(id(piece.chunk), (piece.chunk, []))[1].append(piece.node)
    spans = {}
    for chunk, nodes in by_chunk.values():
        for node, span in zip(nodes, chunk.locate(*nodes)):
            spans[id(node)] = span
    rendered = Rendered("", [], [])
    pieces = value.pieces
    for number, piece in enumerate(pieces, 1):
        start, end = spans[id(piece.node)]
        if piece.kind == "text" and not piece.text:
            continue
        if piece.kind != "text":
            after = pieces[number].text[:1] if number < len(pieces) else ""
            rendered.add(hole_text(piece, number, rendered.text[-1:], after), start, end)
        elif piece.offsets is None:  # a value from elsewhere, located where it is used
            rendered.add(_quoted(piece.text) if quote else piece.text, start, end)
        elif quote and not _SAFE_WORD.fullmatch(piece.text):
            first, last = start + piece.offsets[0], start + piece.offsets[-1]
            rendered.add("'", first, first + 1)
            for char, offset in zip(piece.text, piece.offsets):
                rendered.add("'\\''" if char == "'" else char, start + offset, start + offset + 1)
            rendered.add("'", last, last + 1)
        else:
            for char, offset in zip(piece.text, piece.offsets):
                rendered.add(char, start + offset, start + offset + 1)
    return rendered


@record
class Rendered(Record):
    """Text for another language's frontend, and where each of its characters is in the file."""

    text: str
    offsets: list[int]
    ends: list[int]

    def add(self, text: str, start: int, end: int) -> None:
        self.text += text
        self.offsets += [start] * len(text)
        self.ends += [end] * len(text)

    def embedded(self, source: Source) -> Embedded:
        last = self.ends[-1] if self.ends else 0
        return Embedded(source, self.offsets + [last], None, self.ends + [last])


def _quoted(text: str) -> str:
    return text if _SAFE_WORD.fullmatch(text) else "'" + text.replace("'", "'\\''") + "'"


def _render_sql(value: Value) -> Rendered:
    return render(value, _sql_hole)


def sql_children(calls, folder, path: str, context, equivalent=None, fresh=None) -> list[Embedded]:
    """The SQL the calls execute. Each text knows the SQL that the same outermost function (or class
    body, such as a Django migration's `operations`) runs before and after it
    (`Context.script`), in source order, so that code running a script one statement at a time is
    judged as that script; `equivalent(call)` gives the SQL a call that is no
    execution point amounts to (an Alembic `op.add_column`), or None. `fresh(call)` tells that a call
    runs its SQL on a database the program has just created in memory (`Context.fresh_database`)."""
    runs = []  # (function, rendered texts run, texts for the script, in memory), in source order
    seen = set()
    for call in calls:
        rendered = []
        for value in sql_value(call, folder):
            text = _render_sql(value)
            key = (text.text, tuple(text.offsets))  # `execute(text("…"))`: one text, two calls
            if key not in seen:
                seen.add(key)
                rendered.append(text)
        texts = [r.text for r in rendered]
        if not texts and equivalent is not None and (stand_in := equivalent(call)) is not None:
            texts = [stand_in]
        if texts:
            runs.append((_script_unit(call), rendered, texts, fresh is not None and fresh(call)))
    by_unit: dict[int, list[int]] = {}  # the runs of each function or class body, as indexes into `runs`
    place: dict[int, int] = {}  # a run's place among its unit's
    for number, run in enumerate(runs):
        if run[0] is not None:
            members = by_unit.setdefault(id(run[0]), [])
            place[number] = len(members)
            members.append(number)
    children = []
    for number, (unit, rendered, _, in_memory) in enumerate(runs):
        script: tuple = ()
        if unit is not None:
            members, at = by_unit[id(unit)], place[number]
            before = tuple(t for i in members[max(0, at - _SCRIPT_WINDOW) : at] for t in runs[i][2])
            after = tuple(t for i in members[at + 1 : at + 1 + _SCRIPT_WINDOW] for t in runs[i][2])
            script = (before, after) if before or after else ()
        run_in = context.replace(script=script) if script else context
        run_in = run_in.replace(fresh_database=True) if in_memory else run_in
        children += [r.embedded(Source(path, r.text, "sql", run_in)) for r in rendered]
    return children


def _script_unit(call):
    """What runs `call`'s SQL as one script with the SQL around it: its outermost function, or the class
    body it is written in (a Django migration's `operations` run in order). None at module level."""
    return call.scope.outermost_function() or (call.scope if call.scope.kind == "class" else None)


def shell_children(calls, folder, model, path: str, context) -> list[Embedded]:
    children = []
    for call in calls:
        rendered = shell_value(call, folder, model)
        if rendered is not None:
            children.append(rendered.embedded(Source(path, rendered.text, "shell", context)))
    return children
