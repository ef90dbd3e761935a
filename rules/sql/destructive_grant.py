"""SQL302 destructive-grant: granting the power to delete, truncate or drop, or superuser."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_DESTRUCTIVE = {"ALL", "DELETE", "TRUNCATE", "DROP", "SUPER"}


def _granted(stmt) -> list[str]:
    node = stmt.expression
    if isinstance(node, exp.Grant):
        names = [
            p.this.name.upper() if isinstance(p, exp.GrantPrivilege) else p.sql().upper()
            for p in node.args.get("privileges") or []
        ]
        return [n for n in names if n.split()[0] in _DESTRUCTIVE]
    if not isinstance(node, exp.Command):
        return []
    words = [w.upper for w in stmt.words if w.depth == 0]
    if words[:1] == ["GRANT"]:
        before_on = words[1 : words.index("ON")] if "ON" in words else []
        return [w for w in before_on if w in _DESTRUCTIVE]
    if words[:1] in (["ALTER"], ["CREATE"]) and words[1:2] in (["ROLE"], ["USER"]) and "SUPERUSER" in words:
        return ["SUPERUSER"]
    return []


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    granted = _granted(stmt)
    if granted:
        to_public = "PUBLIC" in [w.upper for w in stmt.words[-2:]]
        who = "every role (PUBLIC)" if to_public else "the grantee"
        yield Hit(
            stmt.start,
            stmt.end,
            f"This statement gives {who} {', '.join(dict.fromkeys(granted))}: the power to "
            "destroy data. Grant only the privileges the role needs (SELECT, INSERT, UPDATE on named tables).",
        )


RULE = Rule(
    id="SQL302",
    name="destructive-grant",
    language="sql",
    severity=Severity.WARNING,
    summary="A GRANT of ALL, DELETE, TRUNCATE or DROP, or a role made superuser.",
    rationale=(
        "Least privilege is the last line of defence when a destructive statement slips through: a role "
        "that cannot TRUNCATE cannot empty a table by mistake. Granting ALL, DELETE, TRUNCATE, DROP or "
        "superuser widens the blast radius of every later mistake. REVOKE and read-only grants are clean."
    ),
    fix="Grant only the privileges the role needs, on named tables.",
    flag=(
        Example(
            "GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO agent;",
            flagged="GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO agent",
            severity=Severity.WARNING,
            message="This statement gives the grantee ALL: the power to destroy data.",
        ),
        "GRANT DELETE, TRUNCATE ON orders TO etl;",
        "GRANT ALL ON TABLE users TO PUBLIC;",
        "ALTER ROLE agent SUPERUSER;",
        "CREATE ROLE ops WITH LOGIN SUPERUSER;",
    ),
    clean=(
        "GRANT SELECT ON users TO analyst;",
        "GRANT SELECT, INSERT, UPDATE ON orders TO app;",
        "REVOKE DELETE ON orders FROM etl;",
        "REVOKE ALL ON users FROM PUBLIC;",
        "ALTER ROLE agent NOSUPERUSER;",
    ),
    check=check,
    keywords=("grant", "superuser"),
    precision="very-high",
    tags=("privilege",),
)
