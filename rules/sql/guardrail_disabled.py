"""SQL301 guardrail-disabled: a statement that switches off the database's own safety checks."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_OFF = {"0", "off", "false"}
# setting -> (values that disable it, what is lost)
_SETTINGS = {
    "session_replication_role": (
        {"replica"},
        "foreign keys and user triggers (ON DELETE CASCADE, audit triggers) stop firing",
    ),
    "foreign_key_checks": (_OFF, "foreign keys are no longer enforced"),
    "unique_checks": (_OFF, "unique indexes are no longer checked on insert"),
    "sql_safe_updates": (_OFF, "MySQL stops refusing UPDATE and DELETE without a key in the WHERE clause"),
    "safeupdate.enabled": (_OFF, "pg-safeupdate stops refusing UPDATE and DELETE without a WHERE clause"),
    "foreign_keys": (_OFF, "SQLite stops enforcing foreign keys"),
}


def _setting_name(node: exp.Expr) -> str:
    if isinstance(node, exp.SessionParameter):
        node = node.this
    if isinstance(node, exp.Column):
        return ".".join(p.name for p in node.parts).lower()
    return node.name.lower()


def _value(node: exp.Expr) -> str:
    return (node.name if isinstance(node, (exp.Literal, exp.Var, exp.Column, exp.Identifier)) else node.sql()).lower()


def _disabled(stmt) -> list[str]:
    node = stmt.expression
    pairs = []
    if isinstance(node, exp.Set):
        pairs = [item.this for item in node.expressions if isinstance(item.this, exp.EQ)]
    elif isinstance(node, exp.Pragma) and isinstance(node.this, exp.EQ):
        pairs = [node.this]
    lost = []
    for pair in pairs:
        if pair.this is None or pair.expression is None:
            continue  # `PRAGMA = x`: no setting named
        name = _setting_name(pair.this)
        if name in _SETTINGS and _value(pair.expression) in _SETTINGS[name][0]:
            lost.append(f"{name} = {_value(pair.expression)}: {_SETTINGS[name][1]}")
    if isinstance(node, exp.Command) and stmt.words[0].upper == "ALTER":
        uppers = [w.upper for w in stmt.words if w.depth == 0]
        for i, word in enumerate(uppers[:-1]):
            if word == "DISABLE" and uppers[i + 1] == "TRIGGER":
                lost.append(
                    "DISABLE TRIGGER: the table's triggers (audit, cascades, FK enforcement for ALL) stop firing"
                )
    return lost


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    lost = _disabled(stmt)
    if lost:
        yield Hit(
            stmt.start,
            stmt.end,
            f"This statement switches off a database safeguard ({'; '.join(lost)}). "
            "Whatever runs after it can destroy or corrupt data that the database would otherwise protect. "
            "Leave the safeguard on and fix the statement it was in the way of.",
        )


RULE = Rule(
    id="SQL301",
    name="guardrail-disabled",
    language="sql",
    severity=Severity.WARNING,
    summary="A statement switches off foreign keys, triggers or safe-update mode.",
    rationale=(
        "`SET session_replication_role = replica`, `ALTER TABLE … DISABLE TRIGGER`, "
        "`SET FOREIGN_KEY_CHECKS = 0`, `SET sql_safe_updates = 0` and `PRAGMA foreign_keys = OFF` each "
        "remove a check that stops a bad DELETE or UPDATE from cascading silently. An agent that turns one "
        "off is usually about to do what it was preventing."
    ),
    fix="Keep the safeguard on and fix the statement it was blocking.",
    flag=(
        Example(
            "SET session_replication_role = replica;",
            flagged="SET session_replication_role = replica",
            severity=Severity.WARNING,
            message="This statement switches off a database safeguard",
        ),
        "SET session_replication_role TO 'replica';",
        "ALTER TABLE orders DISABLE TRIGGER ALL;",
        "SET FOREIGN_KEY_CHECKS = 0;",
        "SET SESSION sql_safe_updates = 0;",
        "PRAGMA foreign_keys = OFF;",
    ),
    clean=(
        "PRAGMA = DELETE;",
        "SET session_replication_role = DEFAULT;",
        "SET FOREIGN_KEY_CHECKS = 1;",
        "ALTER TABLE orders ENABLE TRIGGER ALL;",
        "PRAGMA foreign_keys = ON;",
        "SET statement_timeout = '5s';",
    ),
    check=check,
    keywords=("set", "pragma", "disable"),
    precision="very-high",
    tags=("guardrail",),
)
