"""PY402 cache-flush: a Redis FLUSHALL or FLUSHDB empties every key of a server or database."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.python.calls import Call
    from blastguard.frontends.python.frontend import PythonDocument

_FIX = (
    "Delete the keys you mean (`SCAN` with a `match=` pattern and `UNLINK`), or give them a TTL; "
    "never flush a shared server from application code."
)
_FLUSHES = {
    "flushall": "every key in every database of the Redis server",
    "flushdb": "every key in the selected Redis database",
}
# Calls that send a raw command, its name first.
_RAW = frozenset({"execute_command", "send_command"})


def check(call: Call, document: PythonDocument) -> Iterator[Hit]:
    method = call.method
    if method in _FLUSHES and call.receiver is not None:
        shown = f"{method}()"
    elif method in _RAW and call.receiver is not None and call.node.args:
        command = document.string(call.node.args[0].value, call) if not call.node.args[0].star else None
        if command is None or not command.literal or not command.text.split():
            return
        method = command.text.split()[0].lower()
        if method not in _FLUSHES:
            return
        shown = f'{call.method}("{method.upper()}")'
    else:
        return
    asynchronous = " (`asynchronous=True` only frees the memory in the background)" if _async(call) else ""
    yield Hit(*call.span(), f"`{shown}` deletes {_FLUSHES[method]}{asynchronous}. {_FIX}")


def _async(call) -> bool:
    value = call.keyword("asynchronous")
    return value is not None and getattr(value, "value", None) == "True"


RULE = Rule(
    id="PY402",
    name="cache-flush",
    language="python",
    severity=Severity.WARNING,
    summary="A Redis FLUSHALL or FLUSHDB deletes every key of a server or database.",
    rationale=(
        "`r.flushall()` empties every database of a Redis server and `r.flushdb()` the selected one, with no "
        "undo: sessions, queues, rate limits and any data kept only in Redis go with the cache. The same "
        'commands sent raw (`execute_command("FLUSHALL")`, with the name folded from constants) are found, '
        "and `asynchronous=True` is still a flush. Deleting single keys is not a finding, and neither are "
        "other caches' clears (Django's `cache.clear()`, memcached's `flush_all()`), which this rule does not "
        "cover."
    ),
    fix=_FIX,
    flag=(
        Example(
            "import redis\nr = redis.Redis(host='localhost')\nr.flushall()",
            flagged="r.flushall()",
            severity=Severity.WARNING,
            message="`flushall()` deletes every key in every database of the Redis server.",
        ),
        "redis_client.flushdb()",
        "conn.send_command('FLUSHDB')",
        "r.flushall(asynchronous=True)",
        "await redis.flushdb(asynchronous=True)",
        "redis.Redis.from_url(url).flushall()",
        "pipe = r.pipeline()\npipe.flushdb()\npipe.execute()",
        "r.execute_command('FLUSHALL')",
        "r.execute_command('flushdb', 'ASYNC')",
        "r.execute_command('FLUSHALL ASYNC')",
        "CMD = 'FLUSH' + 'ALL'\nconn.execute_command(CMD)",
        "def reset_cache(client):\n    client.flushall()",
    ),
    clean=(
        "cache.delete('key')",
        "r.delete('session:42')",
        "r.flush()",
        "sys.stdout.flush()",
        "print('flushall')",
        "logger.info('FLUSHDB done')",
        "cache.clear()",
        "r.execute_command('GET', 'FLUSHALL')",
        "r.execute_command('CONFIG', 'SET', 'maxmemory', '1gb')",
        "r.execute_command(command)",
        "for key in r.scan_iter(match='tmp:*'):\n    r.unlink(key)",
        "# r.flushall()\nr.ping()",
    ),
    check=check,
    escalates=True,
    keywords=("flushall", "flushdb", "execute_command", "send_command"),
    precision="high",
    tags=("data-loss", "cache"),
)
