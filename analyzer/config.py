"""Configuration: `[tool.blastguard]` in pyproject.toml or a blastguard.toml, found upward from the scan.

Every key is validated: an unknown key or a value of the wrong kind is a ConfigError, never ignored,
so a typo cannot quietly switch a rule off.
"""

from __future__ import annotations

import json
import os
import sys
import zlib

from blastguard.context import DEFAULT_PRODUCTION_NAMES
from blastguard.model import Severity
from blastguard.records import Record
from blastguard.sources import DEFAULT_MAX_FILE_SIZE, SkipFile, read_regular


def _toml():
    """The TOML parser, imported only when a configuration file is read (an agent hook starts fast)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised only on 3.10
        import tomli as tomllib
    return tomllib


CONFIG_FILES = ("blastguard.toml", "pyproject.toml")
FAIL_ON_LEVELS = ("error", "warning", "note", "never")
HOOK_DECISIONS = ("ask", "deny", "allow")


class ConfigError(Exception):
    """A configuration problem, worded for a one-line message."""


class Config(Record):
    __slots__ = ("path", "root", "select", "ignore", "exclude", "per_path_ignores", "severity", "fail_on", "sql_dialect",
                 "baseline", "max_file_size", "respect_gitignore", "production_names", "max_destroy", "stateful_types",
                 "audit_log", "hook_on_error", "hook_trust_suppressions", "hook_deadline")  # fmt: skip

    def __init__(self, path: str | None = None, root: str = ".", **settings) -> None:
        self.path = path  # the file it came from
        self.root = root  # directory that relative paths in the configuration are taken from
        self.select: list[str] = ["ALL"]
        self.ignore: list[str] = []
        self.exclude: list[str] = []
        self.per_path_ignores: dict[str, list[str]] = {}
        self.severity: dict[str, Severity] = {}
        self.fail_on = "warning"
        self.sql_dialect = "auto"
        self.baseline: str | None = None
        self.max_file_size = DEFAULT_MAX_FILE_SIZE
        self.respect_gitignore = True
        self.production_names: list[str] = list(DEFAULT_PRODUCTION_NAMES)
        self.max_destroy: int | None = None  # a Terraform plan deleting more resources than this is a finding
        self.stateful_types: list[str] = []  # Terraform types added to the built-in list
        self.audit_log: str | None = None  # JSON-lines record of every agent-hook decision
        self.hook_on_error = "ask"  # what a hook answers for a malformed payload or an internal error
        self.hook_trust_suppressions = False  # honour ignore comments inside content an agent proposes
        self.hook_deadline = 5.0  # seconds a hook may take before it answers ask and stops checking
        for name, value in settings.items():
            if name not in self.__slots__:
                raise TypeError(f"Config has no setting {name!r}")
            setattr(self, name, value)


def _strings(key: str, value) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"'{key}' must be a list of strings")
    return list(value)


def _string(key: str, value) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"'{key}' must be a string")
    return value


def _fail_on(key: str, value) -> str:
    value = _string(key, value).lower()
    if value not in FAIL_ON_LEVELS:
        raise ConfigError(f"'{key}' must be one of {', '.join(FAIL_ON_LEVELS)}, not {value!r}")
    return value


def _severities(key: str, value) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f"'{key}' must be a table of rule = level")
    try:
        return {rule: Severity.parse(_string(f"{key}.{rule}", level)) for rule, level in value.items()}
    except ValueError as exc:
        raise ConfigError(f"'{key}': {exc}") from None


def _per_path(key: str, value) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ConfigError(f"'{key}' must be a table of path pattern = [rules]")
    return {pattern: _strings(f"{key}.{pattern}", rules) for pattern, rules in value.items()}


def _positive_int(key: str, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"'{key}' must be a positive integer")
    return value


def _names(key: str, value) -> list[str]:
    names = _strings(key, value)
    if not names or not all(n.isalnum() for n in names):
        raise ConfigError(f"'{key}' must be a non-empty list of alphanumeric name tokens, such as [\"prod\"]")
    return [n.lower() for n in names]


def _hook_decision(key: str, value) -> str:
    value = _string(key, value).lower()
    if value not in HOOK_DECISIONS:
        raise ConfigError(f"'{key}' must be one of {', '.join(HOOK_DECISIONS)}, not {value!r}")
    return value


def _seconds(key: str, value) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= 600:
        raise ConfigError(f"'{key}' must be a number of seconds above 0 and at most 600")
    return float(value)


def _bool(key: str, value) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"'{key}' must be true or false")
    return value


# key in the file -> (attribute, validator)
_KEYS = {
    "select": ("select", _strings),
    "ignore": ("ignore", _strings),
    "exclude": ("exclude", _strings),
    "per-path-ignores": ("per_path_ignores", _per_path),
    "severity": ("severity", _severities),
    "fail-on": ("fail_on", _fail_on),
    "sql-dialect": ("sql_dialect", _string),
    "baseline": ("baseline", _string),
    "max-file-size": ("max_file_size", _positive_int),
    "respect-gitignore": ("respect_gitignore", _bool),
    "production-names": ("production_names", _names),
    "max-destroy": ("max_destroy", _positive_int),
    "stateful-types": ("stateful_types", _strings),
    "audit-log": ("audit_log", _string),
    "hook-on-error": ("hook_on_error", _hook_decision),
    "hook-trust-suppressions": ("hook_trust_suppressions", _bool),
    "hook-deadline": ("hook_deadline", _seconds),
}


def parse_table(table: dict, path: str | None, root: str) -> Config:
    config = Config(path=path, root=root)
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"unknown key '{key}' (known keys: {known})")
        attribute, validate = _KEYS[key]
        setattr(config, attribute, validate(key, value))
    return config


def _read_toml(path: str, data: bytes | None = None) -> dict:
    """The TOML document at `path` (whose bytes may be given). Parsed documents are kept as JSON in
    the user's cache folder, keyed by path, size and modification time: an agent hook loads the
    configuration before every tool call, and importing the TOML parser costs about a fifth of its
    budget. Raises OSError when the file cannot be read and ValueError when it is not TOML."""
    stat = os.stat(path)
    key = f"{os.path.abspath(path)}\0{stat.st_mtime_ns}\0{stat.st_size}"
    cached = _cache_path(key)
    try:
        with open(cached, encoding="utf-8") as handle:
            entry = json.load(handle)
        if entry.get("key") == key:
            return entry["document"]
    except (OSError, ValueError, TypeError, AttributeError):
        pass
    if data is None:
        data = read_regular(path)
    document = _toml().loads(data.decode("utf-8"))
    try:
        os.makedirs(os.path.dirname(cached), exist_ok=True)
        temporary = f"{cached}.{os.getpid()}"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump({"key": key, "document": document}, handle)
        os.replace(temporary, cached)  # whole or not at all, even with hooks running side by side
    except (OSError, TypeError, ValueError):
        pass  # a read-only home or a TOML date: parse again next time
    return document


def _cache_path(key: str) -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "blastguard", "config", f"{zlib.crc32(key.encode('utf-8', 'surrogatepass')):08x}.json")


def load_file(path: str) -> Config:
    """Load one configuration file; a pyproject.toml without [tool.blastguard] gives the defaults."""
    root = os.path.dirname(os.path.abspath(path))
    try:
        data = _read_toml(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except SkipFile as skip:
        raise ConfigError(f"{path}: {skip}") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if os.path.basename(path) == "pyproject.toml":
        data = data.get("tool", {}).get("blastguard", {})
        where = f"{path} [tool.blastguard]"
    else:
        where = path
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: must be a table")
    try:
        return parse_table(data, path, root)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def find_config_file(start: str) -> str | None:
    """The nearest blastguard.toml, or pyproject.toml with a [tool.blastguard] table, upward from `start`."""
    directory = os.path.abspath(start)
    if not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    while True:
        for name in CONFIG_FILES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and (name != "pyproject.toml" or _has_blastguard_table(candidate)):
                return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _has_blastguard_table(path: str) -> bool:
    try:
        data = read_regular(path)
    except SkipFile:
        return False
    if b"blastguard" not in data:
        return False  # cannot hold the table; spares parsing every pyproject.toml on the way up
    try:
        return "blastguard" in _read_toml(path, data).get("tool", {})
    except (OSError, ValueError):
        # A broken pyproject.toml that never mentions us is not our configuration; if it does
        # mention us, loading it reports the problem.
        return b"[tool.blastguard" in data


def discover(start: str, explicit: str | None = None) -> Config:
    if explicit:
        if not os.path.isfile(explicit):
            raise ConfigError(f"{explicit}: no such configuration file")
        return load_file(explicit)
    found = find_config_file(start)
    return load_file(found) if found else Config(root=os.path.abspath(start if os.path.isdir(start) else "."))
