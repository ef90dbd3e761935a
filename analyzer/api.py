"""The Python API, and the scan that the command line runs.

    import blastguard.api as bg
    findings = bg.check_text("DELETE FROM users;", filename="cleanup.sql")
    report = bg.check_paths(["migrations/"])
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from blastguard import baseline
from blastguard.config import Config, discover
from blastguard.context import Context
from blastguard.discovery import Skipped, Walker, display_path, find_project_root
from blastguard.engine import Engine
from blastguard.model import Finding, Notification, Report
from blastguard.sources import SkipFile, Source, decode, language_for_content, language_for_name, read_source


class UsageError(Exception):
    """Bad arguments: a missing path, stdin of unknown language."""


def check_text(text: str, filename: str = "stdin.sql", config: Config | None = None, *,
               context: Context | None = None, trust_suppressions: bool = True) -> list[Finding]:
    """Findings (suppressed ones included, marked) for `text`, read as the language of `filename`.

    `context` says what is known about where it will run (production evidence from the environment);
    with `trust_suppressions=False`, ignore comments inside `text` are not honoured.
    """
    config = config or Config()
    language = language_for_name(filename) or language_for_content(text)
    if language is None:
        raise UsageError(f"cannot tell the language of {filename!r}: give it a known extension such as .sql")
    engine = Engine(config, project_root=os.getcwd(), trust_suppressions=trust_suppressions)
    source = Source(filename, text.lstrip("\ufeff"), language, context or Context())
    findings, _ = engine.check_source(source)
    return findings


def check_diff(patch: str, root: str = ".", config: Config | None = None, *,
               trust_suppressions: bool = True, suppressions_added: str = "all") -> list[Finding]:  # fmt: skip
    """The findings that a unified diff, not yet applied, introduces into the files under `root` (the
    folder its paths are relative to): findings of the patched files that the files as they are do
    not have, and change-only findings such as a deleted database block. Suppressed findings are
    included, marked; with `trust_suppressions=False` ignore comments are not honoured. Each
    suppression the diff adds is a BG004 finding; with `suppressions_added="existing"`, only one that
    silences a finding the file already had (as the agent hook judges an edit). Raises
    `blastguard.diffs.DiffError` when the patch is malformed or does not apply.
    """
    from blastguard.changes import check_changes
    from blastguard.diffs import apply_patch

    config = config or discover(root)
    changes = apply_patch(patch, root)
    engine = Engine(config, find_project_root(root), trust_suppressions=trust_suppressions)
    report = check_changes(engine, changes, root, "the patch's pre-image", suppressions_added=suppressions_added)
    return report.findings


def check_paths(paths: list[str], config: Config | None = None) -> Report:
    """Scan files and folders as `blastguard check` does (configuration discovered unless given)."""
    config = config or discover(paths[0] if paths else ".")
    return scan(paths, config)


def scan(
    paths: list[str],
    config: Config,
    *,
    stdin: bytes | None = None,
    stdin_filename: str | None = None,
    force_exclude: bool = False,
    baseline_file: str | None = None,
    trust_suppressions: bool = True,
) -> Report:
    for path in paths:
        if path != "-" and not os.path.exists(path):
            raise UsageError(f"{path}: no such file or directory")
    project_root = find_project_root(next((p for p in paths if p != "-"), os.getcwd()))
    engine = Engine(config, project_root, trust_suppressions=trust_suppressions)
    walker = Walker(config.root, config.exclude, config.respect_gitignore)
    report = engine.check_sources(_sources(paths, config, walker, force_exclude, stdin, stdin_filename))
    baseline_file = baseline_file or (baseline.resolve_path(config.baseline, config.root) if config.baseline else None)
    if baseline_file:
        baseline.apply(report.findings, baseline.load(baseline_file))
    return report


def _sources(paths, config: Config, walker: Walker, force_exclude: bool, stdin, stdin_filename) -> Iterator:
    """(Source or Notification, filesystem path or None) for every file the scan covers."""
    seen: set[str] = set()
    for path in paths:
        if path == "-":
            yield _stdin_source(stdin or b"", stdin_filename), stdin_filename
        elif os.path.isdir(path):
            for candidate in walker.walk(path):
                if isinstance(candidate, Skipped):
                    yield Notification(display_path(candidate.path), f"Skipped: {candidate.reason}.", "skipped",
                                       candidate.level), None  # fmt: skip
                    continue
                key = os.path.abspath(candidate.path)
                if key not in seen:
                    seen.add(key)
                    yield _read(candidate.path, candidate.language, config), candidate.path
        else:
            key = os.path.abspath(path)
            if key in seen or (force_exclude and walker.excluded(path, is_dir=False)):
                continue
            seen.add(key)
            yield _read_explicit(path, config), path


def _read(path: str, language: str, config: Config) -> Source | Notification:
    shown = display_path(path)
    try:
        return read_source(path, shown, language, config.max_file_size)
    except SkipFile as skip:
        return Notification(shown, f"Skipped: {skip}.", "skipped")


def _read_explicit(path: str, config: Config) -> Source | Notification:
    """A file named on the command line: by its name, else by its content."""
    language = language_for_name(path)
    if language:
        return _read(path, language, config)
    source = _read(path, "unknown", config)
    if isinstance(source, Notification):
        return source
    source.language = language_for_content(source.text) or ""
    if not source.language:
        return Notification(source.path, "Skipped: not a file type blastguard reads.", "skipped", level="note")
    return source


def _stdin_source(data: bytes, filename: str | None) -> Source | Notification:
    shown = filename or "<stdin>"
    try:
        text = decode(data)
    except SkipFile as skip:
        return Notification(shown, f"Skipped: {skip}.", "skipped")
    language = (language_for_name(filename) if filename else None) or language_for_content(text)
    if language is None:
        hint = f"{filename!r} has no extension blastguard knows" if filename else "it did not look like SQL"
        raise UsageError(f"cannot tell the language of stdin ({hint}); pass --stdin-filename NAME.sql")
    return Source(shown, text, language)
