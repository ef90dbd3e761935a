"""SQL204 drop-column: ALTER TABLE … DROP COLUMN destroys the column's data in every row."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import table_label

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

# What may follow DROP in ALTER TABLE besides a column (those are SQL207's, or harmless).
NOT_COLUMNS = frozenset(
    {
        "CONSTRAINT",
        "INDEX",
        "KEY",
        "PRIMARY",
        "FOREIGN",
        "CHECK",
        "UNIQUE",
        "PARTITION",
        "DEFAULT",
        "NOT",
        "EXPRESSION",
        "IDENTITY",
        "TRIGGER",
        "RULE",
        "POLICY",
    }
)


def dropped_columns(node: exp.Alter) -> list[str]:
    """Names of the columns an ALTER TABLE drops."""
    names = []
    for action in node.args.get("actions") or []:
        if isinstance(action, exp.Drop) and str(action.args.get("kind", "")).upper() == "COLUMN":
            names += [t.name for t in action.args.get("tables") or []]
        elif isinstance(action, exp.Command) and action.name.upper() == "DROP":
            rest = str(action.expression or "").split()
            if rest and rest[0].upper() == "COLUMN":
                rest = rest[1:]
            if rest[:2] and [w.upper() for w in rest[:2]] == ["IF", "EXISTS"]:
                rest = rest[2:]
            if rest and rest[0].upper() not in NOT_COLUMNS:
                names.append(rest[0].strip('"`'))
    return names


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    node = stmt.expression
    if not isinstance(node, exp.Alter) or str(node.args.get("kind", "")).upper() != "TABLE":
        return
    table = node.this
    columns = [c for c in dropped_columns(node) if not document.column_added_before(table, c, stmt)]
    if columns:
        named = ", ".join(columns)
        yield Hit(
            stmt.start,
            stmt.end,
            f"ALTER TABLE {table_label(table)} drops column{'s' if len(columns) > 1 else ''} "
            f"{named}, destroying {'their' if len(columns) > 1 else 'its'} values in every row. Stop using the "
            "column first, back up the data, and drop it in a later, reviewed migration.",
        )


RULE = Rule(
    id="SQL204",
    name="drop-column",
    language="sql",
    severity=Severity.ERROR,
    summary="ALTER TABLE … DROP COLUMN destroys that column's values in every row.",
    rationale=(
        "A dropped column cannot be brought back without a backup, and code that still reads it breaks. "
        "A column the same script added is exempt."
    ),
    fix="Stop reading and writing the column, back it up, and drop it in a later reviewed migration.",
    flag=(
        Example(
            "ALTER TABLE users DROP COLUMN email;",
            flagged="ALTER TABLE users DROP COLUMN email",
            severity=Severity.ERROR,
            message="ALTER TABLE users drops column email, destroying its values in every row.",
        ),
        "ALTER TABLE users DROP COLUMN IF EXISTS email, DROP COLUMN phone;",
        "ALTER TABLE users DROP email;",
    ),
    clean=(
        "ALTER TABLE users ADD COLUMN nickname text;\nALTER TABLE users DROP COLUMN nickname;",
        "ALTER TABLE users DROP CONSTRAINT users_email_key;",
        "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;",
        "ALTER TABLE users ADD COLUMN email_verified boolean;",
    ),
    check=check,
    escalates=True,
    keywords=("drop",),
    precision="very-high",
    tags=("data-loss",),
)
