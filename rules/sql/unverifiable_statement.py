"""SQL900 unverifiable-statement: a destructive statement that could not be parsed, so not judged."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import token_verdict

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_DESTRUCTIVE = ("DELETE", "UPDATE", "DROP", "TRUNCATE", "MERGE", "GRANT", "ALTER")


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    if token_verdict(stmt) == "unverifiable":
        verbs = [w.upper for w in stmt.words if w.upper in _DESTRUCTIVE]
        named = ", ".join(dict.fromkeys(verbs)) or "a destructive keyword"
        yield Hit(
            stmt.start,
            stmt.end,
            f"This statement could not be parsed and contains {named}, so blastguard "
            "cannot tell how much it would destroy. Fix the syntax (or set --sql-dialect) so it can be checked.",
        )


RULE = Rule(
    id="SQL900",
    name="unverifiable-statement",
    language="sql",
    severity=Severity.WARNING,
    summary="A statement with destructive keywords that could not be parsed, so its scope is unknown.",
    rationale=(
        "When the parser cannot read a statement, its words are still checked: a DELETE with no WHERE is "
        "reported as such. When the words show a destructive statement but not its scope (a DELETE whose "
        "WHERE did not parse, an ALTER … DROP of unknown shape), blastguard says so instead of guessing that "
        "it is safe. The SQL a procedural body runs with EXECUTE is the runtime-structure rule's (SQL901)."
    ),
    fix="Fix the syntax, or pass the right --sql-dialect, so the statement can be checked.",
    flag=(
        Example(
            "DELETE FROM users WHERE id IN (SELECT ;",
            flagged="DELETE FROM users WHERE id IN (SELECT",
            severity=Severity.WARNING,
            message="This statement could not be parsed and contains DELETE",
        ),
        "UPDATE users SET name = WHERE id = 1;",
    ),
    clean=(
        "SELECT FROM WHERE;",
        "DELETE FROM users WHERE id = 1;",
        "DELETE FROM users;",
        "DO $$ BEGIN RAISE NOTICE 'DELETE FROM users is not run here'; END $$;",
        "DO $$ BEGIN UPDATE settings SET value = 'on' WHERE key = 'maintenance'; END $$;",
        # Read from their words by the partition and guardrail rules, not left unparsed.
        "ALTER TABLE events DETACH PARTITION events_2019;",
        "ENABLE TRIGGER trg_audit ON orders;",
        # PL/pgSQL control flow around the statements of a body is skipped, not reported as unparsed.
        "DO $$ DECLARE n int := 0; BEGIN LOOP n := n + 1; EXIT WHEN n > 3; END LOOP; "
        "UPDATE jobs SET state = 'idle' WHERE id = n; END $$;",
        "CREATE FUNCTION purge() RETURNS void AS $$ DELETE FROM sessions $$ LANGUAGE sql;",
        "DROP FUNCTION bt_metap(IN relname text, OUT magic int4, OUT version int4);",
    ),
    check=check,
    escalates=True,
    keywords=("delete", "update", "drop", "truncate", "merge", "grant", "alter"),
    precision="medium",
    tags=("unverifiable",),
)
