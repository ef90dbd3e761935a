"""The files that switch the guard off: blastguard's configuration and cache, each agent's hook
settings, and git hooks. A tool call that writes, moves or deletes one of them is asked about (BG003).

A protected location is a run of path components that may end any path: `.claude/settings.json` is
protected in every project and in the home folder alike, and `blastguard.toml` wherever it sits, so a
path whose leading folders are only known at run time (`"$DIR/blastguard.toml"`) is still recognised.
A folder entry protects the folder and everything under it.

Where each agent keeps its hooks (project level and user level):
  Claude Code  .claude/settings.json, .claude/settings.local.json, ~/.claude/settings.json, and the
               managed /etc/claude-code/managed-settings.json
  Codex        .codex/hooks.json, ~/.codex/hooks.json, ~/.codex/config.toml (features, hook flags)
  Gemini CLI   .gemini/settings.json, ~/.gemini/settings.json, /etc/gemini-cli/settings.json
  Cursor       .cursor/hooks.json, ~/.cursor/hooks.json
  Copilot CLI  .github/hooks/*.json, .github/copilot/settings(.local).json, ~/.copilot/hooks/,
               ~/.copilot/settings.json, ~/.copilot/config.json (Copilot also reads .claude/settings*.json)
"""

from __future__ import annotations

import os
import re

from blastguard.records import Record, record


@record(frozen=True)
class Guarded(Record):
    parts: tuple[str, ...]  # path components, matched at the end of a path
    what: str  # what the location is, for messages
    folder: bool = False  # the folder and everything under it


PYPROJECT = "pyproject.toml"  # holds blastguard's configuration only when it has [tool.blastguard]

GUARDED: tuple[Guarded, ...] = (
    # blastguard itself
    Guarded(("blastguard.toml",), "blastguard's configuration"),
    Guarded((PYPROJECT,), "a pyproject.toml, which can hold blastguard's configuration ([tool.blastguard])"),
    Guarded((".blastguard_cache",), "blastguard's cache", folder=True),
    Guarded((".cache", "blastguard"), "blastguard's cache", folder=True),
    # the agents' hook settings
    Guarded((".claude", "settings.json"), "Claude Code's settings, where its hooks are configured"),
    Guarded((".claude", "settings.local.json"), "Claude Code's settings, where its hooks are configured"),
    Guarded(("claude-code", "managed-settings.json"), "Claude Code's managed settings"),
    Guarded((".codex", "hooks.json"), "Codex's hook settings"),
    Guarded((".codex", "config.toml"), "Codex's configuration, which turns its hooks on"),
    Guarded((".gemini", "settings.json"), "Gemini CLI's settings, where its hooks are configured"),
    Guarded(("gemini-cli", "settings.json"), "Gemini CLI's system settings"),
    Guarded((".cursor", "hooks.json"), "Cursor's hook settings"),
    Guarded((".github", "hooks"), "Copilot CLI's hook settings", folder=True),
    Guarded((".github", "copilot", "settings.json"), "Copilot CLI's settings, where hooks can be configured"),
    Guarded((".github", "copilot", "settings.local.json"), "Copilot CLI's settings, where hooks can be configured"),
    Guarded((".copilot", "hooks"), "Copilot CLI's hook settings", folder=True),
    Guarded((".copilot", "settings.json"), "Copilot CLI's settings, where hooks can be configured"),
    Guarded((".copilot", "config.json"), "Copilot CLI's configuration"),
    # git hooks: what runs on commit and push, blastguard's pre-commit check among it
    Guarded((".git", "hooks"), "git hooks", folder=True),
    Guarded((".git", "config"), "the repository's git configuration, where core.hooksPath is set"),
    Guarded((".husky",), "git hooks (husky)", folder=True),
    Guarded((".gitconfig",), "git's user configuration, where core.hooksPath can be set"),
    Guarded((".config", "git", "config"), "git's user configuration, where core.hooksPath can be set"),
    Guarded((".pre-commit-config.yaml",), "the pre-commit configuration, which installs git hooks"),
    Guarded(("lefthook.yml",), "the lefthook configuration, which installs git hooks"),
    Guarded((".lefthook.yml",), "the lefthook configuration, which installs git hooks"),
)

_FIRST_PARTS = frozenset(g.parts[0] for g in GUARDED if len(g.parts) > 1)
_HOME_VARIABLE = re.compile(r"^(?:\$HOME|\$\{HOME\})(?=/|$)")


def resolve(text: str, cwd: str, home: str | None = None) -> str:
    """`text` as an absolute, normalised path: `~` and `$HOME` expanded, a relative path taken from
    `cwd`. A path that starts with another expansion known only at run time (`$DIR/x`) stays relative,
    so only its literal end can match."""
    home = home if home is not None else os.path.expanduser("~")
    if text == "~" or text.startswith("~/"):
        text = home + text[1:]
    else:
        text = _HOME_VARIABLE.sub(lambda _: home.replace("\\", "\\\\"), text, count=1)
    if text.startswith(("$", "`")):
        return os.path.normpath(text)
    return os.path.normpath(os.path.join(cwd, text))


def guarded(path: str, cache_home: str | None = None) -> Guarded | None:
    """The protected location that `path` (resolved) is, or lies under; None if it is none of them."""
    parts = tuple(part for part in path.replace("\\", "/").split("/") if part)
    for guard in GUARDED:
        size = len(guard.parts)
        if parts[-size:] == guard.parts:
            return guard
        if guard.folder and any(parts[i : i + size] == guard.parts for i in range(len(parts) - size)):
            return guard
    if cache_home:  # $XDG_CACHE_HOME/blastguard
        cache = os.path.join(os.path.normpath(cache_home), "blastguard")
        if path == cache or path.startswith(cache + os.sep):
            return Guarded(("blastguard",), "blastguard's cache", folder=True)
    return None


def guarded_within(folder: str) -> Guarded | None:
    """A protected location that exists inside `folder` and is reached through it by name: removing
    or moving `.claude` takes `.claude/settings.json` with it. Only folders named like the start of a
    protected location are looked into (a project folder that holds a blastguard.toml is not)."""
    name = os.path.basename(os.path.normpath(folder))
    if name not in _FIRST_PARTS:
        return None
    for guard in GUARDED:
        if len(guard.parts) > 1 and guard.parts[0] == name and os.path.lexists(os.path.join(folder, *guard.parts[1:])):
            return guard
    return None
