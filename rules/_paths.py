"""Which paths a delete must never touch: the root, a home, system and data directories.

Shared by the shell rule for `rm -rf` and the Python rule for `shutil.rmtree` and its kin, so both
judge a path alike.
"""

from __future__ import annotations

import posixpath
import re

# Deleting one of these (or its contents) breaks the machine or loses what it holds.
_SYSTEM = frozenset(
    {
        "/bin",
        "/boot",
        "/dev",
        "/etc",
        "/home",
        "/lib",
        "/lib32",
        "/lib64",
        "/libx32",
        "/media",
        "/mnt",
        "/opt",
        "/proc",
        "/root",
        "/run",
        "/sbin",
        "/srv",
        "/sys",
        "/usr",
        "/usr/bin",
        "/usr/lib",
        "/usr/local",
        "/usr/sbin",
        "/usr/share",
        "/var",
        "/var/lib",
        "/var/log",
        "/var/mail",
        "/var/spool",
        "/var/www",
        "/var/opt",
        "/data",
        "/backup",
        "/backups",
        "/Users",
        "/Applications",
        "/Library",
        "/System",
        "/private",
        "/Volumes",
        "/snap",
        "/nix",
    }
)
# Data directories: anything inside them is a database's or a container runtime's files.
_DATA = (
    "/var/lib/postgresql",
    "/var/lib/pgsql",
    "/var/lib/mysql",
    "/var/lib/mariadb",
    "/var/lib/mongodb",
    "/var/lib/mongo",  # the mongod default on Red Hat systems
    "/var/lib/postgres",  # Arch Linux
    "/var/lib/redis",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/elasticsearch",
    "/var/lib/cassandra",
    "/var/lib/clickhouse",
    "/var/lib/etcd",
    "/var/lib/influxdb",
    "/var/lib/neo4j",
    "/var/lib/rabbitmq",
    "/var/lib/couchdb",
    "/var/opt/mssql",
    "/var/backups",
    "/usr/local/var/postgres",
    "/usr/local/var/mysql",
    "/opt/homebrew/var/postgresql",
    "/opt/homebrew/var/mysql",
    "/data/db",  # mongod's default --dbpath
    "/data/configdb",
)
_HOMES = ("/home", "/Users")
HOME_VARIABLE = re.compile(r"\$(?:HOME|\{HOME\})(?:/\.?)?\*?")
# Variables that name a database's data directory by convention (the images' and packages' own names):
# the variable, or any path below it.
DATA_VARIABLE = re.compile(
    r"\$\{?(PGDATA|MYSQL_DATADIR|MYSQL_DATA_DIR|MARIADB_DATADIR|MONGO_DATA|MONGO_DATA_DIR|MONGODB_DATA_DIR"
    r"|MONGO_DBPATH|REDIS_DATA_DIR|ES_PATH_DATA|CASSANDRA_DATA|INFLUXDB_DATA_DIR|NEO4J_DATA)\}?(?:/.*)?"
)
_TILDE = re.compile(r"~[A-Za-z0-9_.-]*(?:/\.?)?\*?")
_PARENTS = re.compile(r"\.\.(?:/\.\.)*/?\*?")


def dangerous_target(path: str, literal: bool, cwd: str | None) -> str | None:
    """What deleting `path` destroys, when it is the root, a home, or a system or data directory."""
    if HOME_VARIABLE.fullmatch(path):
        return "the home directory ($HOME)"
    variable = DATA_VARIABLE.fullmatch(path)
    if variable:
        return f"the database data directory ${variable.group(1)}"
    if not literal:
        return None
    if cwd and not path.startswith(("/", "~")):
        path = posixpath.join(cwd, path)
    if _TILDE.fullmatch(path):
        return "the home directory (~)"
    if path.startswith("~") or not path.startswith("/"):
        return "a folder above the current one (..)" if _PARENTS.fullmatch(path) else None
    normal = posixpath.normpath(path.rstrip("*") or "/")
    normal = "/" if normal == "//" else normal
    if normal == "/":
        return "the whole filesystem (/)"
    if normal in _SYSTEM:
        return f"the system directory {normal}"
    for data in _DATA:
        if normal == data or normal.startswith(data + "/"):
            return f"database or service data under {data}"
    if posixpath.dirname(normal) in _HOMES:
        return f"the home directory {normal}"
    return None


# A project's own database volume, by the names compose files and READMEs give it (`./pgdata`,
# `data/postgres`, `mysql_data`): anything at or below such a folder.
_DATABASE_FOLDER = re.compile(
    r"(?:pg|postgres|postgresql|mysql|mariadb|mongo|mongodb|redis|db|es|elasticsearch|clickhouse|influxdb"
    r"|cassandra|neo4j)[-_]?data"
)
_DATABASE_UNDER_DATA = frozenset(
    {"postgres", "postgresql", "pg", "mysql", "mariadb", "mongo", "mongodb", "redis", "db"}
)


def database_volume(path: str, literal: bool) -> str | None:
    """The project folder that holds a database's files when `path` is at or below one (`./pgdata/*`)."""
    if not literal:
        return None
    parts = [p for p in posixpath.normpath(path.rstrip("*") or ".").split("/") if p not in ("", ".")]
    for index, part in enumerate(parts):
        name = part.lower()
        if _DATABASE_FOLDER.fullmatch(name) or (
            name in _DATABASE_UNDER_DATA and index and parts[index - 1].lower() == "data"
        ):
            return "/".join(parts[: index + 1])
    return None


def working_tree(path: str, literal: bool) -> bool:
    """Whether `path` names the current folder or everything in it: `.`, `./`, `*`, `./*`."""
    return literal and path != "" and posixpath.normpath(path.rstrip("*") or ".") == "."


_HIDDEN = re.compile(r"(?:\./)?\.(?:\*|\[[!^]\.\]\*|\?\?\*)")


def hidden_files(path: str, literal: bool) -> bool:
    """Whether `path` is a glob for every hidden entry of the current folder: `.*`, `.[!.]*`, `.??*`."""
    return literal and _HIDDEN.fullmatch(path) is not None
