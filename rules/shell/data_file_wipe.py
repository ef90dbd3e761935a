"""SH604 data-file-wipe: commands that empty, shred or throw away a database's files in place."""

from __future__ import annotations

import re

from blastguard.examples import Example
from blastguard.frontends.shell.program_options import Syntax, options, parse
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules._paths import dangerous_target, database_volume
from blastguard.rules.shell._storage import DATABASE_WORDS, database_file

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.unwrapped_commands import Command
    from blastguard.frontends.shell.word_values import Word

_TRUNCATE = Syntax(options("-s", "--size", "-r", "--reference"))
_SHRED = Syntax(options("-n", "--iterations", "-s", "--size"))
_MV = Syntax(options("-t", "--target-directory", "-S", "--suffix"))
_ZERO = re.compile(r"0+(?:[KMGTPEZY]i?B?|B)?", re.IGNORECASE)  # `-s 0`, `--size=0K`
_FIX = "Stop the database and take a dump or a copy of the file first; never empty its files in place."


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    for word, how in _wiped(command):
        what = database_file(word.value, word.literal)
        if what is None and how == "throws away":
            what = _data_folder(word)
        if what is None:
            continue
        description, server = what
        yield Hit(
            command.start,
            max(command.end, word.end),
            f"`{command.text()}` {how} {description}, and the data in it is lost. {_FIX}",
            Severity.ERROR if server else Severity.WARNING,
        )
        return


def _wiped(command) -> Iterator[tuple[Word, str]]:
    """Each file the command empties or destroys, with how."""
    program = command.program
    if program not in ("cp", "mv"):  # `: > app.db`, `cat /dev/null > ibdata1`; cp's and mv's output is a file
        for word in command.writes:
            yield word, "empties"
    if program == "truncate":
        argv = parse(command.args, _TRUNCATE)[0]
        size = argv.value("-s", "--size")
        if size is not None and size.literal and _ZERO.fullmatch(size.value):
            yield from ((w, "empties") for w in argv.positionals)
    elif program == "shred":
        yield from ((w, "shreds") for w in parse(command.args, _SHRED)[0].positionals)
    elif program in ("mv", "cp"):
        paths = parse(command.args, _MV)[0].positionals
        if len(paths) >= 2 and paths[-1].literal:
            if program == "mv" and paths[-1].value == "/dev/null":
                yield from ((w, "throws away") for w in paths[:-1])
            elif program == "cp" and paths[0].value == "/dev/null" and len(paths) == 2:
                yield paths[1], "empties"


def _data_folder(word) -> tuple[str, bool] | None:
    """A data directory moved to /dev/null: a server's (an error) or a project's database volume."""
    where = dangerous_target(word.value, word.literal, None)
    if where:
        return where, True
    volume = database_volume(word.value, word.literal)
    return (f"the database folder {volume}", False) if volume else None


RULE = Rule(
    id="SH604",
    name="data-file-wipe",
    language="shell",
    severity=Severity.ERROR,
    summary="A command that empties, shreds or throws away a database's files in place.",
    rationale=(
        "`truncate -s 0`, `: >`, `cat /dev/null >` and `cp /dev/null` empty a file, `shred` destroys it, and "
        "`mv … /dev/null` throws it away; done to a database's own files (under /var/lib/postgresql, "
        "/var/lib/mysql or $PGDATA, or `PG_VERSION`, `ibdata1`, `*.ibd`, `WiredTiger*`, `dump.rdb` wherever "
        "they are) they corrupt or erase the database: an error. A project's SQLite file (`*.db`, `*.sqlite`, "
        "`*.sqlite3`) is often a throwaway development database, but may be the only copy: a warning. "
        "Emptying logs and build output (`truncate -s 0 app.log`, `: > build.log`, a container's `…-json.log` "
        "or a server's slow log under its data directory) and shredding a scratch "
        "or secret file (`shred -u ./secret.txt`, the careful way to delete a secret) are everyday and not "
        "findings; nor is deleting a SQLite file with `rm`, which a reset of a development database does."
    ),
    fix=_FIX,
    flag=(
        Example(
            "truncate -s 0 /var/lib/mysql/ibdata1",
            flagged="truncate -s 0 /var/lib/mysql/ibdata1",
            severity=Severity.ERROR,
            message="database or service data under /var/lib/mysql",
        ),
        Example(": > /var/lib/postgresql/16/main/PG_VERSION", severity=Severity.ERROR),
        Example("truncate --size=0 db.sqlite3", severity=Severity.WARNING, message="the database file db.sqlite3"),
        Example(": > app.db", flagged=": > app.db", severity=Severity.WARNING),
        "cat /dev/null > instance/app.sqlite",
        "cp /dev/null data/users.db",
        "truncate -s0 $PGDATA/global/pg_control",
        "shred -u /var/lib/redis/dump.rdb",
        "shred -zu prod.sqlite3",
        Example("mv /var/lib/mysql /dev/null", severity=Severity.ERROR),
        Example("mv ./pgdata /dev/null", severity=Severity.WARNING),
        "mv app.db /dev/null",
        "sudo truncate -s 0 /data/db/WiredTiger.wt",
        "cd /srv/app && truncate -s 0 storage/database.sqlite",
        "bash -c ': > db.sqlite3'",
        "( echo -n > app.db )",
    ),
    clean=(
        "truncate -s 0 app.log",
        ": > build.log",
        "cat /dev/null > /var/log/nginx/access.log",
        "truncate -s 10G disk.img",
        "truncate -s 0 dist/bundle.js",
        "shred -u ./secret.txt",
        "shred -u ~/.aws/credentials.bak",
        "mv build.log /dev/null",
        "mv app.db app.db.bak",
        "cp app.db backup/app-2024-06-01.db",
        "sqlite3 app.db .dump > app.sql",
        "sqlite3 app.db 'select count(*) from users' >> report.txt",
        "rm -f db.sqlite3",
        "truncate -s 0 /var/lib/docker/containers/3f2a/3f2a-json.log",
        ": > /var/lib/mysql/mysql-slow.log",
        ': > "$PGDATA/postmaster.pid"',
        "echo 'truncate -s 0 app.db'",
    ),
    check=check,
    escalates=True,
    keywords=("truncate", "shred", "mv", "cp", *DATABASE_WORDS),
    precision="high",
    tags=("data-loss",),
)
