"""SQL105 null-comparison: `= NULL` and `<> NULL` in a DELETE or UPDATE can never be true."""

from __future__ import annotations

from sqlglot import exp

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.sql._sql import null_comparisons, table_label, target_table, term_span

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.sql.frontend import SqlDocument, Statement


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    for node in stmt.find_all(exp.Delete, exp.Update, exp.Merge):
        predicates = [node.args.get(key) for key in ("where", "on")]
        for predicate in filter(None, predicates):
            for comparison in null_comparisons(predicate):
                span = term_span(stmt, comparison) or (stmt.start, stmt.end)
                keyword = type(node).__name__.upper()
                written = " ".join(document.text[span[0] : span[1]].split())
                yield Hit(
                    *span,
                    f"`{written}` in the {keyword} on {table_label(target_table(node))} is "
                    "never true, because comparing with NULL yields NULL, so the statement matches no rows. "
                    "Use IS NULL / IS NOT NULL; do not 'fix' it by dropping the condition.",
                )


RULE = Rule(
    id="SQL105",
    name="null-comparison",
    language="sql",
    severity=Severity.WARNING,
    summary="A DELETE or UPDATE compares with NULL using = or <>, which is never true.",
    rationale=(
        "`WHERE deleted_at = NULL` matches nothing, so the statement silently does nothing. The danger is "
        "the next step: an agent that sees '0 rows affected' tends to loosen or remove the condition. "
        "`NOT IN (…, NULL)` is never true for the same reason."
    ),
    fix="Use IS NULL or IS NOT NULL.",
    flag=(
        Example(
            "DELETE FROM users WHERE deleted_at = NULL;",
            flagged="deleted_at = NULL",
            severity=Severity.WARNING,
            message="`deleted_at = NULL` in the DELETE on users is never true",
        ),
        "UPDATE users SET active = false WHERE last_login <> NULL;",
        "DELETE FROM users WHERE id = 5 AND email != NULL;",
        "DELETE FROM users WHERE id NOT IN (1, 2, NULL);",
    ),
    clean=(
        "UPDATE users SET email = NULL WHERE id = 1;",
        "DELETE FROM users WHERE deleted_at IS NULL AND id = 1;",
        "SELECT * FROM users WHERE deleted_at = NULL;",
        "DELETE FROM users WHERE id IN (1, 2, NULL);",
    ),
    check=check,
    keywords=("null",),
    precision="very-high",
    tags=("correctness",),
)
