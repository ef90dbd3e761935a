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
)
_HOMES = ("/home", "/Users")
HOME_VARIABLE = re.compile(r"\$(?:HOME|\{HOME\})(?:/\.?)?\*?")
_TILDE = re.compile(r"~[A-Za-z0-9_.-]*(?:/\.?)?\*?")
_PARENTS = re.compile(r"\.\.(?:/\.\.)*/?\*?")


def dangerous_target(path: str, literal: bool, cwd: str | None) -> str | None:
    """What deleting `path` destroys, when it is the root, a home, or a system or data directory."""
    if HOME_VARIABLE.fullmatch(path):
        return "the home directory ($HOME)"
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
