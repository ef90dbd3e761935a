"""SQL203 drop-schema-or-database: dropping a schema, a database, or everything a role owns."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import token_verdict

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_KINDS = {"SCHEMA": "schema", "DATABASE": "database"}


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    node = stmt.expression
    if isinstance(node, exp.Drop) and (kind := _KINDS.get(str(node.args.get("kind", "")).upper())):
        names = ", ".join(t.sql() for t in node.args.get("tables") or [])
        yield Hit(
            stmt.start,
            stmt.end,
            f"DROP {kind.upper()} destroys the {kind} {names} with every table and "
            "row in it. Take a backup and drop it by hand, not from a script.",
        )
    elif isinstance(node, exp.Command) and [w.upper for w in stmt.words[:2]] == ["DROP", "OWNED"]:
        yield Hit(
            stmt.start,
            stmt.end,
            "DROP OWNED BY drops every object the role owns, in every schema of the "
            "database: tables and their rows included. Use REASSIGN OWNED, or drop the objects you mean by name.",
        )
    elif token_verdict(stmt) == "drop-schema":
        yield Hit(
            stmt.start,
            stmt.end,
            "DROP SCHEMA / DATABASE destroys everything in it. The statement did not "
            "parse, so this was read from its tokens.",
        )


RULE = Rule(
    id="SQL203",
    name="drop-schema-or-database",
    language="sql",
    severity=Severity.ERROR,
    summary="DROP SCHEMA, DROP DATABASE or DROP OWNED BY destroys many tables at once.",
    rationale=(
        "These statements remove whole containers of tables. Agents that are refused a DROP DATABASE "
        "often reach for `DROP SCHEMA … CASCADE` or `DROP OWNED BY` instead: all three are flagged."
    ),
    fix="Take a backup and run it by hand after review; drop individual objects by name.",
    flag=(
        Example(
            "DROP DATABASE production;",
            flagged="DROP DATABASE production",
            severity=Severity.ERROR,
            message="DROP DATABASE destroys the database production with every table and row in it.",
        ),
        "DROP SCHEMA analytics CASCADE;",
        "DROP SCHEMA IF EXISTS reporting;",
        "DROP OWNED BY app_user;",
    ),
    clean=(
        "CREATE SCHEMA analytics;",
        "SELECT 'DROP DATABASE production';",
        "REASSIGN OWNED BY old_role TO new_role;",
    ),
    check=check,
    escalates=True,
    keywords=("drop",),
    precision="very-high",
    tags=("data-loss",),
)
