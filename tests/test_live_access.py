"""`blastguard access` against the PostgreSQL and MariaDB servers of this machine and SQLite files: roles
with known grants, each reported exactly, a read-only role reported as such (exit 0), and nothing changed.
A server that is not running skips its tests, saying so."""

from __future__ import annotations

import json
import os

import pytest

from conftest import err, out, run_cli

DATABASE = "blastguard_access"
SECRET = "hunter2-s3cret"

# Roles, each with one way of being able to destroy data (or none).
_PG_SETUP = [
    "CREATE ROLE bg_reader LOGIN",
    "CREATE ROLE bg_owner LOGIN",
    "CREATE ROLE bg_writer NOLOGIN",
    "CREATE ROLE bg_member LOGIN IN ROLE bg_writer",
    "CREATE ROLE bg_defaults LOGIN",
]
_PG_SHOP = [
    "CREATE SCHEMA shop",
    "GRANT USAGE ON SCHEMA shop TO PUBLIC",
    "CREATE TABLE shop.users (id int PRIMARY KEY, email text)",
    "CREATE TABLE shop.orders (id int PRIMARY KEY, total int)",
    "CREATE TABLE shop.ledger (id int PRIMARY KEY, amount int)",
    "ALTER TABLE shop.ledger OWNER TO bg_owner",
    "REVOKE ALL ON shop.users, shop.orders FROM PUBLIC",
    "GRANT SELECT ON shop.users, shop.orders TO bg_reader, bg_member, bg_defaults",
    "GRANT DELETE ON shop.orders TO bg_writer",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA shop GRANT DELETE ON TABLES TO bg_defaults",
]
_PG_ROLES = ("bg_reader", "bg_owner", "bg_member", "bg_writer", "bg_defaults")


@pytest.fixture(scope="module")
def postgres():
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect("postgresql://127.0.0.1:5432/test", connect_timeout=3, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not running on 127.0.0.1:5432 ({str(exc).splitlines()[0]})")

    def clean():
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        for role in _PG_ROLES:
            admin.execute(f"DROP ROLE IF EXISTS {role}")

    clean()
    for statement in _PG_SETUP:
        admin.execute(statement)
    admin.execute(f"CREATE DATABASE {DATABASE}")
    with psycopg.connect(f"postgresql://127.0.0.1:5432/{DATABASE}", autocommit=True) as shop:
        for statement in _PG_SHOP:
            shop.execute(statement)
    yield lambda role: f"postgresql://{role}@127.0.0.1:5432/{DATABASE}"
    clean()
    admin.close()


def access(url: str, *extra: str):
    result = run_cli("access", "--database-url", url, "--format", "json", *extra)
    assert "Traceback" not in err(result)
    findings = json.loads(out(result))["findings"] if out(result).strip() else []
    return result.returncode, [json.loads(f["snippet"]) | {"severity": f["severity"]} for f in findings], result


def _what(found: list[dict]) -> list[tuple[str, str, str, str]]:
    return sorted((c["kind"], c["what"], c["object"], c["via"]) for c in found)


def test_a_role_that_can_only_read_is_reported_as_such(postgres):
    code, found, result = access(postgres("bg_reader"))
    assert (code, found) == (0, [])
    assert "can only read" in err(result)


def test_an_owner_can_drop_its_table(postgres):
    code, found, _ = access(postgres("bg_owner"))
    assert code == 1
    assert _what(found) == [("owner", "TABLE", "shop.ledger", "directly")]
    assert found[0]["severity"] == "error" and "OWNER TO" in found[0]["revoke"]


def test_a_privilege_held_through_membership_names_the_role_it_comes_from(postgres):
    code, found, _ = access(postgres("bg_member"))
    assert code == 1
    assert _what(found) == [("privilege", "DELETE", "shop.orders", "bg_writer")]
    assert found[0]["revoke"] == "REVOKE DELETE ON shop.orders FROM bg_writer;"


def test_default_privileges_on_future_tables_are_reported(postgres):
    code, found, _ = access(postgres("bg_defaults"))
    assert code == 1
    assert [(c["kind"], c["what"], c["via"], c["severity"]) for c in found] == [
        ("default-privilege", "DELETE", "directly", "warning")
    ]
    assert "ALTER DEFAULT PRIVILEGES" in found[0]["revoke"]


def test_a_public_grant_reaches_every_role(postgres):
    import psycopg

    with psycopg.connect(f"postgresql://127.0.0.1:5432/{DATABASE}", autocommit=True) as shop:
        shop.execute("GRANT UPDATE ON shop.users TO PUBLIC")
        try:
            code, found, _ = access(postgres("bg_reader"))
        finally:
            shop.execute("REVOKE UPDATE ON shop.users FROM PUBLIC")
    assert code == 1
    assert _what(found) == [("privilege", "UPDATE", "shop.users", "PUBLIC")]
    assert found[0]["revoke"] == "REVOKE UPDATE ON shop.users FROM PUBLIC;"


def test_a_superuser_is_reported_once_as_superuser(postgres):
    code, found, _ = access(f"postgresql://127.0.0.1:5432/{DATABASE}")  # as this machine's admin role
    assert code == 1
    assert [(c["kind"], c["what"]) for c in found if c["kind"] == "attribute"][0] == ("attribute", "SUPERUSER")
    assert all(c["kind"] == "attribute" for c in found)


def test_the_password_is_never_shown_and_every_format_carries_the_findings(postgres):
    url = postgres("bg_owner").replace("bg_owner@", f"bg_owner:{SECRET}@")
    for form in ("text", "json", "sarif", "github"):
        result = run_cli("access", "--database-url", url, "--format", form)
        assert result.returncode == 1 and SECRET not in out(result) + err(result), form
        assert "DB101" in out(result), form
    unreachable = run_cli("access", "--database-url", f"postgresql://bob:{SECRET}@127.0.0.1:5432/no_such_db")
    assert unreachable.returncode == 2 and SECRET not in err(unreachable)
    assert len(err(unreachable).strip().splitlines()) == 1


# --- MariaDB -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mariadb():
    pymysql = pytest.importorskip("pymysql")
    try:
        admin = pymysql.connect(host="127.0.0.1", port=3306, user="root", autocommit=True)
    except pymysql.MySQLError as exc:
        pytest.skip(f"MariaDB is not running on 127.0.0.1:3306 ({exc})")
    statements = [
        f"DROP DATABASE IF EXISTS {DATABASE}",
        "DROP USER IF EXISTS 'bg_reader'@'%', 'bg_deleter'@'%', 'bg_dropper'@'%'",
        f"CREATE DATABASE {DATABASE}",
        f"CREATE TABLE {DATABASE}.users (id int PRIMARY KEY)",
        "CREATE USER 'bg_reader'@'%', 'bg_deleter'@'%', 'bg_dropper'@'%'",
        f"GRANT SELECT ON {DATABASE}.* TO 'bg_reader'@'%', 'bg_deleter'@'%', 'bg_dropper'@'%'",
        f"GRANT DELETE ON {DATABASE}.users TO 'bg_deleter'@'%'",
        f"GRANT DROP ON {DATABASE}.* TO 'bg_dropper'@'%'",
    ]
    with admin.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    yield lambda user: f"mysql://{user}@127.0.0.1:3306/{DATABASE}"
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cursor.execute("DROP USER IF EXISTS 'bg_reader'@'%', 'bg_deleter'@'%', 'bg_dropper'@'%'")
    admin.close()


def test_mariadb_grants_by_level(mariadb):
    assert access(mariadb("bg_reader"))[:2] == (0, [])
    code, found, _ = access(mariadb("bg_deleter"))
    assert code == 1 and _what(found) == [("privilege", "DELETE", f"`{DATABASE}`.`users`", "directly")]
    assert found[0]["revoke"] == f"REVOKE DELETE ON `{DATABASE}`.`users` FROM 'bg_deleter'@'%';"
    code, found, _ = access(mariadb("bg_dropper"))
    assert code == 1 and _what(found) == [("privilege", "DROP", f"`{DATABASE}`.*", "directly")]
    assert found[0]["severity"] == "error"


# --- SQLite and what is collected -------------------------------------------------------------------------------


def test_a_writable_sqlite_file_is_reported_and_a_saved_report_checks_again(tmp_path):
    import sqlite3

    path = tmp_path / "app.db"
    sqlite3.connect(path).execute("CREATE TABLE t (id int)").connection.close()
    saved = tmp_path / "app.blastguard-access.jsonl"
    code, found, _ = access(f"sqlite:///{path}", "--save", str(saved))
    assert code == 1 and _what(found) == [("writable-file", "WRITE", str(path), "directly")]
    again = run_cli("check", str(saved), "--format", "json")
    assert [f["rule_id"] for f in json.loads(out(again))["findings"]] == ["DB101"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write every file, so no file is read-only to it")
def test_a_sqlite_file_the_process_cannot_write_is_read_only(tmp_path):
    import sqlite3

    path = tmp_path / "app.db"
    sqlite3.connect(path).execute("CREATE TABLE t (id int)").connection.close()
    path.chmod(0o444)
    assert access(f"sqlite:///{path}")[:2] == (0, [])


def test_a_saved_line_that_is_not_a_capability_is_not_checked_rather_than_clean(tmp_path):
    saved = tmp_path / "x.blastguard-access.jsonl"
    saved.write_text('{"engine": "postgresql"}\nnot json\n')
    result = run_cli("check", str(saved), "--format", "json")
    assert result.returncode == 1
    assert [f["rule_id"] for f in json.loads(out(result))["findings"]] == ["BG005", "BG005"]
