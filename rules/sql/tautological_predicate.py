"""SQL103 tautological-predicate: a DELETE or UPDATE whose WHERE is true for every row."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import fold, table_label, target_table, tautology_reason, where_span

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_KEYWORD = {exp.Delete: "DELETE", exp.Update: "UPDATE"}


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    for node in stmt.find_all(exp.Delete, exp.Update):
        where = node.args.get("where")
        if not where:
            continue
        table = target_table(node)
        reason = tautology_reason(fold(where.this), table)
        if reason:
            keyword = _KEYWORD[type(node)]
            verb = "removes" if keyword == "DELETE" else "rewrites"
            start, end = where_span(stmt, node, keyword)
            yield Hit(
                start,
                end,
                f"{keyword} on {table_label(table)} has a WHERE clause that matches every row, "
                f"so it {verb} them all: {reason}. Write the condition that selects the rows you mean.",
            )


RULE = Rule(
    id="SQL103",
    name="tautological-predicate",
    language="sql",
    severity=Severity.ERROR,
    summary="A DELETE or UPDATE whose WHERE clause is true for every row.",
    rationale=(
        "`WHERE 1=1`, `WHERE TRUE`, `WHERE x = x`, `… OR 1=1` or `WHERE id IS NOT NULL` look like filters but "
        "select the whole table, a common way for a generated statement to slip past a 'has a WHERE' check. "
        "The predicate is constant-folded first, so `1=1 AND id = 5` is the real filter `id = 5` and stays clean."
    ),
    fix="Write the condition that selects the rows you mean, and check it with SELECT count(*).",
    flag=(
        Example(
            "DELETE FROM users WHERE 1=1;",
            flagged="WHERE 1=1",
            severity=Severity.ERROR,
            message="DELETE on users has a WHERE clause that matches every row",
        ),
        "DELETE FROM users WHERE TRUE;",
        "DELETE FROM users WHERE NOT FALSE;",
        "DELETE FROM users WHERE 'a' = 'a';",
        "DELETE FROM users WHERE id = id;",
        "DELETE FROM users WHERE last_login < now() - interval '1 year' OR 1=1;",
        "DELETE FROM users WHERE id IS NOT NULL;",
        "UPDATE users SET email = NULL WHERE email LIKE '%';",
        "DELETE FROM users WHERE id IN (SELECT id FROM users);",
        "UPDATE users SET plan = 'free' WHERE 2 > 1;",
    ),
    clean=(
        "DELETE FROM users WHERE 1=1 AND id = 5;",
        "DELETE FROM users WHERE 1=0;",
        "DELETE FROM users WHERE id = $1;",
        "DELETE FROM users WHERE id IN (SELECT user_id FROM bans);",
        "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE banned);",
        "SELECT * FROM users WHERE 1=1;",
        "UPDATE users SET email = NULL WHERE email LIKE '%@example.com';",
    ),
    check=check,
    escalates=True,
    keywords=("delete", "update"),
    precision="very-high",
    tags=("data-loss",),
)
