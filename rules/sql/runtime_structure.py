"""SQL901 runtime-structure: a DELETE or UPDATE whose table or condition is only known at run time."""

from __future__ import annotations

import re

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import (
    head_span,
    is_runtime_value,
    runtime_condition,
    table_label,
    target_table,
    where_span,
)

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_FIX = (
    "Write the table and the condition into the statement and pass only values as parameters "
    "(`WHERE id = %s`), so the statement can be checked before it runs."
)


# Destructive verbs in the string an EXECUTE runs.
_DESTRUCTIVE = re.compile(r"\b(DELETE|UPDATE|TRUNCATE|DROP|ALTER|MERGE|GRANT)\b", re.IGNORECASE)


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    if stmt.dynamic:
        yield from _check_execute(stmt)
        return
    for kind, keyword in ((exp.Delete, "DELETE"), (exp.Update, "UPDATE")):
        for node in stmt.find_all(kind):
            where = node.args.get("where")
            if where is None:
                continue  # no WHERE at all: the unbounded-delete and unbounded-update rules report it
            verb = keyword.lower()
            if runtime_condition(where.this):
                yield Hit(
                    *where_span(stmt, node, keyword),
                    f"The WHERE condition of this {keyword} is filled in at "
                    f"run time, so which rows it would {verb} cannot be checked. {_FIX}",
                )
            elif is_runtime_value(target_table(node)):
                label = table_label(target_table(node))
                yield Hit(
                    *head_span(stmt, node, keyword),
                    f"The table of this {keyword} ({label}) is chosen at run "
                    f"time, so what it would {verb} cannot be checked. {_FIX}",
                )


def _check_execute(stmt: Statement) -> Iterator[Hit]:
    """`EXECUTE 'DELETE FROM ' || tbl`, `EXECUTE format(…)`, `EXEC sp_executesql @sql` in a procedural
    body: what runs is a string put together at run time. Strings that show only harmless SQL
    (`EXECUTE 'ANALYZE ' || tbl`) stay clean; a string held in a variable shows nothing, so it is reported."""
    literals = [w.text for w in stmt.words if w.kind == "string"]
    verbs = list(dict.fromkeys(m.group(1).upper() for text in literals for m in _DESTRUCTIVE.finditer(text)))
    if literals and not verbs:
        return
    shown = f"its strings hold {', '.join(verbs)}" if verbs else "the SQL is held in a variable"
    yield Hit(
        stmt.start,
        stmt.end,
        f"This EXECUTE runs SQL assembled at run time ({shown}), so which table and rows it would touch "
        "cannot be checked. Write the statement out, with only values as parameters (`EXECUTE … USING`), "
        "so it can be checked before it runs.",
    )


RULE = Rule(
    id="SQL901",
    name="runtime-structure",
    language="sql",
    severity=Severity.WARNING,
    summary="A DELETE or UPDATE whose table or WHERE condition is filled in at run time, so its scope is unknown.",
    rationale=(
        'SQL built from a program\'s strings (`f"DELETE FROM {table} WHERE {condition}"`) can only be '
        "judged where its structure is written out. A value in a value position (`WHERE id = {uid}`, "
        "`%s`, `?`, `:name`) is fine; a table or a whole condition supplied at run time may be anything, "
        "including every row of every table, so blastguard says it cannot check it. A statement with no "
        "WHERE at all is reported by the unbounded-delete and unbounded-update rules instead. The same holds "
        "for the dynamic SQL of a procedural body (`EXECUTE 'DELETE FROM ' || tbl` and `EXECUTE format(…)` "
        "in PL/pgSQL, `EXECUTE IMMEDIATE` in PL/SQL, `EXEC sp_executesql` in T-SQL) whose strings show a "
        "destructive verb or that runs SQL held in a variable."
    ),
    fix=_FIX,
    example_language="python",
    flag=(
        Example(
            'def purge(table, condition):\n    cur.execute(f"DELETE FROM {table} WHERE {condition}")',
            flagged="WHERE {condition}",
            severity=Severity.WARNING,
            message="The WHERE condition of this DELETE is filled in at run time",
        ),
        'def purge(condition):\n    cur.execute("DELETE FROM sessions WHERE %s" % condition)',
        'def purge(table, uid):\n    cur.execute(f"DELETE FROM {table} WHERE id = %s", (uid,))',
        'def touch(extra):\n    cur.execute("UPDATE users SET seen = now() WHERE id = 1 OR {}".format(extra))',
        "def purge():\n    cur.execute(\"DO $$ BEGIN EXECUTE 'TRUNCATE ' || current_setting('app.t'); END $$\")",
        "def purge():\n    cur.execute(\"DO $$ BEGIN EXECUTE format('DELETE FROM %I', 'audit'); END $$\")",
    ),
    clean=(
        'def purge(uid):\n    cur.execute(f"DELETE FROM sessions WHERE id = {uid}")',
        'def purge(uid):\n    cur.execute("DELETE FROM sessions WHERE id = %s", (uid,))',
        "def purge(name):\n    cur.execute(f\"DELETE FROM sessions WHERE name = '{name}'\")",
        'def purge(extra):\n    cur.execute(f"DELETE FROM sessions WHERE tenant_id = 7 AND {extra}")',
        'def read(table):\n    cur.execute(f"SELECT * FROM {table} WHERE {condition}")',
        'def purge(year):\n    cur.execute(f"DELETE FROM events_{year} WHERE id = 1")',
        "def stats():\n    cur.execute(\"DO $$ BEGIN EXECUTE 'ANALYZE ' || current_setting('app.t'); END $$\")",
        "def stats():\n    cur.execute(\"DO $$ BEGIN RAISE NOTICE 'DELETE FROM users is not run'; END $$\")",
    ),
    check=check,
    escalates=True,
    keywords=("delete", "update", "execute", "exec"),
    precision="medium",
    tags=("unverifiable",),
)
