"""What a path on a machine holds, as the disk and data-file rules read it: a block device (a whole disk
or a partition), or a database's own file."""

from __future__ import annotations

import posixpath
import re

from blastguard.rules._paths import DATA_VARIABLE, dangerous_target

# Disks and partitions by the kernel's names (and macOS's), by their stable links, and LVM or
# device-mapper volumes. Loop devices are left out: they stand for image files.
_BLOCK_DEVICE = re.compile(
    r"/dev/(?:"
    r"[shv]d[a-z]+[0-9]*|xvd[a-z]+[0-9]*|nvme[0-9]+n[0-9]+(?:p[0-9]+)?|mmcblk[0-9]+(?:p[0-9]+)?"
    r"|md[0-9]+(?:p[0-9]+)?|md/[^/]+|dm-[0-9]+|r?disk[0-9]+(?:s[0-9]+)?|zd[0-9]+|nbd[0-9]+(?:p[0-9]+)?|rbd[0-9]+"
    r"|root|disk/by-[a-z-]+/[^/]+|mapper/[^/]+|zvol/.+"
    r")"
)


def block_device(path: str, literal: bool) -> bool:
    """Whether `path` names a disk, a partition or a volume (`/dev/sdb1`, `/dev/disk/by-id/…`)."""
    return literal and _BLOCK_DEVICE.fullmatch(posixpath.normpath(path)) is not None


# A database server's own files, whatever folder they are in.
_SERVER_FILE = re.compile(
    r"PG_VERSION|pg_control|postmaster\.opts|ibdata[0-9]+|ib_logfile[0-9]+|ibtmp[0-9]+|.+\.(?:ibd|frm|MY[DI])"
    r"|WiredTiger.*|.+\.wt|dump\.rdb|appendonly\.aof|.+\.[mln]df"
)
# Embedded databases: a project's SQLite (or similar) file.
_EMBEDDED_FILE = re.compile(r".+\.(?:db|db3|sqlite|sqlite3|duckdb|mdb|accdb|realm)", re.IGNORECASE)


# What a server writes beside its data and an operator may empty: logs (`mysql-slow.log`, a container's
# `…-json.log`), pid and lock files.
_AUXILIARY_FILE = re.compile(r".+\.(?:log|err|pid|lock|out)(?:\.[0-9]+)?", re.IGNORECASE)


def database_file(path: str, literal: bool) -> tuple[str, bool] | None:
    """What `path` is when it holds a database's data: (a description, whether it is a server's data,
    an error to lose), or None. A project's SQLite file is not a server's (a warning)."""
    if _AUXILIARY_FILE.fullmatch(posixpath.basename(path.rstrip("/"))):
        return None
    found = DATA_VARIABLE.fullmatch(path)
    if found:
        return f"a file in the database data directory ${found.group(1)}", True
    if not literal:
        return None
    name = posixpath.basename(path.rstrip("/"))
    if path.startswith("/"):
        where = dangerous_target(path, True, None)
        if where and where.startswith("database or service data"):
            return where, True
    if _SERVER_FILE.fullmatch(name):
        return f"the database server file {name}", True
    if _EMBEDDED_FILE.fullmatch(name):
        return f"the database file {name}", False
    return None


# Words one of those paths always holds, for the engine's keyword prefilter (`app.db`, `/var/lib/mysql/x`).
DATABASE_WORDS = (
    *("db", "db3", "sqlite", "sqlite3", "duckdb", "mdb", "accdb", "realm", "ibd", "frm", "myd", "myi", "wt"),
    *("rdb", "aof", "mdf", "ldf", "ndf", "PG_VERSION", "pg_control", "postmaster", "WiredTiger"),
    *("ibdata1", "ibdata2", "ib_logfile0", "ib_logfile1", "ibtmp1", "postgresql", "postgres", "pgsql", "mysql"),
    *("mariadb", "mongodb", "mongo", "redis", "docker", "containerd", "elasticsearch", "cassandra", "clickhouse"),
    *("etcd", "influxdb", "neo4j", "rabbitmq", "couchdb", "mssql", "backups", "configdb"),
    *("PGDATA", "MYSQL_DATADIR", "MYSQL_DATA_DIR", "MARIADB_DATADIR", "MONGO_DATA", "MONGO_DATA_DIR"),
    *("MONGODB_DATA_DIR", "MONGO_DBPATH", "REDIS_DATA_DIR", "ES_PATH_DATA", "CASSANDRA_DATA", "INFLUXDB_DATA_DIR"),
    "NEO4J_DATA",
)
