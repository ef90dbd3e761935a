"""Read-only sessions on PostgreSQL, MySQL/MariaDB and SQLite.

Each engine is asked the same way: `ask(steps)` runs the steps (SQL and its parameters) in one
transaction that is read-only, returns the last step's rows, and rolls back. What makes a session
unable to change anything, engine by engine:

- PostgreSQL (psycopg 3): `default_transaction_read_only=on` for the session and `read_only` for each
  transaction; `statement_timeout`, `lock_timeout`; every step is sent as a prepared statement, which
  the server refuses when the text holds more than one command.
- MySQL / MariaDB (PyMySQL): `SET SESSION TRANSACTION READ ONLY` and `START TRANSACTION READ ONLY`;
  `max_statement_time` (MariaDB) or `max_execution_time` (MySQL); the client does not enable multiple
  statements, so the server refuses a text holding two.
- SQLite: the file is opened by URI with `mode=ro` and `PRAGMA query_only`; a progress handler stops
  a step that runs past the timeout; `sqlite3` refuses a text holding two statements.
"""

from __future__ import annotations

import os
import sqlite3
import time
from urllib.parse import quote

from blastguard.live.urls import DatabaseUrl, LiveError


class ReadOnlySession:
    engine = ""

    def ask(self, steps: list[tuple[str, tuple]]) -> list[tuple]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _Postgres(ReadOnlySession):
    engine = "postgresql"

    def __init__(self, url: DatabaseUrl, timeout: float) -> None:
        import psycopg

        self._errors = psycopg.Error
        ms = int(timeout * 1000)
        options = (
            f"-c default_transaction_read_only=on -c statement_timeout={ms} -c lock_timeout={ms} "
            f"-c idle_in_transaction_session_timeout={ms * 4}"
        )
        try:
            self._connection = psycopg.connect(
                url.url, connect_timeout=max(1, round(timeout)), options=options, autocommit=False
            )
        except psycopg.Error as exc:
            raise LiveError(url.hide(_first_line(exc))) from None
        self._connection.read_only = True
        self._url = url

    def ask(self, steps: list[tuple[str, tuple]]) -> list[tuple]:
        try:
            with self._connection.cursor() as cursor:
                for sql, params in steps:
                    cursor.execute(sql, params or None, prepare=True)
                return cursor.fetchall() if cursor.description else []
        except self._errors as exc:
            raise LiveError(self._url.hide(_first_line(exc))) from None
        finally:
            self._connection.rollback()

    def close(self) -> None:
        self._connection.close()


class _MySql(ReadOnlySession):
    engine = "mysql"

    def __init__(self, url: DatabaseUrl, timeout: float) -> None:
        import pymysql

        self._errors = pymysql.MySQLError
        seconds = max(1, round(timeout))
        try:
            self._connection = pymysql.connect(
                host=url.host or "localhost",
                port=url.port or 3306,
                user=url.user or None,
                password=url.password,
                database=url.database or None,
                connect_timeout=seconds,
                read_timeout=seconds * 2,
                write_timeout=seconds * 2,
                autocommit=False,
            )
        except pymysql.MySQLError as exc:
            raise LiveError(url.hide(_first_line(exc))) from None
        self._url = url
        with self._connection.cursor() as cursor:
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            for limit in (
                f"SET SESSION max_statement_time = {seconds}",
                f"SET SESSION max_execution_time = {seconds * 1000}",
            ):
                try:
                    cursor.execute(limit)  # MariaDB knows the first, MySQL the second
                except pymysql.MySQLError:
                    continue

    def ask(self, steps: list[tuple[str, tuple]]) -> list[tuple]:
        try:
            with self._connection.cursor() as cursor:
                cursor.execute("START TRANSACTION READ ONLY")
                for sql, params in steps:
                    cursor.execute(sql, params or None)
                return list(cursor.fetchall()) if cursor.description else []
        except self._errors as exc:
            raise LiveError(self._url.hide(_first_line(exc))) from None
        finally:
            self._connection.rollback()

    def close(self) -> None:
        self._connection.close()


class _Sqlite(ReadOnlySession):
    engine = "sqlite"

    def __init__(self, url: DatabaseUrl, timeout: float) -> None:
        if not os.path.isfile(url.database):
            raise LiveError(f"{url.database}: no such database file")
        try:
            self._connection = sqlite3.connect(
                f"file:{quote(os.path.abspath(url.database))}?mode=ro", uri=True, timeout=timeout
            )
            self._connection.execute("PRAGMA query_only = ON")
        except sqlite3.Error as exc:
            raise LiveError(f"{url.database}: {exc}") from None
        self._timeout = timeout
        self._url = url

    def ask(self, steps: list[tuple[str, tuple]]) -> list[tuple]:
        deadline = time.monotonic() + self._timeout
        self._connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            rows: list[tuple] = []
            for sql, params in steps:
                rows = self._connection.execute(sql, params or ()).fetchall()
            return rows
        except sqlite3.Error as exc:
            reason = "it ran past the timeout" if time.monotonic() > deadline else str(exc)
            raise LiveError(f"{self._url.database}: {reason}") from None
        finally:
            self._connection.rollback()

    def close(self) -> None:
        self._connection.close()


_SESSIONS = {"postgresql": _Postgres, "mysql": _MySql, "sqlite": _Sqlite}


def open_read_only(url: DatabaseUrl, timeout: float = 2.0) -> ReadOnlySession:
    """A read-only session on the database `url` names. Raises LiveError (its message holds no
    password) when it cannot be opened, or when the engine's client library is not installed."""
    try:
        return _SESSIONS[url.engine](url, timeout)
    except ImportError as exc:
        raise LiveError(f"asking {url.engine} needs the `{exc.name}` package: pip install 'blastguard[live]'") from None


_OPEN: dict[tuple[str, float], ReadOnlySession | LiveError] = {}


def shared_session(url: DatabaseUrl, timeout: float) -> ReadOnlySession:
    """One session per URL for the whole run; a URL that failed once is not tried again (each try
    could wait for the connect timeout), and raises the same error every time it is asked for."""
    key = (url.url, timeout)
    if key not in _OPEN:
        try:
            _OPEN[key] = open_read_only(url, timeout)
        except LiveError as exc:
            _OPEN[key] = exc
    found = _OPEN[key]
    if isinstance(found, LiveError):
        raise found
    return found


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
