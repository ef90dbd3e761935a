"""Configuration: `[tool.blastguard]` in pyproject.toml or a blastguard.toml, found upward from the scan.

Every key is validated: an unknown key or a value of the wrong kind is a ConfigError, never ignored,
so a typo cannot quietly switch a rule off.

Agent hooks and the MCP server read it differently (`discover_guarded`): the agent can write any
file in the project, so the project's configuration may only make the guard stricter there
(`tightened`); what loosens it is read only from the file named with --config.
"""

from __future__ import annotations

import os
import sys

from blastguard.context import DEFAULT_PRODUCTION_NAMES
from blastguard.model import Severity
from blastguard.records import Record, factory, record
from blastguard.sources import DEFAULT_MAX_FILE_SIZE, SkipFile, read_regular


def toml_parser():
    """The TOML parser, imported only when a configuration file is read (an agent hook starts fast)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised only on 3.10
        import tomli as tomllib
    return tomllib


CONFIG_FILES = ("blastguard.toml", "pyproject.toml")
FAIL_ON_LEVELS = ("error", "warning", "note", "never")
HOOK_DECISIONS = ("ask", "deny", "allow")
TEST_CODE_POLICIES = ("note", "report")
# Where test suites live, as gitignore-style patterns: Python's conventions, and the folder names other
# ecosystems keep their tests and test data in (SQL and shell files live there too).
DEFAULT_TEST_PATHS = (
    "tests/",
    "test/",
    "__tests__/",
    "spec/",
    "testdata/",
    "test_*.py",
    "*_test.py",
    "*_tests.py",
    "conftest.py",
)
MAX_CONFIG_SIZE = 1 << 20  # a configuration file is a few lines; a larger one is refused, not read


class ConfigError(Exception):
    """A configuration problem, worded for a one-line message."""


@record
class Config(Record):
    path: str | None = None  # the file it came from
    root: str = "."  # directory that relative paths in the configuration are taken from
    select: list[str] = factory(lambda: ["ALL"])
    ignore: list[str] = factory(list)
    exclude: list[str] = factory(list)
    per_path_ignores: dict[str, list[str]] = factory(dict)
    severity: dict[str, Severity] = factory(dict)
    fail_on: str = "warning"
    sql_dialect: str = "auto"
    baseline: str | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    respect_gitignore: bool = True
    production_names: list[str] = factory(lambda: list(DEFAULT_PRODUCTION_NAMES))
    max_destroy: int | None = None  # a Terraform plan deleting more resources than this is a finding
    stateful_types: list[str] = factory(list)  # Terraform types added to the built-in list
    audit_log: str | None = None  # JSON-lines record of every agent-hook decision
    audit_log_inputs: bool = False  # the audit log also records what was checked (secrets redacted) and why
    hook_on_error: str = "ask"  # what a hook answers for a malformed payload or an internal error
    hook_trust_suppressions: bool = False  # honour ignore comments inside content an agent proposes
    hook_deadline: float = 5.0  # seconds a hook may take before it answers ask and stops checking
    test_code: str = "note"  # findings in test code: notes unless production evidence is present, or "report"
    test_paths: list[str] = factory(lambda: list(DEFAULT_TEST_PATHS))
    # Asking a live database (opt-in): the URL, or path pattern -> URL; see blastguard.live.
    database_url: str | None = None
    databases: dict[str, str] = factory(dict)
    max_affected_pct: float = 1.0  # a statement changing a larger share of its table is a finding
    max_affected_rows: int | None = None  # or more rows than this
    exact_count: bool = False  # count rows with SELECT count(*) instead of the planner's estimate
    database_timeout: float = 2.0  # seconds for connecting and for each question
    # Rule id -> the lowest severity its findings get. Not a key of the file: a project's `severity`
    # in hook and MCP modes, which may raise a finding but never lower one (see `tightened`).
    severity_floor: dict[str, Severity] = factory(dict)
    given: tuple[str, ...] = ()  # the keys the file set, as spelled there


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


def _test_code(key: str, value) -> str:
    value = _string(key, value).lower()
    if value not in TEST_CODE_POLICIES:
        raise ConfigError(f"'{key}' must be one of {', '.join(TEST_CODE_POLICIES)}, not {value!r}")
    return value


def _seconds(key: str, value) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= 600:
        raise ConfigError(f"'{key}' must be a number of seconds above 0 and at most 600")
    return float(value)


def _percentage(key: str, value) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 100:
        raise ConfigError(f"'{key}' must be a percentage from 0 to 100")
    return float(value)


def database_url(key: str, value) -> str:
    """`value` checked as a database URL (see blastguard.live.urls)."""
    from blastguard.live.urls import LiveError, parse_url

    try:
        return parse_url(_string(key, value)).url
    except LiveError as exc:
        raise ConfigError(f"'{key}': {exc}") from None


def _database_urls(key: str, value) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"'{key}' must be a table of path pattern = database URL")
    return {pattern: database_url(f"{key}.{pattern}", url) for pattern, url in value.items()}


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
    "audit-log-inputs": ("audit_log_inputs", _bool),
    "hook-on-error": ("hook_on_error", _hook_decision),
    "hook-trust-suppressions": ("hook_trust_suppressions", _bool),
    "hook-deadline": ("hook_deadline", _seconds),
    "test-code": ("test_code", _test_code),
    "test-paths": ("test_paths", _strings),
    "database-url": ("database_url", database_url),
    "databases": ("databases", _database_urls),
    "max-affected-pct": ("max_affected_pct", _percentage),
    "max-affected-rows": ("max_affected_rows", _positive_int),
    "exact-count": ("exact_count", _bool),
    "database-timeout": ("database_timeout", _seconds),
}


DATABASE_URL_VARIABLE = "BLASTGUARD_DATABASE_URL"


def with_database_from(config: Config, environ) -> Config:
    """`config` with the database that the environment names (BLASTGUARD_DATABASE_URL), if it names one:
    for the hook, the environment the agent runs in is set by the person who runs it, not by the agent."""
    url = environ.get(DATABASE_URL_VARIABLE)
    return config.replace(database_url=database_url(DATABASE_URL_VARIABLE, url)) if url else config


def rule_options(config: Config, keys: tuple[str, ...]) -> dict[str, object]:
    """The values of the keys a rule declares (`Rule.options`), by their attribute names (`max_destroy`)."""
    return {_KEYS[key][0]: getattr(config, _KEYS[key][0]) for key in keys}


def parse_table(table: dict, path: str | None, root: str) -> Config:
    config = Config(path=path, root=root)
    for key, value in table.items():
        if key not in _KEYS:
            from blastguard.suggestions import did_you_mean

            raise ConfigError(f"unknown key '{key}'{did_you_mean(key, _KEYS, 'known keys')}")
        attribute, validate = _KEYS[key]
        setattr(config, attribute, validate(key, value))
    config.given = tuple(table)
    return config


def _read_toml(path: str, data: bytes | None = None) -> dict:
    """The TOML document at `path` (whose bytes may be given). Nothing parsed is cached: a cache is
    a file an agent could forge. Raises SkipFile when the file cannot be read (a FIFO or device is
    never opened, an oversized file is refused) and ValueError when it is not TOML."""
    if data is None:
        data = read_regular(path, max_size=MAX_CONFIG_SIZE)
    return toml_parser().loads(data.decode("utf-8"))


def _tool_table(document: dict) -> dict:
    tool = document.get("tool", {})
    return tool if isinstance(tool, dict) else {}


def load_file(path: str) -> Config:
    """Load one configuration file; a pyproject.toml without [tool.blastguard] gives the defaults."""
    root = os.path.dirname(os.path.abspath(path))
    try:
        data = _read_toml(path)
    except SkipFile as skip:
        raise ConfigError(f"{path}: {skip}") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if os.path.basename(path) == "pyproject.toml":
        data = _tool_table(data).get("blastguard", {})
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
        data = read_regular(path, limit=MAX_CONFIG_SIZE + 1)
    except SkipFile:
        return False
    if len(data) > MAX_CONFIG_SIZE:
        return b"[tool.blastguard" in data  # too large to be read: loading it says so
    if b"blastguard" not in data:
        return False  # cannot hold the table; spares parsing every pyproject.toml on the way up
    try:
        return "blastguard" in _tool_table(_read_toml(path, data))
    except ValueError:
        # A broken pyproject.toml that never mentions us is not our configuration; if it does
        # mention us, loading it reports the problem.
        return b"[tool.blastguard" in data


def discover(start: str, explicit: str | None = None) -> Config:
    if explicit:
        if not os.path.isfile(explicit):
            raise ConfigError(f"{explicit}: no such configuration file")
        return load_file(explicit)
    found = find_config_file(start)
    return load_file(found) if found else Config(root=_start_folder(start))


def _start_folder(start: str) -> str:
    return os.path.abspath(start if os.path.isdir(start) else ".")


# --- agent hooks and the MCP server: the project's configuration only tightens ----------------------


def discover_guarded(
    start: str, explicit: str | None = None, *, bad_project_raises: bool = False
) -> tuple[Config, list[str]]:
    """The configuration of an agent hook or the MCP server checking from `start`: the file named
    with --config (`explicit`), else the defaults, tightened by the project's file found upward from
    `start`; and notices, one line each, of what in the project's file was ignored.

    The agent can write any file of the project, so nothing found there may loosen the guard. A bad
    `explicit` file raises ConfigError; a bad project file is ignored with a notice (a hook: an agent
    that breaks it must not turn a deny into the answer for an error), or raises with
    `bad_project_raises` (a server that reads it once, at its start)."""
    trusted = discover(start, explicit) if explicit else Config(root=_start_folder(start))
    found = find_config_file(start)
    if found is None or (explicit and os.path.realpath(found) == os.path.realpath(explicit)):
        return trusted, []
    try:
        project = load_file(found)
    except ConfigError as exc:
        if bad_project_raises:
            raise
        return trusted, [f"blastguard ignored the project's configuration, which it cannot read ({exc})."]
    config, ignored = tightened(trusted, project)
    if not ignored:
        return config, []
    return config, [
        f"blastguard ignored {', '.join(ignored)} in {found}: in agent hooks and the MCP server the "
        "project's configuration may only make the guard stricter; settings that loosen it are read "
        "only from the file given with --config."
    ]


def tightened(trusted: Config, project: Config) -> tuple[Config, list[str]]:
    """`trusted` made stricter by what `project` sets, and the keys of `project` that were ignored
    because they would have loosened it. Key by key (`project` may only):

    select             add rules; a list that leaves out a rule `trusted` selects would narrow it
    ignore, exclude, per-path-ignores   nothing: each only removes checks
    severity           raise a rule's findings above their level under `trusted` (a floor, so a
                       finding a rule or the production context makes more severe is never lowered)
    fail-on            lower the level (note is strictest)
    production-names, stateful-types    add names and types
    max-destroy        lower the limit
    hook-on-error      become stricter (allow < ask < deny)
    hook-deadline      shorten it (a passed deadline answers ask)
    respect-gitignore, hook-trust-suppressions   switch off
    sql-dialect        nothing: a dialect changes how a statement reads (what is a comment, a quote),
                       so a chosen one could read a destructive statement as harmless; auto tries several
    max-file-size      nothing: a smaller one leaves content unchecked, a larger one lifts the bound on
                       the time and memory a check takes
    baseline           nothing: it hides findings
    test-code          become "report" (agents' commands and content are never treated as test code anyway)
    test-paths         nothing: it decides which findings become notes in repository checks
    audit-log          nothing: where decisions are recorded is the user's choice; a file the agent
                       names could send the trail away, or to a FIFO that stalls the hook
    audit-log-inputs   nothing: whether commands (redacted) are kept is the user's choice, not the agent's
    database-url, databases, exact-count   nothing: a database the agent names could be an empty copy
                       that makes every statement look small, and counting loads the server
    max-affected-pct, max-affected-rows, database-timeout   lower them
    """
    config = trusted.replace(severity_floor=dict(trusted.severity_floor), given=())
    ignored: list[str] = []
    for key in project.given:
        attribute = _KEYS[key][0]
        if key == "severity":
            ignored += _raise_severities(config, trusted, project.severity)
            continue
        value, loosening = _TIGHTEN[key](getattr(trusted, attribute), getattr(project, attribute))
        setattr(config, attribute, value)
        ignored += [key] if loosening is True else loosening or []
    return config, ignored


def _union(mine: list[str], theirs: list[str]) -> list[str]:
    return list(mine) + [item for item in theirs if item not in mine]


def _stricter(order: tuple[str, ...]):
    """For a setting whose values run from loosest to strictest."""
    return lambda mine, theirs: (max(mine, theirs, key=order.index), order.index(theirs) < order.index(mine))


def _only_off(mine: bool, theirs: bool):
    return mine and theirs, theirs and not mine


def _trusted_only(mine, theirs):
    return mine, theirs != mine


def _nothing_added(mine, theirs):
    return mine, bool(set(theirs) - set(mine))


def _select(mine: list[str], theirs: list[str]):
    chosen = {k.upper() for k in theirs}
    narrows = "ALL" not in chosen and not {k.upper() for k in mine} <= chosen
    if "ALL" in {k.upper() for k in mine}:
        return list(mine), narrows  # every rule runs already
    unknown = [k for k in theirs if not _names_a_rule(k)]
    added = _union(mine, [k for k in theirs if k not in unknown])
    return added, (["select"] if narrows else []) + [f"select {k!r} (names no rule)" for k in unknown]


def _tighten_per_path(mine: dict, theirs: dict):
    return dict(mine), any(set(rules) - set(mine.get(pattern, ())) for pattern, rules in theirs.items())


def _production_names(mine: list[str], theirs: list[str]):
    return _union(mine, theirs), not set(mine) <= set(theirs)


def _lower_limit(mine: int | None, theirs: int):
    return (theirs if mine is None else min(mine, theirs)), mine is not None and theirs > mine


def _shorter(mine: float, theirs: float):
    return min(mine, theirs), theirs > mine


_TIGHTEN = {
    "select": _select,
    "ignore": _nothing_added,
    "exclude": _nothing_added,
    "per-path-ignores": _tighten_per_path,
    "fail-on": _stricter(("never", "error", "warning", "note")),
    "sql-dialect": _trusted_only,
    "baseline": _trusted_only,
    "max-file-size": _trusted_only,
    "respect-gitignore": _only_off,
    "production-names": _production_names,
    "max-destroy": _lower_limit,
    "stateful-types": lambda mine, theirs: (_union(mine, theirs), False),
    "audit-log": _trusted_only,
    "audit-log-inputs": _trusted_only,
    "hook-on-error": _stricter(("allow", "ask", "deny")),
    "hook-trust-suppressions": _only_off,
    "hook-deadline": _shorter,
    "test-code": _stricter(TEST_CODE_POLICIES),
    "test-paths": _trusted_only,
    "database-url": _trusted_only,
    "databases": _trusted_only,
    "max-affected-pct": lambda mine, theirs: (min(mine, theirs), theirs > mine),
    "max-affected-rows": _lower_limit,
    "exact-count": _trusted_only,
    "database-timeout": _shorter,
}


def _raise_severities(config: Config, trusted: Config, wanted: dict[str, Severity]) -> list[str]:
    """Floors from the project's `severity` table, where they raise a rule above its level under
    `trusted`; the entries that do not, as ignored keys."""
    from blastguard import registry  # only when a project sets severities: it loads every rule pack

    ignored = []
    for key, level in wanted.items():
        rule = registry.find_rule(key)
        if rule is None:
            ignored.append(f"severity.{key} (names no rule)")
            continue
        overrides = [lvl for k, lvl in trusted.severity.items() if registry.find_rule(k) is rule]
        if level <= (overrides[-1] if overrides else rule.severity):
            ignored.append(f"severity.{key}")
            continue
        config.severity_floor[rule.id] = max(level, config.severity_floor.get(rule.id, level))
    return ignored


def _names_a_rule(key: str) -> bool:
    from blastguard import registry

    return key.upper() == "ALL" or any(
        r.id.startswith(key.upper()) or key.lower() == r.name for r in registry.all_rules()
    )
