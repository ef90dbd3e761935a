"""SH202 datastore-data-delete: a data store's own client that deletes a collection's documents, an index,
a key range, a bucket or a topic (`db.users.deleteMany({})`, `curl -X DELETE es:9200/logs`,
`etcdctl del --prefix ""`, `kafka-topics --delete`)."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from blastguard.context import name_tokens
from blastguard.examples import Example
from blastguard.frontends.shell.database_clients import arguments
from blastguard.frontends.shell.program_options import Syntax, options, parse
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.program_options import Argv
    from blastguard.frontends.shell.unwrapped_commands import Command
    from blastguard.frontends.shell.word_values import Word

ERROR, WARNING = Severity.ERROR, Severity.WARNING
# A collection in mongo shell code: `db.users`, `db["users"]`, `db.getCollection("users")`, after an
# optional `db.getSiblingDB("app")`.
_COLLECTION = (
    r"\bdb(?:\s*\.\s*getSiblingDB\s*\([^)]*\))?"
    r"\s*(?:\.\s*getCollection\s*\(\s*['\"][^'\"]*['\"]\s*\)|\[\s*['\"][^'\"]*['\"]\s*\]|\.\s*[A-Za-z_$][\w$]*)"
)
# Filters that match every document: `{}`, and the tautologies `{_id: {$exists: true}}`, `{_id: {$ne: null}}`.
_EVERY_DOCUMENT = (
    r"\{\s*(?:['\"]?_id['\"]?\s*:\s*\{\s*['\"]?\$(?:exists['\"]?\s*:\s*(?:true|1)|ne['\"]?\s*:\s*null)\s*\}\s*)?\}"
)
_MONGO_EMPTY = re.compile(_COLLECTION + r"\s*\.\s*(deleteMany|remove)\s*\(\s*" + _EVERY_DOCUMENT + r"\s*[,)]")
_CQL_DROP_KEYSPACE = re.compile(r"(?i)\bdrop\s+(?:keyspace|schema)\b")

_CURL = Syntax(
    options(
        "-X",
        "--request",
        "-d",
        "--data",
        "--data-raw",
        "--data-binary",
        "--data-ascii",
        "--data-urlencode",
        "--json",
        "-H",
        "--header",
        "-u",
        "--user",
        "-o",
        "--output",
        "-A",
        "--user-agent",
        "-e",
        "--referer",
        "-b",
        "--cookie",
        "-c",
        "--cookie-jar",
        "--cacert",
        "--capath",
        "-E",
        "--cert",
        "--key",
        "--url",
        "-m",
        "--max-time",
        "--connect-timeout",
        "-w",
        "--write-out",
        "-x",
        "--proxy",
        "-T",
        "--upload-file",
        "-F",
        "--form",
        "--retry",
        "--resolve",
        "--aws-sigv4",
        "--oauth2-bearer",
    )
)
_WGET = Syntax(
    options(
        "-O",
        "--output-document",
        "-o",
        "--output-file",
        "--header",
        "--body-data",
        "--post-data",
        "-U",
        "--user-agent",
        "-e",
        "--execute",
        "-P",
        "--directory-prefix",
        "-T",
        "--timeout",
        "-t",
        "--tries",
        "--user",
        "--password",
        "--method",
    )
)
_HTTPIE = Syntax(
    options(
        "-a",
        "--auth",
        "-A",
        "--auth-type",
        "--session",
        "--session-read-only",
        "-o",
        "--output",
        "--verify",
        "--cert",
        "--cert-key",
        "--timeout",
        "--proxy",
        "-p",
        "--print",
        "--pretty",
        "-s",
        "--style",
        "--format-options",
        "--default-scheme",
        "--max-redirects",
    )
)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_BODY = ("-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--json")
# Where an Elasticsearch or OpenSearch cluster answers: its ports, and names its hosts and variables carry.
_SEARCH_PORTS = frozenset({9200, 9201, 9243})
_SEARCH_NAMES = frozenset({"es", "elastic", "elasticsearch", "opensearch"})
_SEARCH_DOMAINS = (".es.amazonaws.com", ".aoss.amazonaws.com", ".cloud.es.io", ".elastic-cloud.com")
_VARIABLE = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")

_ETCDCTL = Syntax(
    options(
        "--endpoints",
        "--cacert",
        "--cert",
        "--key",
        "--user",
        "--password",
        "--dial-timeout",
        "--command-timeout",
        "--keepalive-time",
        "--keepalive-timeout",
        "-w",
        "--write-out",
        "--discovery-srv",
        "--discovery-srv-name",
    )
)
_INFLUX = Syntax(
    options(
        "-b",
        "--bucket",
        "--bucket-id",
        "-o",
        "--org",
        "--org-id",
        "--start",
        "--stop",
        "-p",
        "--predicate",
        "--host",
        "-t",
        "--token",
        "-c",
        "--active-config",
        "--configs-path",
        "-n",
        "--name",
        "-i",
        "--id",
    )
)
_KAFKA = Syntax(
    options(
        "--bootstrap-server",
        "--zookeeper",
        "--topic",
        "--command-config",
        "--partitions",
        "--replication-factor",
        "--config",
        "--delete-config",
        "--topic-id",
    )
)


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    program = command.program
    if program in ("mongo", "mongosh", "mongorestore", "cqlsh"):
        found = _client(command)
    elif program in ("curl", "wget", "http", "https", "xh", "xhs"):
        found = _curl(command)
    elif program == "etcdctl":
        found = _etcdctl(parse(command.args, _ETCDCTL)[0])
    elif program == "influx":
        found = _influx(parse(command.args, _INFLUX)[0])
    elif program in ("kafka-topics", "kafka-topics.sh"):
        found = _kafka(parse(command.args, _KAFKA)[0])
    elif program == "rpk":
        words = [w.value for w in parse(command.args, Syntax(options("--brokers", "-X", "--profile")))[0].positionals]
        found = (f"`rpk topic delete {' '.join(words[2:3])}` deletes the topic and every message in it", ERROR)
        found = found if words[:2] == ["topic", "delete"] and len(words) > 2 else None
    else:
        found = None
    if found is None:
        return
    message, severity = found
    yield Hit(command.start, command.end, f"{message}. There is no undo: take a backup or snapshot first.", severity)


def _client(command: Command) -> tuple[str, Severity] | None:
    found = arguments(command)
    if found is None:
        return None
    name, _, argv = found
    if name == "mongorestore":
        if argv.has("--drop") and not argv.has("--dryRun", "--help"):
            return (
                "`mongorestore --drop` drops each collection it restores, losing what the dump does not hold",
                WARNING,
            )
        return None
    scripts = argv.values("--eval", "-e", "--execute") + (
        [command.stdin.text] if command.stdin and command.stdin.text else []
    )
    if name == "cqlsh":
        if any(_CQL_DROP_KEYSPACE.search(s.value) for s in scripts):
            return "`cqlsh` runs DROP KEYSPACE, which deletes every table of the keyspace", ERROR
        return None
    emptied = next((m for s in scripts if (m := _MONGO_EMPTY.search(s.value))), None)
    if emptied is None:
        return None
    call = " ".join(emptied.group(0).split())
    return f"`{name}` runs `{call}`, a filter that matches every document: it empties the collection", ERROR


def _request(command: Command) -> tuple[str, list[Word], list[Word]]:
    """(method, URLs, bodies) of an HTTP client's request: curl's `-X`, wget's `--method`, httpie's and
    xh's `http DELETE url`."""
    program = command.program
    if program == "curl":
        argv = parse(command.args, _CURL)[0]
        method = argv.value("-X", "--request")
        return (method.value if method else ""), argv.positionals + argv.values("--url"), argv.values(*_BODY)
    if program == "wget":
        argv = parse(command.args, _WGET)[0]
        method = argv.value("--method")
        return (method.value if method else ""), argv.positionals, argv.values("--body-data")
    argv = parse(command.args, _HTTPIE)[0]
    words = argv.positionals
    if words and words[0].value.upper() in _METHODS:
        return words[0].value, words[1:2], []
    return "", words[:1], []


def _curl(command: Command) -> tuple[str, Severity] | None:
    """An index deleted through a search cluster's REST API, or every document of one by `_delete_by_query`."""
    method, urls, bodies = _request(command)
    for url in urls:
        host, port, path, query = _url(url.value)
        segments = [s for s in path.split("/") if s]
        if "_delete_by_query" in segments:
            if _matches_everything(bodies, query, command):
                shown = "/".join(segments[: segments.index("_delete_by_query") + 1])
                return (
                    f"`{command.program} …/{shown}` with a query that matches every document empties the index",
                    ERROR,
                )
            continue
        if method.upper() != "DELETE" or not _search_cluster(host, port):
            continue
        shown = f"{command.program} DELETE …"
        if len(segments) == 2 and segments[0] == "_data_stream":
            return f"`{shown}/_data_stream/{segments[1]}` deletes the data stream and its indices", ERROR
        if len(segments) != 1 or (segments[0].startswith("_") and segments[0] != "_all"):
            continue  # a document (`/logs/_doc/1`), a template, a setting: not an index's data
        index = segments[0]
        every = index in ("_all", "*") or "*" in index
        what = "every index the pattern matches" if every else "the index and every document in it"
        return f"`{shown}/{index}` deletes {what}", ERROR
    return None


def _url(value: str) -> tuple[str, int | None, str, str]:
    """(host, port, path, query) of a URL as curl takes it: the scheme may be left out, and a variable
    may stand for the scheme and host (`$ES_URL/logs`: the host is then the variable's name)."""
    variable = _VARIABLE.match(value)
    if variable:
        rest = value[variable.end() :]
        parts = urlsplit("http://x" + (rest if rest.startswith("/") else "/" + rest))
        return variable.group(1), None, parts.path, parts.query
    parts = urlsplit(value if "://" in value else "http://" + value)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.hostname or "", port, parts.path, parts.query


def _search_cluster(host: str, port: int | None) -> bool:
    if port in _SEARCH_PORTS:
        return True
    if host.lower().endswith(_SEARCH_DOMAINS):
        return True
    return bool(_SEARCH_NAMES.intersection(name_tokens(host)))


def _matches_everything(bodies: list, query: str, command: Command) -> bool:
    """A `match_all` query (in the body, or on stdin with `-d @-`), or `?q=*`."""
    if any(q.strip() in ("*", "*:*") for q in parse_qs(query).get("q", [])):
        return True
    for body in bodies:
        text = body.value
        if text.startswith("@"):
            text = command.stdin.text.value if text == "@-" and command.stdin and command.stdin.text else ""
        try:
            parsed = json.loads(text)
        except ValueError:
            continue
        if isinstance(parsed, dict) and parsed.get("query") == {"match_all": {}}:
            return True
    return False


def _etcdctl(argv: Argv) -> tuple[str, Severity] | None:
    words = [w.value for w in argv.positionals]
    if words[:1] != ["del"] or argv.has("--help"):
        return None
    key = words[1] if len(words) > 1 else None
    if argv.has("--prefix"):
        if key in ("", "/", None):
            return "`etcdctl del --prefix` with an empty prefix deletes every key of the cluster", ERROR
        return f"`etcdctl del --prefix {key}` deletes every key under {key}", WARNING
    if argv.has("--from-key"):
        if key in ("", "\\0", "\x00", None):
            return "`etcdctl del --from-key` from the empty key deletes every key of the cluster", ERROR
        return f"`etcdctl del --from-key {key}` deletes every key from {key} on", WARNING
    if len(words) > 2:
        return f"`etcdctl del {key} {words[2]}` deletes every key of that range", WARNING
    return None


def _influx(argv: Argv) -> tuple[str, Severity] | None:
    words = [w.value for w in argv.positionals]
    if words[:2] == ["bucket", "delete"]:
        bucket = argv.value("-n", "--name") or argv.value("-i", "--id")
        shown = f" {bucket.value}" if bucket is not None else ""
        return f"`influx bucket delete{shown}` deletes the bucket and every point in it", ERROR
    if words[:1] != ["delete"]:
        return None
    predicate = argv.value("-p", "--predicate")
    if predicate is not None and predicate.value.strip():
        return None  # a delete of the series the predicate names: everyday pruning
    start = argv.value("--start")
    since_epoch = start is None or start.value.startswith(("1970", "0001", "1677"))
    bucket = argv.value("-b", "--bucket")
    shown = f" --bucket {bucket.value}" if bucket is not None else ""
    if since_epoch:
        return f"`influx delete{shown}` with no predicate, from the start of time, deletes every point", ERROR
    return f"`influx delete{shown}` with no predicate deletes every series in the time range", WARNING


def _kafka(argv: Argv) -> tuple[str, Severity] | None:
    if not argv.has("--delete"):
        return None
    topics = argv.values("--topic") or argv.values("--topic-id")
    shown = topics[0].value if topics else "…"
    return f"`kafka-topics --delete --topic {shown}` deletes the topic and every message in it", ERROR


RULE = Rule(
    id="SH202",
    name="datastore-data-delete",
    language="shell",
    severity=Severity.ERROR,
    summary="A data store's client deletes a collection's documents, an index, a key range, a bucket or a topic.",
    rationale=(
        "Document stores, search clusters, key-value stores, time series and log stores are emptied through their "
        "own clients, not SQL: a mongo shell running `db.users.deleteMany({})` or `remove({})` (a filter that "
        "matches every document, also `{_id: {$exists: true}}`), `curl -X DELETE` of an Elasticsearch or "
        "OpenSearch index (also by wget or httpie; a URL on port 9200, or a host or variable named for the cluster; `_all` and wildcards "
        'delete every index), `_delete_by_query` with `match_all`, `etcdctl del --prefix ""`, `influx bucket '
        "delete`, `influx delete` without a predicate from the start of time, `kafka-topics --delete`, `cqlsh -e 'DROP KEYSPACE …'`. "
        "Each deletes the data for good (errors). Deleting a key range or prefix in etcd, an unfiltered `influx "
        "delete` over a bounded time range, and `mongorestore --drop` (which replaces collections with a dump's) "
        "are warnings. Everyday forms stay clean: a "
        "`deleteMany` with a real filter, a DELETE of one document (`/logs/_doc/1`), a DELETE to an API that is "
        "not a search cluster, `etcdctl get --prefix`, `influx delete` with a predicate, `kafka-topics --list`. "
        "CQL and ClickHouse SQL given to `cqlsh` and `clickhouse-client` are read by the SQL rules."
    ),
    fix="Take a snapshot or export first, and narrow the delete to the documents, keys or series you mean.",
    flag=(
        Example(
            "mongosh app --eval 'db.users.deleteMany({})'",
            flagged="mongosh app --eval 'db.users.deleteMany({})'",
            severity=Severity.ERROR,
            message="`db.users.deleteMany({})`",
        ),
        "mongo app --eval 'db.sessions.remove({})'",
        "mongosh --quiet --eval \"db.getCollection('orders').deleteMany({ })\"",
        "mongosh --eval 'db.users.deleteMany({_id: {$exists: true}})'",
        "bash -c \"mongosh app --eval 'db.events.deleteMany({})'\"",
        Example("mongorestore --drop dump/", severity=Severity.WARNING),
        Example("curl -X DELETE http://localhost:9200/logs-2024.01", message="deletes the index"),
        "curl -XDELETE 'localhost:9200/_all'",
        "curl --request DELETE 'https://es.internal:9200/logs-*'",
        'curl -s -X DELETE "$ELASTICSEARCH_URL/products"',
        "curl -X DELETE https://search-app.eu-west-1.es.amazonaws.com/orders",
        "curl -X POST localhost:9200/logs/_delete_by_query -H 'Content-Type: application/json' -d '{\"query\": {\"match_all\": {}}}'",
        "curl -X POST 'http://opensearch:9200/logs/_delete_by_query?q=*'",
        "http DELETE :9200/logs-2024.01",
        "wget -q --method=DELETE -O - http://localhost:9200/logs",
        'etcdctl del --prefix ""',
        'etcdctl del "" --from-key',
        Example("etcdctl --endpoints=https://etcd-0:2379 del --prefix /app/config/", severity=Severity.WARNING),
        "cqlsh -e 'DROP KEYSPACE app'",
        "influx bucket delete --name telemetry",
        "influx delete --bucket telemetry --start 1970-01-01T00:00:00Z --stop 2030-01-01T00:00:00Z",
        Example(
            "influx delete --bucket telemetry --start 2024-01-01T00:00:00Z --stop 2024-02-01T00:00:00Z",
            severity=Severity.WARNING,
        ),
        "kafka-topics --bootstrap-server localhost:9092 --delete --topic orders",
        "kafka-topics.sh --zookeeper zk:2181 --topic events --delete",
        "rpk topic delete orders",
    ),
    clean=(
        "mongosh --eval 'db.users.find()'",
        "mongosh app --eval 'db.users.deleteMany({_id: id})'",
        "mongosh app --eval 'db.sessions.deleteMany({expiresAt: {$lt: new Date()}})'",
        "mongosh --eval 'db.users.countDocuments({})'",
        "mongorestore dump/",
        "mongorestore --drop --dryRun dump/",
        "curl -X GET http://localhost:9200/_cat/indices",
        "curl -s localhost:9200/_cluster/health",
        "curl -X DELETE https://api.example.com/items/42",
        "curl -X DELETE https://api.example.com/cache",
        "curl -X DELETE http://localhost:9200/logs/_doc/1",
        "http GET :9200/_cat/indices",
        "http DELETE https://api.example.com/items/42",
        "wget -qO- http://localhost:9200/_cat/indices",
        'curl -X POST localhost:9200/logs/_delete_by_query -d \'{"query": {"term": {"user": "kimchy"}}}\'',
        "etcdctl get --prefix /app/config/",
        "etcdctl del /app/config/feature-x",
        "cqlsh -e 'SELECT * FROM app.users LIMIT 10'",
        "influx delete --bucket telemetry --start 2024-01-01T00:00:00Z --stop 2024-02-01T00:00:00Z "
        '--predicate \'_measurement="cpu" AND host="web-1"\'',
        "influx bucket list",
        "kafka-topics --bootstrap-server localhost:9092 --list",
        "kafka-topics --bootstrap-server localhost:9092 --describe --topic orders",
        "rpk topic list",
        "echo 'curl -X DELETE localhost:9200/_all'",
    ),
    check=check,
    escalates=True,
    keywords=(
        "mongo",
        "mongosh",
        "mongorestore",
        "cqlsh",
        "curl",
        "wget",
        "http",
        "xh",
        "etcdctl",
        "influx",
        "kafka-topics",
        "rpk",
    ),
    precision="high",
    tags=("data-loss",),
)
