"""Production evidence in a Python file: where its code connects, not what it compares.

A connection URL or host, a cloud profile or a kube context that names production, passed to a
call or set into the environment, makes the file's destructive findings one level more severe
(`create_engine("postgresql://app@prod-db/app")` followed by a DELETE). Values are folded, so a
constant defined at the top of the file counts where it is used. Comparing `APP_ENV` with
"production" (the gate that refuses to run there) is not evidence: only values the code connects
with or sets are read.
"""

from __future__ import annotations

from blastguard.context import url_target

# Keyword arguments that say where a call connects.
_TARGET_KEYWORDS = frozenset(
    {
        "host",
        "hostname",
        "server",
        "db_host",
        "dbhost",
        "profile_name",
        "profile",
        "context",
        "cluster",
        "database",
        "dbname",
        "dsn",
        "environment",
    }
)
# Calls whose first argument is a connection URL or host.
_CONNECTS = frozenset(
    {
        "create_engine",
        "create_async_engine",
        "connect",
        "from_url",
        "MongoClient",
        "Redis",
        "StrictRedis",
        "create_pool",
        "Database",
        "Session",
        "engine_from_config",
    }
)
# Environment variables whose value names the target (set with os.environ[...] = or setdefault).
_TARGET_VARIABLES = frozenset(
    {
        "APP_ENV",
        "ENV",
        "ENVIRONMENT",
        "RAILS_ENV",
        "NODE_ENV",
        "FLASK_ENV",
        "DJANGO_SETTINGS_MODULE",
        "AWS_PROFILE",
        "DATABASE_URL",
        "DATABASE_HOST",
        "DB_HOST",
        "PGHOST",
        "MYSQL_HOST",
        "REDIS_URL",
        "TF_WORKSPACE",
        "KUBECONTEXT",
    }
)


def evidence(model, folder, names) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for call in model.calls:
        for arg in call.node.args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword is not None and keyword.lower() in _TARGET_KEYWORDS:
                _judge(folder.string(arg.value, call.scope, call.chunk), f"{keyword}=", names, found)
        first = call.argument(0)
        if first is not None and call.method in _CONNECTS:
            _judge(folder.string(first, call.scope, call.chunk), f"{call.method}()", names, found)
        if call.name in ("os.environ.setdefault", "os.putenv") and len(call.node.args) >= 2:
            _environment(call.node.args[0].value, call.node.args[1].value, call.scope, call.chunk, folder, names, found)
    for target, value, scope, chunk in model.environ_assignments:
        _environment(target, value, scope, chunk, folder, names, found)
    return tuple(found)


def _environment(key_node, value_node, scope, chunk, folder, names, found) -> None:
    key = folder.string(key_node, scope, chunk)
    if key is not None and key.literal and key.text in _TARGET_VARIABLES:
        _judge(folder.string(value_node, scope, chunk), f"{key.text}=", names, found)


def _judge(value, where: str, names, found: dict) -> None:
    if value is None:
        return
    text = value.text.strip()
    if not text:
        return
    target = url_target(text) if "://" in text else text
    if target and names.matches(target):
        found[f"{where}'{_shorten(target)}' in this file"] = None


def _shorten(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
