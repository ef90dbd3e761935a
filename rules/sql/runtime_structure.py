"""SQL901 runtime-structure: a DELETE or UPDATE whose table or condition is only known at run time."""

from __future__ import annotations

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


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
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
        "WHERE at all is reported by the unbounded-delete and unbounded-update rules instead."
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
    ),
    clean=(
        'def purge(uid):\n    cur.execute(f"DELETE FROM sessions WHERE id = {uid}")',
        'def purge(uid):\n    cur.execute("DELETE FROM sessions WHERE id = %s", (uid,))',
        "def purge(name):\n    cur.execute(f\"DELETE FROM sessions WHERE name = '{name}'\")",
        'def purge(extra):\n    cur.execute(f"DELETE FROM sessions WHERE tenant_id = 7 AND {extra}")',
        'def read(table):\n    cur.execute(f"SELECT * FROM {table} WHERE {condition}")',
        'def purge(year):\n    cur.execute(f"DELETE FROM events_{year} WHERE id = 1")',
    ),
    check=check,
    escalates=True,
    keywords=("delete", "update"),
    precision="medium",
    tags=("unverifiable",),
)
