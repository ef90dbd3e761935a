"""Write a deterministic corpus of PostgreSQL migrations and scripts for bench/run.py.

Usage: python bench/generate_sql.py [--out DIR] [--files N] [--total-kb KB] [--seed S]

The same arguments always give byte-identical files (one seeded random.Random, no clock, no
hash ordering), so timings from different runs and machines scan the same input. About 3 % of
statements are destructive (DELETE or UPDATE without WHERE, DROP TABLE, TRUNCATE) so every
analyzer has something to report; MANIFEST.json records where they are.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "sql-corpus"
MARKER = "MANIFEST.json"  # written last; its presence also tells us the folder is ours to clear
DESTRUCTIVE_SHARE = 0.03

# name -> columns as (name, type and constraints, kind for value generation). Every table also
# gets `id` (identity primary key) and `created_at`; "fk:T" columns reference T(id).
TABLES = {
    "teams": [
        ("slug", "text NOT NULL UNIQUE", "slug"),
        ("name", "text NOT NULL", "name"),
        ("plan", "text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro', 'enterprise'))", "plan"),
    ],
    "users": [
        ("email", "citext NOT NULL UNIQUE", "email"),
        ("display_name", "text", "name"),
        ("status", "text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'banned'))", "status"),
        ("last_seen_at", "timestamptz", "ts"),
    ],
    "memberships": [
        ("team_id", "bigint NOT NULL", "fk:teams"),
        ("user_id", "bigint NOT NULL", "fk:users"),
        ("role", "text NOT NULL DEFAULT 'member'", "role"),
    ],
    "products": [
        ("sku", "varchar(32) NOT NULL UNIQUE", "sku"),
        ("name", "text NOT NULL", "name"),
        ("price_cents", "integer NOT NULL CHECK (price_cents >= 0)", "cents"),
        ("attributes", "jsonb NOT NULL DEFAULT '{}'::jsonb", "json"),
    ],
    "orders": [
        ("user_id", "bigint NOT NULL", "fk:users"),
        ("status", "text NOT NULL DEFAULT 'pending'", "order_status"),
        ("total_cents", "bigint NOT NULL DEFAULT 0 CHECK (total_cents >= 0)", "cents"),
        ("placed_at", "timestamptz", "ts"),
    ],
    "order_items": [
        ("order_id", "bigint NOT NULL", "fk:orders"),
        ("product_id", "bigint NOT NULL", "fk:products"),
        ("quantity", "integer NOT NULL CHECK (quantity > 0)", "qty"),
        ("unit_price_cents", "integer NOT NULL", "cents"),
    ],
    "invoices": [
        ("order_id", "bigint NOT NULL", "fk:orders"),
        ("number", "text NOT NULL UNIQUE", "invoice_no"),
        ("amount_cents", "bigint NOT NULL", "cents"),
        ("due_on", "date NOT NULL", "date"),
        ("paid_at", "timestamptz", "ts"),
    ],
    "payments": [
        ("invoice_id", "bigint NOT NULL", "fk:invoices"),
        ("provider", "text NOT NULL", "provider"),
        ("amount_cents", "bigint NOT NULL CHECK (amount_cents > 0)", "cents"),
        ("status", "text NOT NULL DEFAULT 'pending'", "order_status"),
    ],
    "sessions": [
        ("user_id", "bigint NOT NULL", "fk:users"),
        ("token_hash", "bytea NOT NULL", "bytes"),
        ("expires_at", "timestamptz NOT NULL", "ts"),
        ("ip_address", "inet", "ip"),
    ],
    "audit_events": [
        ("actor_id", "bigint", "fk:users"),
        ("action", "text NOT NULL", "action"),
        ("payload", "jsonb NOT NULL DEFAULT '{}'::jsonb", "json"),
    ],
    "shipments": [
        ("order_id", "bigint NOT NULL", "fk:orders"),
        ("carrier", "text NOT NULL", "carrier"),
        ("tracking_code", "text", "slug"),
        ("shipped_at", "timestamptz", "ts"),
    ],
    "subscriptions": [
        ("team_id", "bigint NOT NULL", "fk:teams"),
        ("plan", "text NOT NULL", "plan"),
        ("seats", "integer NOT NULL DEFAULT 1 CHECK (seats > 0)", "qty"),
        ("renews_on", "date", "date"),
    ],
}
FK_ON_DELETE = ["CASCADE", "RESTRICT", "SET NULL", "NO ACTION"]
NEW_COLUMNS = [
    ("archived_at", "timestamptz"),
    ("external_ref", "text"),
    ("notes", "text"),
    ("metadata", "jsonb NOT NULL DEFAULT '{}'::jsonb"),
    ("priority", "smallint NOT NULL DEFAULT 0"),
    ("region", "varchar(32)"),
    ("is_test", "boolean NOT NULL DEFAULT false"),
    ("version", "integer NOT NULL DEFAULT 1"),
    ("deleted_at", "timestamptz"),
    ("source", "text DEFAULT 'web'"),
]
WORDS = [
    "alpha",
    "bravo",
    "cobalt",
    "delta",
    "ember",
    "fjord",
    "granite",
    "harbor",
    "indigo",
    "juniper",
    "kestrel",
    "lumen",
    "maple",
    "nimbus",
    "onyx",
    "pepper",
    "quartz",
    "raven",
    "sierra",
    "tundra",
]
CHOICES = {
    "plan": ["free", "pro", "enterprise"],
    "status": ["active", "inactive", "banned"],
    "role": ["owner", "admin", "member", "viewer"],
    "provider": ["stripe", "adyen", "paypal"],
    "order_status": ["pending", "paid", "shipped", "cancelled", "refunded"],
    "action": ["login", "logout", "order.create", "invoice.pay", "user.update"],
    "carrier": ["ups", "dhl", "fedex"],
}
WHY = [
    "needed by the billing dashboard",
    "see incident review 2024-03",
    "requested by support",
    "speeds up the nightly export",
    "part of the GDPR clean-up",
    "keeps the reporting queries fast",
]


class Writer:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng
        self.created: list[str] = []  # tables created so far, in corpus order

    # --- helpers -----------------------------------------------------------------------------
    def table(self) -> str:
        return self.r.choice(self.created or list(TABLES))

    def fk_pair(self) -> tuple[str, str, str]:
        """(child, fk column, parent) for joins that follow a real foreign key."""
        pairs = [(t, c, k[3:]) for t, cols in TABLES.items() for c, _, k in cols if k.startswith("fk:")]
        return self.r.choice(pairs)

    def value(self, kind: str) -> str:
        r = self.r
        if kind in CHOICES:
            return f"'{r.choice(CHOICES[kind])}'"
        if kind.startswith("fk:") or kind == "qty":
            return str(r.randint(1, 5000 if kind != "qty" else 12))
        return {
            "slug": lambda: f"'{r.choice(WORDS)}-{r.randint(1, 999)}'",
            "name": lambda: f"'{r.choice(WORDS).title()} {r.choice(WORDS).title()}'",
            "email": lambda: f"'{r.choice(WORDS)}.{r.randint(1, 9999)}@example.com'",
            "sku": lambda: f"'SKU-{r.randint(10000, 99999)}'",
            "cents": lambda: str(r.randint(100, 250000)),
            "ts": lambda: f"'2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {r.randint(0, 23):02d}:00:00+00'",
            "date": lambda: f"DATE '2025-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}'",
            "json": lambda: f'\'{{"source": "{r.choice(WORDS)}", "rev": {r.randint(1, 9)}}}\'::jsonb',
            "bytes": lambda: f"'\\x{r.getrandbits(64):016x}'::bytea",
            "ip": lambda: f"'10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}'::inet",
            "invoice_no": lambda: f"'INV-2024-{r.randint(1, 99999):05d}'",
        }[kind]()

    def comment(self) -> str:
        return f"-- {self.r.choice(WHY).capitalize()}.\n" if self.r.random() < 0.4 else ""

    # --- ordinary statements -----------------------------------------------------------------
    def create_table(self, t: str) -> str:
        lines = ["    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
        for name, decl, kind in TABLES[t]:
            if kind.startswith("fk:"):
                decl += f" REFERENCES {kind[3:]} (id) ON DELETE {self.r.choice(FK_ON_DELETE)}"
            lines.append(f"    {name} {decl}")
        lines.append("    created_at timestamptz NOT NULL DEFAULT now()")
        lines.append("    updated_at timestamptz NOT NULL DEFAULT now()")
        if t == "memberships":
            lines.append("    CONSTRAINT memberships_team_user_key UNIQUE (team_id, user_id)")
        self.created.append(t)
        return (
            f"CREATE TABLE IF NOT EXISTS {t} (\n" + ",\n".join(lines) + "\n);\n\n"
            f"COMMENT ON TABLE {t} IS '{t.replace('_', ' ').capitalize()}, {self.r.choice(WHY)}.';\n"
        )

    def create_index(self, in_tx: bool) -> str:
        t = self.table()
        name, _, kind = self.r.choice(TABLES[t])
        if kind == "json":
            return f"CREATE INDEX IF NOT EXISTS {t}_{name}_gin ON {t} USING gin ({name} jsonb_path_ops);\n"
        concurrently = "" if in_tx else "CONCURRENTLY "  # not allowed inside a transaction block
        partial = " WHERE created_at > DATE '2024-01-01'" if self.r.random() < 0.25 else ""
        return f"CREATE INDEX {concurrently}IF NOT EXISTS {t}_{name}_idx ON {t} ({name}, created_at DESC){partial};\n"

    def alter_table(self) -> str:
        t = self.table()
        col, decl = self.r.choice(NEW_COLUMNS)
        if self.r.random() < 0.2:
            return (
                f"ALTER TABLE {t} ADD CONSTRAINT {t}_id_positive CHECK (id > 0) NOT VALID;\n"
                f"ALTER TABLE {t} VALIDATE CONSTRAINT {t}_id_positive;\n"
            )
        return f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS {col} {decl};\n"

    def insert(self) -> str:
        t = self.table()
        cols = TABLES[t]
        rows = ["    (" + ", ".join(self.value(k) for _, _, k in cols) + ")" for _ in range(self.r.randint(2, 6))]
        conflict = ""
        unique = [c for c, d, _ in cols if "UNIQUE" in d]
        if unique and self.r.random() < 0.6:
            other = cols[-1][0]
            conflict = self.r.choice(
                [
                    f"\nON CONFLICT ({unique[0]}) DO NOTHING",
                    f"\nON CONFLICT ({unique[0]}) DO UPDATE SET {other} = EXCLUDED.{other}",
                ]
            )
        names = ", ".join(c for c, _, _ in cols)
        return f"INSERT INTO {t} ({names})\nVALUES\n" + ",\n".join(rows) + conflict + ";\n"

    def select_join(self) -> str:
        child, fk, parent = self.fk_pair()
        days = self.r.choice([7, 30, 90, 365])
        return (
            f"SELECT p.id, count(c.id) AS {child}_count, max(c.created_at) AS latest\n"
            f"FROM {parent} AS p\nLEFT JOIN {child} AS c ON c.{fk} = p.id\n"
            f"WHERE p.created_at >= now() - interval '{days} days'\n"
            f"GROUP BY p.id\nHAVING count(c.id) > {self.r.randint(1, 5)}\n"
            f"ORDER BY {child}_count DESC\nLIMIT {self.r.choice([10, 50, 100])};\n"
        )

    def select_cte_window(self) -> str:
        child, fk, parent = self.fk_pair()
        fn = self.r.choice(["row_number()", "rank()", "dense_rank()"])
        return (
            f"WITH ranked AS (\n    SELECT c.*, {fn} OVER (PARTITION BY c.{fk} ORDER BY c.created_at DESC) AS rn,\n"
            f"           lag(c.created_at) OVER (PARTITION BY c.{fk} ORDER BY c.created_at) AS previous_at\n"
            f"    FROM {child} AS c\n),\nrecent AS (\n"
            f"    SELECT * FROM ranked WHERE rn <= {self.r.randint(1, 5)}\n)\n"
            f"SELECT p.id, r.id AS {child}_id, r.created_at - r.previous_at AS gap,\n"
            f"       count(*) OVER (PARTITION BY p.id) AS per_{parent}\n"
            f"FROM recent AS r\nJOIN {parent} AS p ON p.id = r.{fk}\nORDER BY p.id, r.rn;\n"
        )

    def update_where(self) -> str:
        t = self.table()
        if self.r.random() < 0.3 and t == "orders":
            return (
                "UPDATE orders AS o\nSET total_cents = s.total\n"
                "FROM (SELECT order_id, sum(quantity * unit_price_cents) AS total FROM order_items GROUP BY order_id) AS s\n"
                "WHERE s.order_id = o.id AND o.total_cents <> s.total;\n"
            )
        col, _, kind = self.r.choice(TABLES[t])
        return (
            f"UPDATE {t}\nSET {col} = {self.value(kind)}, updated_at = now()\n"
            f"WHERE id = {self.r.randint(1, 90000)}{self.r.choice(['', f' AND {col} IS DISTINCT FROM {self.value(kind)}'])};\n"
        )

    def delete_where(self) -> str:
        t = self.table()
        return self.r.choice(
            [
                f"DELETE FROM {t}\nWHERE created_at < now() - interval '{self.r.randint(2, 36)} months'\nRETURNING id;\n",
                f"DELETE FROM {t} WHERE id IN (SELECT id FROM {t} WHERE updated_at < DATE '2023-01-01' LIMIT 1000);\n",
                f"DELETE FROM {t} WHERE id = {self.r.randint(1, 90000)};\n",
            ]
        )

    def function(self) -> str:
        t = self.table()
        if self.r.random() < 0.5:
            return (
                f"CREATE OR REPLACE FUNCTION {t}_touch_updated_at() RETURNS trigger\nLANGUAGE plpgsql AS $$\n"
                "BEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$;\n\n"
                f"CREATE OR REPLACE TRIGGER {t}_touch_updated_at\n    BEFORE UPDATE ON {t}\n"
                f"    FOR EACH ROW EXECUTE FUNCTION {t}_touch_updated_at();\n"
            )
        return (
            f"CREATE OR REPLACE FUNCTION purge_stale_{t}(keep_days integer DEFAULT 90) RETURNS bigint\n"
            "LANGUAGE plpgsql AS $fn$\nDECLARE\n    removed bigint;\nBEGIN\n"
            f"    -- Batch-delete old rows; callers schedule this nightly.\n"
            f"    DELETE FROM {t} WHERE created_at < now() - make_interval(days => keep_days);\n"
            "    GET DIAGNOSTICS removed = ROW_COUNT;\n    RETURN removed;\nEND;\n$fn$;\n"
        )

    def view(self) -> str:
        child, fk, parent = self.fk_pair()
        return (
            f"CREATE OR REPLACE VIEW {parent}_with_{child}_totals AS\n"
            f"SELECT p.id, p.created_at, coalesce(agg.n, 0) AS {child}_count\nFROM {parent} AS p\n"
            f"LEFT JOIN LATERAL (SELECT count(*) AS n FROM {child} AS c WHERE c.{fk} = p.id) AS agg ON true;\n"
        )

    # --- destructive statements (what the analyzers should flag) -----------------------------
    def destructive(self) -> str:
        t = self.table()
        col, _, kind = self.r.choice(TABLES[t])
        return self.r.choice(
            [
                f"DELETE FROM {t};\n",
                f"UPDATE {t} SET {col} = {self.value(kind)};\n",
                f"TRUNCATE TABLE {t};\n",
                f"DROP TABLE IF EXISTS {t};\n",
            ]
        )


def render_file(w: Writer, index: int, target: int) -> tuple[str, str, int, int]:
    """One migration: (file name, text, statements, destructive statements)."""
    r = w.r
    theme = list(TABLES)[index % len(TABLES)]
    in_tx = r.random() < 0.5
    is_script = index % 7 == 6  # every seventh file is an ad-hoc maintenance script, not a migration
    name = f"{index + 1:04d}_{'maintenance' if is_script else 'migrate'}_{theme}.sql"
    head = (
        f"-- {'Maintenance script' if is_script else 'Migration'} {index + 1:04d}: {theme}\n"
        f"-- Generated by bench/generate_sql.py for benchmarking; not a real schema.\n"
        "SET lock_timeout = '5s';\nSET statement_timeout = '60s';\n\n"
    )
    body = [w.create_table(theme)] if theme not in w.created and not is_script else []
    kinds = [
        w.create_index,
        w.alter_table,
        w.insert,
        w.insert,
        w.select_join,
        w.select_cte_window,
        w.update_where,
        w.delete_where,
        w.function,
        w.view,
    ]
    destructive = 0
    size = len(head) + sum(map(len, body)) + 20
    while True:
        if r.random() < DESTRUCTIVE_SHARE:
            stmt, hit = w.destructive(), 1
        else:
            make = r.choice(kinds)
            stmt, hit = (make(in_tx) if make == w.create_index else make()), 0
        stmt = w.comment() + stmt + "\n"
        if size + len(stmt) - target > target - size:
            break  # whichever of stopping here or adding one more lands nearer the target
        body.append(stmt)
        size += len(stmt)
        destructive += hit
    if index == 0:
        head += "CREATE EXTENSION IF NOT EXISTS citext;\n\n"  # users.email is citext
    text = head + ("BEGIN;\n\n" if in_tx else "") + "".join(body) + ("COMMIT;\n" if in_tx else "")
    return name, text, count_statements(text), destructive


def count_statements(text: str) -> int:
    """Top-level statements: lines ending in ';' outside dollar-quoted bodies (all ours are $$ or $fn$)."""
    count, in_body = 0, False
    for line in text.splitlines():
        if (line.count("$$") + line.count("$fn$")) % 2:
            in_body = not in_body
        if not in_body and line.rstrip().endswith(";") and not line.lstrip().startswith("--"):
            count += 1
    return count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"folder to write (default: {DEFAULT_OUT})")
    ap.add_argument("--files", type=int, default=50, help="number of .sql files (default: 50)")
    ap.add_argument("--total-kb", type=float, default=200, help="approximate total size in KB (default: 200)")
    ap.add_argument("--seed", type=int, default=20240601, help="random seed (default: 20240601)")
    args = ap.parse_args()

    out: Path = args.out
    old = sorted(out.glob("*.sql")) if out.is_dir() else []
    if old and not (out / MARKER).exists():
        ap.error(f"{out} holds .sql files this script did not write; choose another --out")
    for path in old:  # a smaller --files must not leave stale files behind
        path.unlink()
    out.mkdir(parents=True, exist_ok=True)

    w = Writer(random.Random(args.seed))
    target = int(args.total_kb * 1000 / args.files)
    manifest = {"seed": args.seed, "files": {}}
    for i in range(args.files):
        name, text, statements, destructive = render_file(w, i, target)
        (out / name).write_text(text, encoding="utf-8", newline="\n")
        manifest["files"][name] = {"bytes": len(text.encode()), "statements": statements, "destructive": destructive}
    files = manifest["files"].values()
    total, planted = sum(f["bytes"] for f in files), sum(f["destructive"] for f in files)
    statements = sum(f["statements"] for f in files)
    manifest.update(total_bytes=total, statements=statements, destructive_statements=planted)
    (out / MARKER).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(
        f"wrote {args.files} files, {total / 1000:.1f} KB, {statements} statements of which {planted} destructive "
        f"({planted / statements:.1%}), to {out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
