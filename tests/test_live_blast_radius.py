"""SQL120 against real databases: the PostgreSQL and MariaDB servers of this machine and SQLite files.

Each database holds the same shop: 1,000 users, 900 of whom never logged in (`last_login IS NULL`),
and 2,000 orders. Estimates must come within 10 % of the true count, exact counts must be exact, the
thresholds must be honoured, and nothing may change: every table's row count and checksum are the
same before and after, whatever the statement (RETURNING, a CTE with DML, several statements in one
text, a function that deletes). A server that is not running skips its tests, saying so.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import sys

import pytest

from blastguard.api import check_text
from blastguard.config import parse_table
from blastguard.interfaces import hook
from blastguard.live.connections import open_read_only
from blastguard.live.urls import LiveError, parse_url
from conftest import err, out, run_cli
from hook_calls import CLEAN_ENV, claude

DATABASE = "blastguard_live"
TOLERANCE = 0.10  # an estimate within 10 % of the true count
USERS, NEVER_LOGGED_IN, ORDERS = 1000, 900, 2000
SECRET = "hunter2-s3cret"


# --- the three databases -------------------------------------------------------------------------------


def _postgres_admin():
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect("postgresql://127.0.0.1:5432/test", connect_timeout=3, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not running on 127.0.0.1:5432 ({str(exc).splitlines()[0]})")


def _mariadb_admin(database=None):
    pymysql = pytest.importorskip("pymysql")
    try:
        return pymysql.connect(host="127.0.0.1", port=3306, user="root", database=database, autocommit=True)
    except pymysql.MySQLError as exc:
        pytest.skip(f"MariaDB is not running on 127.0.0.1:3306 ({exc})")


SHOP_POSTGRES = [
    "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, plan text NOT NULL DEFAULT 'free', "
    "last_login timestamptz)",
    "INSERT INTO users SELECT g, 'user' || g || '@example.com', CASE WHEN g % 7 = 0 THEN 'pro' ELSE 'free' END, "
    "CASE WHEN g <= 100 THEN now() END FROM generate_series(1, 1000) g",
    "CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users (id), total_cents int NOT NULL)",
    "INSERT INTO orders SELECT g, 1 + g % 1000, 100 * (g % 50) FROM generate_series(1, 2000) g",
    "CREATE TABLE audit (id serial PRIMARY KEY, note text)",
    # A function with side effects: estimating a statement that calls it must not run it.
    "CREATE FUNCTION purge_audit() RETURNS int LANGUAGE plpgsql VOLATILE AS "
    "$$ BEGIN DELETE FROM users; RETURN 1; END $$",
    "ANALYZE",
]


@pytest.fixture(scope="module")
def postgres():
    admin = _postgres_admin()
    admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
    admin.execute(f"CREATE DATABASE {DATABASE}")
    import psycopg

    with psycopg.connect(f"postgresql://127.0.0.1:5432/{DATABASE}", autocommit=True) as shop:
        for statement in SHOP_POSTGRES:
            shop.execute(statement)
    yield f"postgresql://127.0.0.1:5432/{DATABASE}"
    admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    admin.close()


@pytest.fixture(scope="module")
def mariadb():
    admin = _mariadb_admin()
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cursor.execute(f"CREATE DATABASE {DATABASE}")
        cursor.execute(f"USE {DATABASE}")
        for statement in (
            "CREATE TABLE users (id int PRIMARY KEY, email varchar(100) NOT NULL, plan varchar(10) NOT NULL "
            "DEFAULT 'free', last_login datetime NULL)",
            "INSERT INTO users SELECT seq, CONCAT('user', seq, '@example.com'), IF(seq % 7 = 0, 'pro', 'free'), "
            "IF(seq <= 100, NOW(), NULL) FROM seq_1_to_1000",
            "CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL, total_cents int NOT NULL)",
            "INSERT INTO orders SELECT seq, 1 + seq % 1000, 100 * (seq % 50) FROM seq_1_to_2000",
            "CREATE FUNCTION purge_audit() RETURNS int MODIFIES SQL DATA BEGIN DELETE FROM users; RETURN 1; END",
            "ANALYZE TABLE users PERSISTENT FOR ALL",
            "ANALYZE TABLE orders PERSISTENT FOR ALL",
        ):
            cursor.execute(statement)
    yield f"mysql://root@127.0.0.1:3306/{DATABASE}"
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
    admin.close()


@pytest.fixture
def sqlite_shop(tmp_path):
    path = tmp_path / "shop.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, plan TEXT, last_login TEXT)")
    connection.executemany(
        "INSERT INTO users VALUES (?, ?, ?, ?)",
        [
            (i, f"user{i}@example.com", "pro" if i % 7 == 0 else "free", "2026-11-01" if i <= 100 else None)
            for i in range(1, 1001)
        ],
    )
    connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total_cents INTEGER)")
    connection.executemany(
        "INSERT INTO orders VALUES (?, ?, ?)", [(i, 1 + i % 1000, 100 * (i % 50)) for i in range(1, 2001)]
    )
    connection.commit()
    connection.close()
    return f"sqlite:///{path}"


def _state(url: str) -> dict[str, tuple[int, str]]:
    """(row count, checksum) of every table: what must not change."""
    if url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(url) as connection:
            tables = [r[0] for r in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            return {
                t: connection.execute(
                    f"SELECT count(*), coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') FROM {t} x"
                ).fetchone()
                for t in sorted(tables)
            }
    if url.startswith("mysql"):
        admin = _mariadb_admin(DATABASE)
        with admin.cursor() as cursor:
            cursor.execute("SHOW TABLES")
            tables = sorted(r[0] for r in cursor.fetchall())
            state = {}
            for table in tables:
                cursor.execute(f"SELECT count(*) FROM {table}")
                count = cursor.fetchone()[0]
                cursor.execute(f"CHECKSUM TABLE {table}")
                state[table] = (count, str(cursor.fetchone()[1]))
        admin.close()
        return state
    connection = sqlite3.connect(parse_url(url).database)
    tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    state = {}
    for table in tables:
        rows = connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        state[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    connection.close()
    return state


def live(sql: str, url: str, **settings):
    config = parse_table({"database-url": url, **settings}, None, ".")
    return [f for f in check_text(sql, filename="cleanup.sql", config=config) if f.rule_id == "SQL120"]


def within(rows: int, truth: int) -> bool:
    return abs(rows - truth) <= max(1, TOLERANCE * truth)


# --- estimates and thresholds ------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["postgres", "mariadb", "sqlite_shop"])
def test_estimates_are_near_the_truth_and_exact_counts_exact(engine, request):
    url = request.getfixturevalue(engine)
    (planned,) = live("DELETE FROM users WHERE last_login IS NULL;", url)
    radius = planned.properties["blast_radius"]
    assert within(radius["rows"], NEVER_LOGGED_IN) and within(radius["table_rows"], USERS), radius
    assert radius["method"] == ("exact" if engine == "sqlite_shop" else "planner")
    assert planned.severity.label == "error" and "would delete about" in planned.message
    (counted,) = live("DELETE FROM users WHERE last_login IS NULL;", url, **{"exact-count": True})
    assert counted.properties["blast_radius"]["rows"] == NEVER_LOGGED_IN
    assert counted.properties["blast_radius"]["method"] == "exact"
    (joined,) = live(
        "UPDATE orders SET total_cents = 0 WHERE user_id IN (SELECT id FROM users WHERE id <= 10);",
        url,
        **{"exact-count": True},
    )
    assert joined.properties["blast_radius"]["rows"] == 20  # orders of users 1..10: two each


@pytest.mark.parametrize("engine", ["postgres", "mariadb", "sqlite_shop"])
def test_thresholds_are_honoured_and_a_small_change_is_a_note(engine, request):
    url = request.getfixturevalue(engine)
    (one,) = live("DELETE FROM users WHERE id = 7;", url)
    assert one.severity.label == "note" and "1 of" in one.message
    (five,) = live("DELETE FROM users WHERE id <= 50;", url, **{"exact-count": True})
    assert five.severity.label == "error" and "more than max-affected-pct = 1 %" in five.message
    (allowed,) = live("DELETE FROM users WHERE id <= 50;", url, **{"exact-count": True, "max-affected-pct": 10})
    assert allowed.severity.label == "note"
    (rows,) = live(
        "DELETE FROM users WHERE id <= 20;",
        url,
        **{"exact-count": True, "max-affected-pct": 10, "max-affected-rows": 10},
    )
    assert rows.severity.label == "error" and "max-affected-rows = 10" in rows.message


def test_placeholders_give_the_servers_generic_estimate_and_say_so(postgres):
    for sql in (
        "DELETE FROM users WHERE id = $1;",
        "DELETE FROM users WHERE id = %s;",
        "DELETE FROM users WHERE id = :id;",
    ):
        (found,) = live(sql, postgres)
        assert found.properties["blast_radius"]["method"] == "generic", sql
        assert "generic estimate, since the statement has parameter placeholders" in found.message


@pytest.mark.parametrize("engine", ["mariadb", "sqlite_shop"])
def test_placeholders_where_the_server_has_no_generic_estimate_are_unverifiable(engine, request):
    (found,) = live("DELETE FROM users WHERE id = ?;", request.getfixturevalue(engine))
    assert found.severity.label == "warning" and "placeholders" in found.message


@pytest.mark.parametrize("engine", ["postgres", "mariadb", "sqlite_shop"])
def test_what_cannot_be_estimated_is_reported_with_the_servers_reason(engine, request):
    url = request.getfixturevalue(engine)
    (missing,) = live("DELETE FROM accounts WHERE id = 1;", url)
    assert missing.severity.label == "warning" and "could not estimate" in missing.message
    assert "accounts" in missing.message  # the server's reason names the table
    if engine != "sqlite_shop":
        (side_effect,) = live("DELETE FROM orders WHERE id = purge_audit();", url)
        assert side_effect.severity.label == "warning" and "purge_audit()" in side_effect.message


# --- nothing changes ----------------------------------------------------------------------------------------

UNCHANGED = [
    "DELETE FROM users WHERE last_login IS NULL RETURNING id;",
    "WITH gone AS (DELETE FROM users WHERE id <= 500 RETURNING id) DELETE FROM orders WHERE user_id IN (SELECT id FROM gone);",
    "DELETE FROM orders; DELETE FROM users; UPDATE users SET email = NULL;",
    "DELETE FROM orders WHERE id = purge_audit();",
    "UPDATE users SET plan = 'gone' WHERE id > 0;",
    "MERGE INTO users t USING orders s ON t.id = s.user_id WHEN MATCHED THEN DELETE;",
]


@pytest.mark.parametrize("engine", ["postgres", "mariadb", "sqlite_shop"])
def test_nothing_changes_whatever_the_statement(engine, request):
    url = request.getfixturevalue(engine)
    before = _state(url)
    for sql in UNCHANGED:
        for exact in (False, True):
            live(sql, url, **{"exact-count": exact})
    assert _state(url) == before


@pytest.mark.parametrize("engine", ["postgres", "mariadb", "sqlite_shop"])
def test_the_session_refuses_to_write(engine, request):
    url = request.getfixturevalue(engine)
    session = open_read_only(parse_url(url))
    before = _state(url)
    for write in ("DELETE FROM users", "CREATE TABLE intruder (id int)", "UPDATE users SET email = 'x'"):
        with pytest.raises(LiveError):
            session.ask([(write, ())])
    # two statements in one text are refused too, whatever the first one is
    with pytest.raises(LiveError):
        session.ask([("SELECT 1; DELETE FROM users", ())])
    session.close()
    assert _state(url) == before


# --- secrecy ------------------------------------------------------------------------------------------------


def test_the_password_never_appears_in_any_output_or_error(postgres, tmp_path):
    secret_url = postgres.replace("127.0.0.1", f"bob:{SECRET}@127.0.0.1")
    missing_url = f"postgresql://bob:{SECRET}@127.0.0.1:5432/no_such_database"
    sql = tmp_path / "cleanup.sql"
    sql.write_text("DELETE FROM users WHERE last_login IS NULL;\n")
    audit = tmp_path / "audit.jsonl"
    (tmp_path / "blastguard.toml").write_text(f'audit-log = "{audit}"\n')
    for url in (secret_url, missing_url):
        for form in ("text", "json", "sarif", "github"):
            result = run_cli("check", str(sql), "--format", form, "--database-url", url, cwd=tmp_path)
            assert SECRET not in out(result) + err(result), form
            assert "***" in out(result), form
        payload = json.dumps(claude("Bash", {"command": "psql -c 'DELETE FROM users WHERE id <= 900'"}, tmp_path))
        answer = io.StringIO()
        hook.run(
            None,
            str(tmp_path / "blastguard.toml"),
            stdin=io.BytesIO(payload.encode()),
            stdout=answer,
            environ={**CLEAN_ENV, "BLASTGUARD_DATABASE_URL": url},
        )
        assert SECRET not in answer.getvalue() and SECRET not in audit.read_text()


# --- where the database comes from ---------------------------------------------------------------------------


def test_the_hook_asks_the_database_its_environment_names(postgres, tmp_path):
    """`WHERE id <= 900` looks bounded to every static rule; the database says it is 90 % of users."""
    payload = json.dumps(claude("Bash", {"command": "psql -c 'DELETE FROM users WHERE id <= 900'"}, tmp_path))

    def decide(environ):
        answer = io.StringIO()
        hook.run(None, None, stdin=io.BytesIO(payload.encode()), stdout=answer, environ=environ)
        return json.loads(answer.getvalue())["hookSpecificOutput"] if answer.getvalue() else {}

    assert decide(CLEAN_ENV) == {}  # allowed: nothing static is wrong with it
    denied = decide({**CLEAN_ENV, "BLASTGUARD_DATABASE_URL": postgres})
    assert denied["permissionDecision"] == "deny" and "900 of 1,000 rows of users" in denied["permissionDecisionReason"]


def test_a_project_configuration_cannot_point_the_hook_at_another_database(postgres, sqlite_shop, tmp_path):
    """An agent could write a configuration naming an empty copy, where every delete looks small."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "blastguard.toml").write_text(f'database-url = "{sqlite_shop}"\nmax-affected-pct = 100\n')
    payload = json.dumps(claude("Bash", {"command": "psql -c 'DELETE FROM users WHERE id <= 900'"}, tmp_path))
    answer = io.StringIO()
    hook.run(
        None,
        None,
        stdin=io.BytesIO(payload.encode()),
        stdout=answer,
        environ={**CLEAN_ENV, "BLASTGUARD_DATABASE_URL": postgres},
    )
    decided = json.loads(answer.getvalue())["hookSpecificOutput"]
    assert decided["permissionDecision"] == "deny"
    assert "ignored database-url" in decided["permissionDecisionReason"]


def test_databases_maps_paths_to_urls(sqlite_shop, tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "purge.sql").write_text("DELETE FROM users WHERE id <= 100;\n")
    (tmp_path / "scratch.sql").write_text("DELETE FROM users WHERE id <= 100;\n")
    (tmp_path / "blastguard.toml").write_text(f'[databases]\n"reports/**" = "{sqlite_shop}"\n')
    result = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    live_findings = [f["path"] for f in json.loads(out(result))["findings"] if f["rule_id"] == "SQL120"]
    assert live_findings == ["reports/purge.sql"]


def test_a_bad_url_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "x.sql").write_text("DELETE FROM users WHERE id = 1;\n")
    for bad in ("ftp://db.example.com/app", "sqlite://", "postgresql://db:notaport/app"):
        result = run_cli("check", "x.sql", "--database-url", bad, cwd=tmp_path)
        assert result.returncode == 2 and len(err(result).strip().splitlines()) == 1, bad
        assert "Traceback" not in err(result)


def test_the_mcp_server_asks_the_database_its_environment_names(sqlite_shop, tmp_path):
    """A server started with BLASTGUARD_DATABASE_URL estimates what `check_command` is given."""
    pytest.importorskip("mcp")
    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    (tmp_path / ".git").mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NO_COLOR": "1", "BLASTGUARD_DATABASE_URL": sqlite_shop}
    server = StdioServerParameters(command=sys.executable, args=["-m", "blastguard", "mcp"], cwd=str(tmp_path), env=env)

    async def check(command: str) -> dict:
        async with stdio_client(server) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            result = await client.call_tool("check_command", {"command": command})
            return json.loads(result.content[0].text)

    answer = anyio.run(check, "sqlite3 shop.db 'DELETE FROM users WHERE id <= 900'")
    assert answer["decision"] == "deny"
    (found,) = [f for f in answer["findings"] if f["rule_id"] == "SQL120"]
    assert found["properties"]["blast_radius"]["rows"] == 900


def test_sarif_carries_the_estimate_in_the_results_properties_and_message(sqlite_shop, tmp_path):
    (tmp_path / "cleanup.sql").write_text("DELETE FROM users WHERE last_login IS NULL;\n")
    result = run_cli("check", "cleanup.sql", "--format", "sarif", "--database-url", sqlite_shop, cwd=tmp_path)
    (found,) = [r for r in json.loads(out(result))["runs"][0]["results"] if r["ruleId"] == "SQL120"]
    assert found["properties"]["blast_radius"]["rows"] == NEVER_LOGGED_IN
    assert found["properties"]["blast_radius"]["table_rows"] == USERS
    assert "900 of 1,000 rows of users (90 %)" in found["message"]["text"]


def test_a_databases_pattern_matches_the_path_as_written_without_losing_its_leading_dot():
    from blastguard.live.ask import url_for

    databases = {"reports/**": "sqlite:///r.db", ".ops/**": "sqlite:///o.db"}
    assert url_for("./reports/purge.sql", None, databases) == "sqlite:///r.db"
    assert url_for(".ops/purge.sql", None, databases) == "sqlite:///o.db"
    assert url_for("ops/purge.sql", "sqlite:///default.db", databases) == "sqlite:///default.db"
