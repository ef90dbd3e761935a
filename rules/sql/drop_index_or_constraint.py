"""SQL207 drop-index-or-constraint: dropping an index or a constraint, the 'destructive optimisation'."""

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

_CONSTRAINT_KINDS = {"CONSTRAINT", "INDEX", "KEY", "FOREIGN KEY", "PRIMARY KEY", "UNIQUE", "CHECK"}


def _dropped(node: exp.Alter) -> list[tuple[str, str | None]]:
    """(what is dropped, as a message says it; the name an `ADD CONSTRAINT` gives back, "primary key" for
    one `ADD PRIMARY KEY` gives back, None for what no ADD CONSTRAINT restores: an index, a CASCADE that
    also drops other tables' foreign keys)."""
    dropped: list[tuple[str, str | None]] = []
    for action in node.args.get("actions") or []:
        if isinstance(action, exp.DropPrimaryKey):
            dropped.append(("the primary key", "primary key"))
        elif isinstance(action, exp.Drop) and (kind := str(action.args.get("kind", "")).upper()) in _CONSTRAINT_KINDS:
            names = [t.name for t in action.args.get("tables") or []]
            restorable = len(names) == 1 and kind not in ("INDEX", "KEY") and not action.args.get("cascade")
            dropped.append((f"{kind.lower()} {', '.join(names)}".strip(), names[0] if restorable else None))
        elif isinstance(action, exp.Command) and action.name.upper() == "DROP":
            rest = str(action.expression or "").replace(",", " ").split()  # e.g. "CONSTRAINT name", "PRIMARY KEY"
            if rest and rest[0].upper() in ("CONSTRAINT", "PRIMARY", "FOREIGN", "INDEX", "KEY", "UNIQUE", "CHECK"):
                dropped.append((" ".join(rest[:2]).lower(), _restored_by(rest)))
    return dropped


def _restored_by(words: list[str]) -> str | None:
    """The constraint name of `CONSTRAINT name` / `FOREIGN KEY name`, or "primary key", in the words of
    a DROP that sqlglot keeps as text; None when a CASCADE in it drops more."""
    upper = [w.upper() for w in words]
    if "CASCADE" in upper:
        return None
    if upper[0] == "PRIMARY":
        return "primary key"
    name_at = {"CONSTRAINT": 1, "FOREIGN": 2}.get(upper[0])
    return words[name_at] if name_at and len(words) > name_at else None


def _not_restored(stmt: Statement, document: SqlDocument, node: exp.Alter) -> list[str]:
    """What the ALTER drops that the script does not add back: dropping a constraint and adding one of
    the same name to the same table (how Prisma and Django change a foreign key's ON DELETE) removes
    no guarantee."""
    return [
        what for what, name in _dropped(node) if not (name and document.constraint_added_after(node.this, name, stmt))
    ]


def check(stmt: Statement, document: SqlDocument) -> Iterator[Hit]:
    node = stmt.expression
    if isinstance(node, exp.Drop) and str(node.args.get("kind", "")).upper() == "INDEX":
        names = ", ".join(t.sql() for t in node.args.get("tables") or [])
        yield Hit(
            stmt.start,
            stmt.end,
            f"DROP INDEX {names} removes an index that queries or a uniqueness guarantee may "
            "depend on; if it backs a UNIQUE rule, duplicates can creep in. Confirm it is unused (pg_stat_user_indexes) "
            "and that nothing relies on it.",
        )
    elif isinstance(node, exp.Alter) and (dropped := _not_restored(stmt, document, node)):
        yield Hit(
            stmt.start,
            stmt.end,
            f"ALTER TABLE {table_label(node.this)} drops {', '.join(dropped)}; without it "
            "the database stops rejecting duplicate, orphaned or invalid rows, and the damage is silent. "
            "Fix the data that violates the constraint instead of removing it.",
        )


RULE = Rule(
    id="SQL207",
    name="drop-index-or-constraint",
    language="sql",
    severity=Severity.WARNING,
    summary="DROP INDEX or DROP CONSTRAINT removes a guarantee the data relies on.",
    rationale=(
        "An agent told to speed up writes or to get past a constraint violation may 'optimise' by dropping "
        "an index or a constraint. Nothing is deleted at once, but duplicates and orphans start to accumulate "
        "silently, and queries that used the index slow down. A person should look. It fires on DROP INDEX "
        "and on an ALTER TABLE that drops a constraint, a foreign key, a primary key, an index or a key, "
        "unless the same file adds a constraint of the same name (or a primary key) to the same table in "
        "that statement or a later one: that replaces the constraint (how Prisma and Django change a "
        "foreign key's ON DELETE) and removes no guarantee. A name that differs only in the suffix naming "
        "conventions give the same kind of constraint (`_uq` and `_key`, `_fk` and `_fkey`, `_pk` and "
        "`_pkey`, `_ck` and `_check`) is the same constraint renamed. SQL that a program runs one statement "
        "at a time counts as one script when one function runs it, with the constraints its Alembic "
        "operations create."
    ),
    fix="Fix the data that violates the constraint; drop indexes only after confirming they are unused.",
    flag=(
        Example(
            "DROP INDEX idx_users_email;",
            flagged="DROP INDEX idx_users_email",
            severity=Severity.WARNING,
            message="DROP INDEX idx_users_email removes an index that queries or a uniqueness",
        ),
        "DROP INDEX CONCURRENTLY IF EXISTS idx_users_email;",
        "ALTER TABLE users DROP CONSTRAINT users_email_key;",
        "ALTER TABLE orders DROP FOREIGN KEY fk_orders_customer;",
        "ALTER TABLE users DROP PRIMARY KEY;",
        # Dropped without being added back, or added back to another table or under another name.
        Example(
            'ALTER TABLE "Post" DROP CONSTRAINT "Post_authorId_fkey";\n'
            'ALTER TABLE "Comment" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") '
            'REFERENCES "User"("id");',
            flagged='ALTER TABLE "Post" DROP CONSTRAINT "Post_authorId_fkey"',
            message="drops constraint Post_authorId_fkey",
        ),
        "ALTER TABLE orders DROP CONSTRAINT orders_customer_fk;\n"
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk_v2 FOREIGN KEY (customer_id) REFERENCES customers (id);",
        # A suffix of another kind, or another stem: not the same constraint renamed.
        "ALTER TABLE orders DROP CONSTRAINT orders_customer_fkey;\n"
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_key UNIQUE (customer_id);",
        "ALTER TABLE dag_run DROP CONSTRAINT dag_run_dag_id_uq;\n"
        "ALTER TABLE dag_run ADD CONSTRAINT dag_run_run_id_key UNIQUE (run_id);",
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\n"
        "ALTER TABLE orders DROP CONSTRAINT orders_customer_fk;",
        # CASCADE also drops the foreign keys of other tables that depend on it; adding it back restores none.
        "ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE;\n"
        "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (id, tenant_id);",
    ),
    clean=(
        "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
        "ALTER TABLE users DROP COLUMN legacy_flag;",
        # The constraint is replaced in the same file: Prisma's and Django's way to change ON DELETE.
        '-- DropForeignKey\nALTER TABLE "Post" DROP CONSTRAINT "Post_authorId_fkey";\n\n'
        '-- AddForeignKey\nALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") '
        'REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;',
        "ALTER TABLE `Post` DROP FOREIGN KEY `Post_authorId_fkey`;\n"
        "ALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) "
        "REFERENCES `User`(`id`) ON DELETE SET NULL ON UPDATE CASCADE;",
        "ALTER TABLE app_book DROP CONSTRAINT app_book_author_id_fk;\n"
        "ALTER TABLE app_book ALTER COLUMN author_id DROP NOT NULL;\n"
        "ALTER TABLE app_book ADD CONSTRAINT app_book_author_id_fk FOREIGN KEY (author_id) "
        "REFERENCES app_author (id) DEFERRABLE INITIALLY DEFERRED;",
        "ALTER TABLE users DROP CONSTRAINT users_email_key, ADD CONSTRAINT users_email_key UNIQUE (email, tenant);",
        "ALTER TABLE `orders` DROP PRIMARY KEY, ADD PRIMARY KEY (`id`, `tenant_id`);",
        "ALTER TABLE orders DROP PRIMARY KEY;\nALTER TABLE orders ADD CONSTRAINT orders_pk PRIMARY KEY (id, tenant_id);",
        # Renamed to another naming convention's suffix for the same kind.
        "ALTER TABLE dag_run DROP CONSTRAINT IF EXISTS dag_run_dag_id_run_id_uq;\n"
        "ALTER TABLE dag_run ADD CONSTRAINT dag_run_dag_id_run_id_key UNIQUE (dag_id, run_id);",
        "ALTER TABLE IF EXISTS ONLY public.orders DROP CONSTRAINT IF EXISTS orders_total_check;\n"
        "ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);",
    ),
    check=check,
    keywords=("drop",),
    precision="high",
    tags=("integrity",),
)
