"""What a database URL names: the engine, where it is, and how to show it without its password."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from blastguard.records import Record, record

_ENGINES = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "postgresql+psycopg": "postgresql",
    "postgresql+psycopg2": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "mysql+pymysql": "mysql",
    "sqlite": "sqlite",
}


class LiveError(Exception):
    """A database could not be asked; the message is one line and never holds a password."""


@record(frozen=True)
class DatabaseUrl(Record):
    engine: str  # "postgresql" | "mysql" | "sqlite"
    url: str  # as given: holds the password, so it is never shown
    shown: str  # the URL with its password replaced by ***
    host: str = ""
    port: int | None = None
    user: str = ""
    password: str = ""
    database: str = ""  # a SQLite file's path

    def hide(self, text: str) -> str:
        """`text` (a server's error, say) with the password and the full URL taken out."""
        text = text.replace(self.url, self.shown)
        return text.replace(self.password, "***") if self.password else text


def parse_url(url: str) -> DatabaseUrl:
    scheme, _, rest = url.partition("://")
    engine = _ENGINES.get(scheme.lower())
    if engine is None or not rest:
        known = ", ".join(sorted({s for s in _ENGINES if "+" not in s}))
        raise LiveError(f"a database URL must start with one of {known}, followed by ://")
    if engine == "sqlite":
        path = unquote(rest[1:] if rest.startswith("/") else rest)  # sqlite:///app.db, sqlite:////abs/app.db
        if not path or path == ":memory:":
            raise LiveError("a SQLite URL must name a database file (sqlite:///path/to/app.db)")
        return DatabaseUrl(engine, url, url, database=path)
    parts = urlsplit(url)
    password = unquote(parts.password or "")
    shown = url.replace(f":{parts.password}@", ":***@", 1) if parts.password else url
    try:
        port = parts.port
    except ValueError:
        raise LiveError(f"the port of {shown} is not a number") from None
    return DatabaseUrl(
        engine,
        url,
        shown,
        host=parts.hostname or "",
        port=port,
        user=unquote(parts.username or ""),
        password=password,
        database=unquote(parts.path.lstrip("/")),
    )
