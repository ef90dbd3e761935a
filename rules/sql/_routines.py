"""Findings in procedural bodies: a routine's body runs when it is called, not when it is created.

A statement in the body of a PROCEDURE or FUNCTION is judged like a top-level one, at its place in the
body, but creating the routine runs nothing: its findings there are notes that point where to fix it.
A TRIGGER or EVENT runs its body on its own (each time the trigger fires, on the event's schedule),
so there they are warnings at most. Where the same text calls the routine (`CALL p()`, `EXEC p`,
`SELECT f()`), the body runs now: the call inherits its findings at their full severity, reported at
the call with the routine's name, so a destructive body is counted once where it blocks. A PostgreSQL
`CREATE TRIGGER … EXECUTE FUNCTION f()` inherits them as the trigger's own: warnings at most.
"""

from __future__ import annotations

import re

from sqlglot import exp

from blastguard.model import Severity

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from blastguard.frontends.sql.bodies import Body
    from blastguard.frontends.sql.frontend import SqlDocument, Statement
    from blastguard.rule import Hit, Rule

_CALL = re.compile(r"(?i)(?:CALL|EXEC(?:UTE)?)\s+(?:@\w+\s*=\s*)?((?:[\w$\"`\[\]]+\s*\.\s*)*[\w$\"`\[\]]+)")
_TRIGGER_FUNCTION = re.compile(r"(?i)\bEXECUTE\s+(?:FUNCTION|PROCEDURE)\s+((?:[\w$\"]+\s*\.\s*)*[\w$\"]+)\s*\(")
_NESTING = 8  # calls followed into the routines they call


def in_routine(hit: Hit, rule: Rule, routine: Body) -> Hit:
    """A hit in the body of `routine`, at the severity creating the routine deserves."""
    level = hit.severity or rule.severity
    kind = routine.kind or "block"
    name = f"{kind.lower()} {routine.name or ''}".strip()
    if kind in ("TRIGGER", "EVENT"):
        when = "each time the trigger fires" if routine.kind == "TRIGGER" else "on the event's schedule"
        cap = Severity.WARNING
        why = f" It is in the body of {name}, which runs it on its own {when}."
    else:
        cap = Severity.NOTE
        why = f" It is in the body of {name}: creating the {kind.lower()} runs nothing, calling it runs this."
    return hit.replace(message=hit.message + why, severity=min(level, cap))


def called(stmt: Statement, document: SqlDocument) -> list[Statement]:
    """The routines of this text that `stmt` runs: `CALL p()`, `EXEC p`, or a function in its expressions."""
    routines = document.routines
    if not routines:
        return []
    found = []
    first = stmt.tokens[0].text.upper() if stmt.tokens and not stmt.dynamic else ""
    if first in ("CALL", "EXEC", "EXECUTE"):
        match = _CALL.match(document.text, stmt.start, stmt.end)
        name = _plain_name(match.group(1)) if match else None
        if name in routines:
            found.append(routines[name])
    elif stmt.body is not None and stmt.body.kind == "TRIGGER":
        # PostgreSQL's `CREATE TRIGGER … EXECUTE FUNCTION f()`: the trigger runs the function's body.
        match = _TRIGGER_FUNCTION.search(document.text, stmt.start, stmt.end)
        name = _plain_name(match.group(1)) if match else None
        if name in routines:
            found.append(routines[name])
    for function in stmt.find_all(exp.Anonymous):
        definition = routines.get(str(function.name).lower())
        # `SELECT f()` runs a function; PL/SQL's `purge_logs(90);` alone in a block runs a procedure too.
        body = definition.body if definition is not None else None
        if definition is not None and body is not None and (body.kind == "FUNCTION" or function is stmt.expression):
            found.append(definition)
    return found


def _plain_name(written: str) -> str:
    """`[dbo].[Purge]` -> purge: the last part, unquoted, in lower case."""
    return re.split(r"\s*\.\s*", written)[-1].strip('"`[]').lower()


def inherited(stmt: Statement, document: SqlDocument, check: Callable[[Statement], Iterator[Hit]]) -> Iterator[Hit]:
    """The hits of the bodies `stmt` runs, reported at `stmt` and naming the routine: each finding of a
    body once, however many paths lead to it, and a routine that calls itself read once."""
    seen: set[tuple[int, str]] = set()
    for definition in called(stmt, document):
        body = definition.body
        assert body is not None and body.kind is not None
        for inner, hit, through in _reached(definition, document, check, {id(definition)}):
            if (inner.start, hit.message) in seen:
                continue
            seen.add((inner.start, hit.message))
            line = document.index.region(inner.start, inner.end).start_line
            via = f" (through {', '.join(through)})" if through else ""
            yield hit.replace(
                start=stmt.start,
                end=_trimmed_end(document.text, stmt),
                message=f"This runs {body.kind.lower()} {body.name}, defined in this file{via}. Its body, on line "
                f"{line}: {hit.message}",
            )


def _reached(
    definition: Statement, document: SqlDocument, check: Callable[[Statement], Iterator[Hit]], visited: set[int]
) -> Iterator[tuple[Statement, Hit, list[str]]]:
    """(statement, hit, routines called on the way) for each hit in the body of `definition` and in the
    bodies it calls in turn."""
    if len(visited) > _NESTING:
        return
    for inner in document.body_statements(definition):
        for hit in check(inner):
            yield inner, hit, []
        for callee in called(inner, document):
            if id(callee) in visited or callee.body is None:
                continue
            for deeper, hit, through in _reached(callee, document, check, visited | {id(callee)}):
                yield deeper, hit, [f"{(callee.body.kind or '').lower()} {callee.body.name}", *through]


def _trimmed_end(text: str, stmt: Statement) -> int:
    end = stmt.end
    while end > stmt.start and text[end - 1].isspace():
        end -= 1
    return end
