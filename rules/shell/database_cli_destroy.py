"""SH201 database-cli-destroy: database client commands that drop or flush a whole database."""

from __future__ import annotations

import re

from blastguard.examples import Example
from blastguard.frontends.shell.database_clients import arguments
from blastguard.frontends.shell.program_options import parse
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.unwrapped_commands import Command

_FLUSH = frozenset({"flushall", "flushdb"})
# `db.dropDatabase()`, `db.getSiblingDB("x").dropDatabase()`, `db.users.drop()`, `db["users"].drop()`,
# `db.getCollection("users").drop()`
_MONGO_DROP = re.compile(
    r"\.\s*dropDatabase\s*\(|\bdb\s*(?:\.\s*[\w$]+|\[\s*['\"][^'\"]*['\"]\s*\]"
    r"|\.\s*getCollection\s*\(\s*['\"][^'\"]*['\"]\s*\))\s*\.\s*drop\s*\(\s*\)"
)


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    if command.program == "pg_dropcluster":
        yield from _dropcluster(command)
        return
    found = arguments(command)
    if found is None:
        return
    name, _, argv = found
    message = None
    if name == "dropdb" and argv.positionals and not argv.has("-i", "--interactive", "--help", "-?"):
        database = argv.positionals[0].value
        message = f"`dropdb {database}` deletes the database {database} and every table in it."
    elif name == "mysqladmin" and argv.has("-f", "--force"):
        words = [w.value.lower() for w in argv.positionals]
        if "drop" in words and words.index("drop") + 1 < len(words):
            database = argv.positionals[words.index("drop") + 1].value
            message = f"`mysqladmin --force drop {database}` deletes the database {database} without asking."
    elif name == "redis-cli":
        flush = _redis_flush(argv, command)
        if flush:
            scope = "every database" if flush == "FLUSHALL" else "the database"
            message = f"`redis-cli {flush}` deletes every key in {scope}."
    elif name in ("mongo", "mongosh"):
        scripts = argv.values("--eval") + ([command.stdin.text] if command.stdin and command.stdin.text else [])
        if any(_MONGO_DROP.search(s.value) for s in scripts):
            message = f"`{name}` runs `dropDatabase()` or a collection's `drop()`, which deletes the data for good."
    if message:
        yield Hit(
            command.start,
            command.end,
            f"{message} Take a backup first and run it by hand against the database you mean.",
        )


def _dropcluster(command) -> Iterator[Hit]:
    """Debian's `pg_dropcluster VERSION NAME`: the cluster's data directory goes with it."""
    argv = parse(command.args)[0]
    if len(argv.positionals) < 2 or argv.has("--help", "-h"):
        return
    version, name = (w.value for w in argv.positionals[:2])
    yield Hit(
        command.start,
        command.end,
        f"`pg_dropcluster {version} {name}` deletes the PostgreSQL cluster {version}/{name}: its data directory "
        "and every database in it. Take a backup first and run it by hand against the cluster you mean.",
    )


def _redis_flush(argv, command) -> str | None:
    """FLUSHALL / FLUSHDB as the command (any case), also in `--cluster call host:port FLUSHALL` and on stdin."""
    words = [w.value for w in argv.positionals[: 3 if argv.has("--cluster") else 1]]
    if command.stdin and command.stdin.text:
        words += [line.split()[0] for line in command.stdin.text.value.splitlines() if line.split()]
    return next((w.upper() for w in words if w.lower() in _FLUSH), None)


RULE = Rule(
    id="SH201",
    name="database-cli-destroy",
    language="shell",
    severity=Severity.ERROR,
    summary="A database command-line tool that drops or empties a whole database.",
    rationale=(
        "`dropdb`, `mysqladmin --force drop`, `redis-cli FLUSHALL` / `FLUSHDB` and a mongo shell running "
        "`db.dropDatabase()` delete a whole database in one step, with no undo. The command is found behind "
        "wrappers and options (`redis-cli -h host -n 2 flushall`, `ssh db-host dropdb app`), and the server "
        "named by `-h`, a connection URL or the environment raises the finding when it is production. "
        "`dropdb --interactive` asks first and is not a finding. Debian's `pg_dropcluster VERSION NAME` "
        "deletes a whole PostgreSQL cluster, its data directory with it."
    ),
    fix="Take a backup, and run the drop by hand against the database you mean.",
    flag=(
        Example(
            "dropdb app_production",
            flagged="dropdb app_production",
            severity=Severity.ERROR,
            message="`dropdb app_production` deletes the database app_production and every table",
        ),
        "PGHOST=prod-db.internal dropdb --if-exists app",
        "redis-cli -h cache.internal -n 2 flushall",
        "redis-cli -u redis://prod-cache:6379 FLUSHDB ASYNC",
        "echo FLUSHALL | redis-cli",
        "mongosh mongodb://prod-mongo/app --eval 'db.dropDatabase()'",
        "mongo app --eval \"db.getSiblingDB('app').dropDatabase()\"",
        "mongosh app --eval \"db.getCollection('orders').drop()\"",
        "mongosh app --eval \"db['orders'].drop()\"",
        "ssh db-host 'sudo -u postgres dropdb app'",
        "mysqladmin -f drop app",
        Example("pg_dropcluster --stop 16 main", severity=Severity.ERROR, message="deletes the PostgreSQL cluster"),
        "sudo pg_dropcluster 14 main",
        "cd /tmp && sudo -u postgres pg_dropcluster --stop 15 main",
    ),
    clean=(
        "dropdb --interactive app",
        "createdb app",
        "redis-cli GET flushall",
        "redis-cli -h cache.internal INFO",
        "echo 'redis-cli FLUSHALL'",
        "mongosh --eval 'db.users.find()'",
        "mongosh --eval \"db.getCollection('orders').find().limit(1)\"",
        "mysqladmin drop app",
        "pg_dump app > app.sql",
        "pg_lsclusters",
        "pg_dropcluster --help",
        "pg_createcluster 16 main",
    ),
    check=check,
    escalates=True,
    keywords=("dropdb", "mysqladmin", "redis-cli", "mongo", "mongosh", "pg_dropcluster"),
    precision="very-high",
    tags=("data-loss",),
)
