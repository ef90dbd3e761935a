"""PY402 cache-flush: a Redis FLUSHALL or FLUSHDB empties every key of a server or database."""

from __future__ import annotations

import libcst as cst

from blastguard.examples import Example
from blastguard.frontends.python.string_values import code_of
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
_REDIS = frozenset({"redis", "aioredis", "django_redis", "fakeredis", "walrus"})
# Calls that list keys, by a glob pattern (`match=` for the SCAN family).
_LISTINGS = frozenset({"keys", "scan_iter"})
# Calls that send a raw command, its name first.
_RAW = frozenset({"execute_command", "send_command"})


def check(call: Call, document: PythonDocument) -> Iterator[Hit]:
    method = call.method
    if method in ("delete", "unlink") and call.receiver is not None and call.node.args:
        yield from _every_key_deleted(call, document)
        return
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


def _every_key_deleted(call: Call, document: PythonDocument) -> Iterator[Hit]:
    """`r.delete(*r.keys("*"))`, or `r.delete(key)` in a loop over `r.scan_iter()`: a listing of every key
    fed to a delete. A listing with a narrower pattern (`session:*`) is a cleanup of the keys the
    program owns, as a prefix-limited S3 delete is, and is not a finding."""
    first = call.node.args[0]
    listing, via = None, ""
    if first.star == "*":
        listing, via = _followed(first.value, call, document)
    elif len(call.node.args) == 1 and not first.star and not first.keyword and isinstance(first.value, cst.Name):
        loop = document.model.loop_of(first.value, call)
        if loop is not None and document.model.every_turn(loop[0], loop[2], call):  # not `if key.startswith(…)`
            listing, via = _followed(loop[1], call, document)
            via = via or f"the loop over `{' '.join(code_of(loop[1]).split())}`"
    if not isinstance(listing, cst.Call) or not isinstance(listing.func, cst.Attribute):
        return
    lister = listing.func.attr.value
    if lister not in _LISTINGS:
        return
    pattern = _argument(listing, 0, "match" if lister == "scan_iter" else "pattern")
    if pattern is None:
        if lister == "keys" and not document.model.imported_modules & _REDIS:
            return  # `mapping.keys()`: a dict's keys take no pattern
        why = f"`{lister}()` with no pattern lists them all"
    else:
        value = document.folder.string(pattern, call.scope, call.chunk)
        if value is None or not value.literal or value.text.strip("*"):
            return  # a pattern that names a family of keys, or one only known at run time
        why = f'the pattern "{value.text}" matches them all'
    source = f", listed by {via}" if via else ""
    yield Hit(
        *call.span(),
        f"`{call.code()}` deletes every key of the selected Redis database{source}, as `FLUSHDB` would: {why}. {_FIX}",
    )


def _followed(node, call, document):
    """`node`, or what a name bound once holds, and the name followed (for the message)."""
    if isinstance(node, cst.Name):
        bound = document.model.binding(node, call.scope)
        if bound is not None:
            return bound[0], f"`{node.value}`"
    return node, ""


def _argument(listing: cst.Call, position: int, keyword: str):
    positional = [a.value for a in listing.args if a.keyword is None and not a.star]
    if position < len(positional):
        return positional[position]
    return next((a.value for a in listing.args if a.keyword is not None and a.keyword.value == keyword), None)


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
        'cover. Deleting every key one by one is the same flush: `r.delete(*r.keys("*"))`, or a `delete`/'
        "`unlink` of each key a loop over `r.scan_iter()` or `r.keys()` lists, with no pattern or a pattern of "
        "only `*` (a name bound to the listing is followed). A narrower pattern (`session:*`) is a cleanup of "
        "the keys a program owns, like a prefix-limited bucket delete, and is not a finding."
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
        # Every key listed, then deleted.
        Example(
            'import redis\nr = redis.Redis()\nr.delete(*r.keys("*"))',
            flagged='r.delete(*r.keys("*"))',
            severity=Severity.WARNING,
            message='as `FLUSHDB` would: the pattern "*" matches them all',
        ),
        "import redis\nr = redis.Redis()\nr.unlink(*r.keys())",
        Example(
            "def wipe(r):\n    for key in r.scan_iter():\n        r.delete(key)",
            flagged="r.delete(key)",
            message="listed by the loop over `r.scan_iter()`",
        ),
        "def wipe(r):\n    for key in r.scan_iter(match='*', count=500):\n        pipe.unlink(key)",
        'ALL = "*"\ndef wipe(r):\n    everything = r.keys(ALL)\n    r.delete(*everything)',
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
        # A family of keys the program owns: a scoped cleanup.
        'r.delete(*r.keys("session:*"))',
        "for key in r.scan_iter(match='cache:user:*'):\n    r.delete(key)",
        "def clear(r, prefix):\n    for key in r.scan_iter(match=prefix + '*'):\n        r.delete(key)",
        # A dict's keys, not Redis's.
        "for name in settings.keys():\n    registry.delete(name)",
        "store.delete(*cache.keys())",
        "for key in r.scan_iter('*'):\n    print(key)",
        # Keys chosen in the loop: not every key.
        "import redis\nfor key in r.scan_iter():\n    if r.ttl(key) == -1:\n        r.delete(key)",
    ),
    check=check,
    escalates=True,
    keywords=("flushall", "flushdb", "execute_command", "send_command", "keys", "scan_iter"),
    precision="high",
    tags=("data-loss", "cache"),
)
