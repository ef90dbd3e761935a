"""SQL900 unverifiable-statement: a destructive statement that could not be parsed, so not judged."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import do_block_runs_dynamic_sql, token_verdict

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement

_DESTRUCTIVE = ("DELETE", "UPDATE", "DROP", "TRUNCATE", "MERGE", "GRANT", "ALTER")


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    if do_block_runs_dynamic_sql(stmt):
        yield Hit(
            stmt.start,
            stmt.end,
            "This DO block runs at once and builds SQL at run time with EXECUTE, so "
            "blastguard cannot tell what it would destroy. Write the statements out as plain SQL so they can be checked.",
        )
    elif token_verdict(stmt) == "unverifiable":
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
        "WHERE did not parse, an ALTER … DROP of unknown shape, a DO block that runs dynamic SQL with "
        "EXECUTE), blastguard says so instead of guessing that it is safe."
    ),
    fix="Fix the syntax, or pass the right --sql-dialect, so the statement can be checked.",
    flag=(
        Example(
            "DELETE FROM users WHERE id IN (SELECT ;",
            flagged="DELETE FROM users WHERE id IN (SELECT",
            severity=Severity.WARNING,
            message="This statement could not be parsed and contains DELETE",
        ),
        "ALTER TABLE events DROP PARTITION p2019;",
        "DO LANGUAGE plpgsql $body$ BEGIN EXECUTE 'TRUNCATE ' || target; END $body$;",
    ),
    clean=(
        "SELECT FROM WHERE;",
        "DELETE FROM users WHERE id = 1;",
        "DELETE FROM users;",
        "DO $$ BEGIN RAISE NOTICE 'DELETE FROM users is not run here'; END $$;",
        "DO $$ BEGIN UPDATE settings SET value = 'on' WHERE key = 'maintenance'; END $$;",
        "CREATE FUNCTION purge() RETURNS void AS $$ DELETE FROM sessions $$ LANGUAGE sql;",
        "DROP FUNCTION bt_metap(IN relname text, OUT magic int4, OUT version int4);",
    ),
    check=check,
    escalates=True,
    keywords=("delete", "update", "drop", "truncate", "merge", "grant", "alter", "execute"),  # EXECUTE: in DO bodies
    precision="medium",
    tags=("unverifiable",),
)
