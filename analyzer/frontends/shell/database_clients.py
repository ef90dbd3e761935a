"""Database clients: where each one connects, and where it reads the SQL it runs.

Used for the SQL a shell script sends to a database (`psql -c`, `mysql -e`, heredocs, `-f file`) and
for the production evidence of database commands (`psql -h prod-db`, `redis-cli -u redis://prod-cache`).
"""

from __future__ import annotations

import re

from blastguard.context import Production
from blastguard.frontends.shell.program_options import Argv, Syntax, options, parse
from blastguard.frontends.shell.unwrapped_commands import Command
from blastguard.frontends.shell.word_values import Word
from blastguard.records import Record, record


@record(frozen=True)
class Client(Record):
    syntax: Syntax
    hosts: tuple[str, ...] = ()  # options naming the server
    databases: tuple[str, ...] = ()  # options naming the database, or holding a connection URL
    positional_database: bool = False  # the first positional argument names the database (or is a URL)
    variables: tuple[str, ...] = ()  # environment variables naming the server or the database
    sql: tuple[str, ...] = ()  # options whose value is SQL
    sql_files: tuple[str, ...] = ()  # options naming a file of SQL
    positional_sql: bool = False  # `sqlite3 DB "SQL" …`: the positionals after the database are SQL
    sql_on_stdin: bool = False  # SQL piped or redirected in is run


_PG_VARIABLES = ("PGHOST", "PGDATABASE", "PGSERVICE", "DATABASE_URL")
_PG = ("-h", "--host", "-p", "--port", "-U", "--username")
_MYSQL = Client(
    Syntax(
        options(
            "-h",
            "--host",
            "-P",
            "--port",
            "-u",
            "--user",
            "-D",
            "--database",
            "-e",
            "--execute",
            "-S",
            "--socket",
            "--login-path",
            "--defaults-file",
        ),
        attached_only=options("-p"),
    ),
    hosts=("-h", "--host"),
    databases=("-D", "--database"),
    positional_database=True,
    variables=("MYSQL_HOST", "DATABASE_URL"),
    sql=("-e", "--execute"),
    sql_on_stdin=True,
)
_MONGO = Client(
    Syntax(
        options(
            "--host",
            "--port",
            "-u",
            "--username",
            "-p",
            "--password",
            "--eval",
            "--authenticationDatabase",
            "--file",
            "-f",
        )
    ),
    hosts=("--host",),
    positional_database=True,
    variables=("MONGODB_URI", "MONGO_URL"),
)

CLIENTS: dict[str, Client] = {
    "psql": Client(
        Syntax(
            options(
                *_PG,
                "-d",
                "--dbname",
                "-c",
                "--command",
                "-f",
                "--file",
                "-v",
                "--set",
                "--variable",
                "-o",
                "--output",
                "-L",
                "--log-file",
                "-P",
                "--pset",
                "-F",
                "--field-separator",
                "-R",
                "--record-separator",
                "-T",
                "--table-attr",
            )
        ),
        hosts=("-h", "--host"),
        databases=("-d", "--dbname"),
        positional_database=True,
        variables=_PG_VARIABLES,
        sql=("-c", "--command"),
        sql_files=("-f", "--file"),
        sql_on_stdin=True,
    ),
    "dropdb": Client(
        Syntax(options(*_PG, "--maintenance-db")),
        hosts=("-h", "--host"),
        positional_database=True,
        variables=_PG_VARIABLES,
    ),
    "mysql": _MYSQL,
    "mariadb": _MYSQL,
    "mysqladmin": Client(_MYSQL.syntax, hosts=("-h", "--host"), variables=("MYSQL_HOST",)),
    "sqlite3": Client(
        Syntax(
            options(
                "-cmd",
                "-init",
                "-separator",
                "-newline",
                "-nullvalue",
                "-vfs",
                "-lookaside",
                "-pagecache",
                "-mmap",
                "-maxsize",
            ),
            clusters=False,
        ),
        positional_database=True,
        sql=("-cmd",),
        positional_sql=True,
        sql_on_stdin=True,
    ),
    # SQL Server's sqlcmd: -Q runs its query and exits, -q runs it first; -i reads files; GO ends batches.
    "sqlcmd": Client(
        Syntax(
            options(
                "-S",
                "-d",
                "-U",
                "-P",
                "-Q",
                "-q",
                "-i",
                "-o",
                "-v",
                "-h",
                "-s",
                "-w",
                "-l",
                "-t",
                "-H",
                "-a",
                "-f",
                "-K",
            )
        ),
        hosts=("-S",),
        databases=("-d",),
        variables=("SQLCMDSERVER", "SQLCMDDBNAME"),
        sql=("-Q", "-q"),
        sql_files=("-i",),
        sql_on_stdin=True,
    ),
    "clickhouse-client": Client(
        Syntax(
            options(
                "-h",
                "--host",
                "--port",
                "-u",
                "--user",
                "--password",
                "-d",
                "--database",
                "-q",
                "--query",
                "--queries-file",
                "--format",
                "-f",
            )
        ),
        hosts=("-h", "--host"),
        databases=("-d", "--database"),
        variables=("CLICKHOUSE_HOST",),
        sql=("-q", "--query"),
        sql_files=("--queries-file",),
        sql_on_stdin=True,
    ),
    "redis-cli": Client(
        Syntax(
            options(
                "-h",
                "-p",
                "-s",
                "-a",
                "--user",
                "--pass",
                "-u",
                "-r",
                "-i",
                "-n",
                "-d",
                "-D",
                "-X",
                "--sni",
                "--cacert",
                "--cacertdir",
                "--tls-ciphers",
                "--tls-ciphersuites",
                "--cert",
                "--key",
                "--show-pushes",
                "--pattern",
                "--count",
                "--quoted-pattern",
                "--rdb",
                "--functions-rdb",
                "--pipe-timeout",
                "--memkeys-samples",
                "--intrinsic-latency",
                "--eval",
            )
        ),
        hosts=("-h",),
        databases=("-u",),
        variables=("REDIS_URL", "REDIS_HOST"),
    ),
    "mongo": _MONGO,
    "mongosh": _MONGO,
    "mongorestore": Client(
        Syntax(
            options(
                "-h",
                "--host",
                "--port",
                "--uri",
                "-d",
                "--db",
                "-u",
                "--username",
                "-p",
                "--password",
                "--authenticationDatabase",
                "--nsInclude",
                "--nsExclude",
                "--nsFrom",
                "--nsTo",
                "--archive",
                "--dir",
            )
        ),
        hosts=("-h", "--host", "--uri"),
        databases=("-d", "--db"),
        variables=("MONGODB_URI", "MONGO_URL"),
    ),
    # InfluxDB 1.x's shell runs InfluxQL (`-execute 'DROP DATABASE …'`); 2.x subcommands carry no SQL.
    "influx": Client(
        Syntax(
            options("-host", "-port", "-database", "-username", "-password", "-execute", "-format", "-precision"),
            clusters=False,
        ),
        hosts=("-host",),
        databases=("-database",),
        variables=("INFLUX_HOST",),
        sql=("-execute",),
    ),
    # Cassandra's shell: CQL is close enough to SQL for DROP and TRUNCATE to read as such.
    "cqlsh": Client(
        Syntax(
            options(
                "-u",
                "--username",
                "-p",
                "--password",
                "-k",
                "--keyspace",
                "-f",
                "--file",
                "-e",
                "--execute",
                "--cqlshrc",
                "--encoding",
                "--cqlversion",
                "--protocol-version",
                "--connect-timeout",
                "--request-timeout",
            )
        ),
        databases=("-k", "--keyspace"),
        positional_database=True,  # the host
        variables=("CQLSH_HOST",),
        sql=("-e", "--execute"),
        sql_files=("-f", "--file"),
        sql_on_stdin=True,
    ),
}


def client(command: Command) -> tuple[str, Client, list[Word]] | None:
    """(name, client, arguments) when `command` runs a database client; `clickhouse client` counts."""
    if command.program == "clickhouse" and command.subcommand == "client":
        return "clickhouse client", CLIENTS["clickhouse-client"], command.args[1:]
    if command.program in CLIENTS:
        return command.program, CLIENTS[command.program], command.args
    return None


def arguments(command: Command) -> tuple[str, Client, Argv] | None:
    found = client(command)
    if found is None:
        return None
    name, spec, args = found
    return name, spec, parse(args, spec.syntax)[0]


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(?P<hosts>[^/?#]*)(?:/(?P<database>[^?#]*))?")
_CONNINFO = re.compile(r"\b(?:host|hostaddr|dbname|service)\s*=\s*'?([^\s']+)")
_PORT = re.compile(r":\d*$")


def connection_names(value: str) -> list[str]:
    """The host and database names in a connection URL (`postgres://u:pw@prod-db/app`), a keyword
    string (`host=prod-db dbname=app`), or a bare name. User names and passwords are left out."""
    url = _URL.match(value)
    if url:
        hosts = [_PORT.sub("", h.strip("[]")) for h in url.group("hosts").split(",")]
        return [h for h in hosts if h] + ([url.group("database")] if url.group("database") else [])
    if "=" in value:
        return _CONNINFO.findall(value)
    return [value] if value else []


def connection_evidence(command: Command, names: Production) -> list[str]:
    """Where a database command connects, when that names production."""
    found = arguments(command)
    if found is None:
        return []
    name, spec, argv = found
    evidence = [
        _evidence(f"{name} {o.name} ", o.value.value, names)
        for o in argv.options
        if o.value is not None and o.name in spec.hosts + spec.databases
    ]
    if spec.positional_database and argv.positionals:
        evidence.append(_evidence(f"{name} ", argv.positionals[0].value, names))
    evidence += [_evidence(f"{v}=", command.env[v], names) for v in spec.variables if command.env.get(v)]
    return [e for e in evidence if e]


def _evidence(prefix: str, value: str, names: Production) -> str | None:
    """`psql -h prod-db`, `PGHOST=prod-db`; of a URL only the name that matched, never its user or password."""
    matched = [n for n in connection_names(value) if names.matches(n)]
    if not matched:
        return None
    return prefix + value if matched == [value] else f"{prefix.rstrip(' =')} names {matched[0]}"
