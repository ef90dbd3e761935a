"""The Python API, and the one front door every entry point goes through.

    import blastguard.api as bg
    result = bg.check_text("DELETE FROM users;", filename="cleanup.sql")
    result = bg.check_paths(["migrations/"])
    result = bg.check_diff(patch, root=".")

All three return a `CheckResult`: the findings, as a list (suppressed ones included, marked), with
the check's notifications (files skipped, parse errors) beside them. Errors they raise:
`UsageError` (a path that does not exist, a text of unknown language), `blastguard.config.ConfigError`
(a configuration file that is invalid, when none is given), `blastguard.filters.diffs.DiffError`
(check_diff: a malformed patch, or one that does not apply).

`Session` is what the command line, the GitHub action, the agent hook, the MCP server and the
functions here share: the configuration, the project root, the file reader, language detection
(`sources.detect_language`), what is known about where the checked text runs, and the fail-on level.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from blastguard.config import Config
from blastguard.context import Context
from blastguard.model import Finding, Notification, Report, Severity
from blastguard.records import Record, record
from blastguard.sources import (
    FileReader,
    SkipFile,
    Source,
    Undecodable,
    Unreadable,
    decode,
    detect_language,
    language_for_name,
    read_regular,
)


class UsageError(Exception):
    """Bad arguments: a missing path, stdin of unknown language."""


class CheckResult(list):
    """What `check_text`, `check_paths` and `check_diff` return: the findings, as a list (suppressed
    ones included, marked; `reported` leaves them out), so `for finding in result`, `len(result)` and
    `result == []` work as they did; with `notifications` (what was skipped or could not be parsed),
    `files_checked`, and `report()`, the same as a `Report`."""

    def __init__(
        self,
        findings=(),
        notifications=(),
        *,
        files_checked: int = 0,
        texts: dict | None = None,
        project_root: str = ".",
    ) -> None:
        super().__init__(findings)
        self.notifications: list[Notification] = list(notifications)
        self.files_checked = files_checked
        self.texts: dict[str, str] = dict(texts or {})
        self.project_root = project_root

    @classmethod
    def of(cls, report: Report) -> CheckResult:
        return cls(
            report.findings,
            report.notifications,
            files_checked=report.files_checked,
            texts=report.texts,
            project_root=report.project_root,
        )

    @property
    def findings(self) -> list[Finding]:
        return list(self)

    @property
    def reported(self) -> list[Finding]:
        return [f for f in self if f.suppression is None]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self if f.suppression is not None]

    @property
    def had_internal_error(self) -> bool:
        return any(n.kind == "internal-error" for n in self.notifications)

    def report(self) -> Report:
        """The same as a `Report`, for the formatters."""
        return Report(list(self), list(self.notifications), self.files_checked, dict(self.texts), self.project_root)


@record(identity=True)
class Session(Record):
    """One check's setup. `context` is what is known about where checked text will run (an agent's
    working directory and production evidence); `pending` is content that is not on disk yet (absolute
    path -> text, None: deleted), which every file read during the check sees; `fingerprints=False`
    for a one-off check of a command, which needs no line-independent identities."""

    config: Config
    project_root: str
    trust_suppressions: bool = True
    fingerprints: bool = True
    context: Context | None = None
    pending: dict | None = None
    jobs: int | None = None  # worker processes for a scan; None: as many as its size calls for
    _engine: object = None

    @classmethod
    def for_paths(cls, paths: list[str], config: Config, **options) -> Session:
        """A session for checking `paths`: the project root is the git work tree of the first one."""
        from blastguard.discovery import find_project_root

        return cls(config, find_project_root(next((p for p in paths if p != "-"), os.getcwd())), **options)

    def engine(self):
        """The engine, built once: parsers and parsed sibling files are kept for the session."""
        if self._engine is None:
            from blastguard.engine import Engine

            reader = FileReader(self.config.max_file_size, self.pending)
            self._engine = Engine(self.config, self.project_root, self.trust_suppressions, self.fingerprints, reader)
            self._engine.jobs = self.jobs
        return self._engine

    def failing(self, findings: list[Finding]) -> list[Finding]:
        """The findings at or above the configured fail-on level: a non-zero exit, a failed check."""
        if self.config.fail_on == "never":
            return []
        threshold = Severity.parse(self.config.fail_on)
        return [f for f in findings if f.severity >= threshold]

    # --- one text, one file ----------------------------------------------------------------------

    def check_text(
        self, text: str, name: str, *, language: str | None = None, location: str | None = None
    ) -> tuple[list[Finding], list[Notification]]:
        """Findings and notifications for `text`, shown as `name`, read as `language` or as
        `detect_language` says. `location` is where it is (or will be) on disk: the files it refers to
        are read relative to it. A file of a type blastguard does not read is a note, not a check."""
        language = language or detect_language(name, text)
        if language is None:
            return [], [Notification(name, "Skipped: not a file type blastguard reads.", "skipped", level="note")]
        return self.engine().check_source(Source(name, text, language, self.context or Context()), location)

    def check_change(
        self, path: str, before: str | None, after: str, language: str | None = None
    ) -> tuple[list[Finding], list[Notification]]:
        """What writing `after` over `path` (whose content is `before`, None: a new file) introduces, as
        an agent's write is judged: each suppression it adds over a finding the file had is BG004."""
        from blastguard.filters.changes import analyse_change
        from blastguard.filters.suppression_changes import silenced_in_change

        language = language or detect_language(path, after)
        if language is None:
            return [], []  # a file blastguard does not read
        context = self.context or Context()
        new, notifications = analyse_change(self.engine(), path, before, after, language, context=context)
        return new + silenced_in_change(self.engine(), path, before, after, language, context, new), notifications

    # --- files and folders -----------------------------------------------------------------------

    def scan(
        self,
        paths: list[str],
        *,
        stdin: bytes | None = None,
        stdin_filename: str | None = None,
        force_exclude: bool = False,
        baseline_file: str | None = None,
    ) -> Report:
        """Scan files and folders as `blastguard check` does; `-` is `stdin`."""
        from blastguard.discovery import Walker
        from blastguard.filters import baseline

        for path in paths:
            if path != "-" and not os.path.exists(path):
                raise UsageError(f"{path}: no such file or directory")
        config = self.config
        walker = Walker(config.root, config.exclude, config.respect_gitignore)
        report = self.engine().check_sources(self._sources(paths, walker, force_exclude, stdin, stdin_filename))
        baseline.apply_configured(report.findings, config, baseline_file)
        return report

    def files(self, paths: list[str], *, force_exclude: bool = False) -> Iterator[tuple[str, str | None]]:
        """(path as shown, language or None when it is not checked) for every file a scan of `paths` would
        read, without checking any (`check --show-files`)."""
        from blastguard.discovery import Walker

        for path in paths:
            if not os.path.exists(path):
                raise UsageError(f"{path}: no such file or directory")
        walker = Walker(self.config.root, self.config.exclude, self.config.respect_gitignore)
        for item, _ in self._sources(paths, walker, force_exclude, None, None):
            yield (item.path, item.language) if isinstance(item, Source) else (item.path, None)

    def _sources(self, paths, walker, force_exclude: bool, stdin, stdin_filename) -> Iterator:
        """(Source or Notification, filesystem path or None) for every file the scan covers."""
        from blastguard.discovery import Skipped, display_path

        seen: set[str] = set()
        for path in paths:
            if path == "-":
                yield _stdin_source(stdin or b"", stdin_filename), None
            elif os.path.isdir(path):
                for candidate in walker.walk(path):
                    if isinstance(candidate, Skipped):
                        yield (
                            Notification(
                                display_path(candidate.path),
                                f"Skipped: {candidate.reason}.",
                                "skipped",
                                candidate.level,
                            ),
                            None,
                        )
                        continue
                    key = os.path.abspath(candidate.path)
                    if key not in seen:
                        seen.add(key)
                        yield self._read(candidate.path, candidate.language), candidate.path
            else:
                key = os.path.abspath(path)
                if key in seen:
                    continue
                if force_exclude and walker.excluded(path, is_dir=False):
                    # Said, so that an excluded file is not taken for one blastguard cannot read.
                    message = "Skipped: excluded by the configuration (--force-exclude)."
                    yield Notification(display_path(path), message, "skipped", level="note"), None
                    continue
                seen.add(key)
                if _is_other_json(path):
                    continue
                yield self._read(path, None), path

    def _read(self, path: str, language: str | None) -> Source | Notification | Unreadable:
        """The file at `path` as a source, read as `language` or as `detect_language` says. A file
        whose name (or content, for the walk) says blastguard reads it but whose bytes are not text
        is Unreadable, a finding; one whose name says nothing stays a note, like any other."""
        from blastguard.discovery import display_path

        shown = display_path(path)
        language = language or language_for_name(path)
        try:
            text = decode(read_regular(path, self.config.max_file_size), language)
        except Undecodable as skip:
            if language is None:  # an image or a compiled program named on the command line
                return Notification(shown, "Skipped: not a file type blastguard reads.", "skipped", level="note")
            return Unreadable(shown, language, str(skip))
        except SkipFile as skip:
            return Notification(shown, f"Skipped: {skip}.", "skipped")
        language = language or detect_language(path, text)
        if language is None:
            return Notification(shown, "Skipped: not a file type blastguard reads.", "skipped", level="note")
        return Source(shown, text, language)

    # --- changes ---------------------------------------------------------------------------------

    def check_changes(self, changes, root: str, base: str, *, siblings: dict | None = None, **options) -> Report:
        """What `changes` (`diffs.FileChange`s, paths relative to `root`) introduce against `base`.
        Every file the check reads sees them (and `siblings`: more of the new state, absolute path ->
        text). `options` are `changes.check_changes`'s."""
        from blastguard.filters.changes import check_changes, new_state

        pending = {**(self.pending or {}), **new_state(changes, root, siblings)}
        session = self.replace(pending=pending)
        return check_changes(session.engine(), changes, root, base, **options)


def _is_other_json(path: str) -> bool:
    """A `.json` named on the command line that is no Terraform plan (nor a file read by its name, such
    as package.json): data, left alone without a note. pre-commit hands every staged `.json` over so that
    plans are checked; the first 4 KB decide, so a large data file costs no full read."""
    from blastguard.sources import sniff_language

    return os.path.splitext(path)[1].lower() == ".json" and sniff_language(path) is None


def check_text(
    text: str,
    filename: str = "stdin.sql",
    config: Config | None = None,
    *,
    context: Context | None = None,
    trust_suppressions: bool = True,
) -> CheckResult:
    """Findings (suppressed ones included, marked) for `text`, read as the language of `filename`,
    with the check's notifications (a parse error, a part not checked).

    `context` says what is known about where it will run (production evidence from the environment);
    with `trust_suppressions=False`, ignore comments inside `text` are not honoured.

    Raises `UsageError` for a name blastguard does not read (see `sources.detect_language`).
    """
    config = config or Config()
    text = text.lstrip("\ufeff")
    language = detect_language(filename, text)
    if language is None:
        raise UsageError(f"cannot tell the language of {filename!r}: give it a known extension such as .sql")
    session = Session(config, os.getcwd(), trust_suppressions, context=context)
    findings, notifications = session.check_text(text, filename, language=language, location=filename)
    return CheckResult(findings, notifications, files_checked=1)


def check_diff(
    patch: str,
    root: str = ".",
    config: Config | None = None,
    *,
    trust_suppressions: bool = True,
    suppressions_added: str = "all",
) -> CheckResult:
    """The findings that a unified diff, not yet applied, introduces into the files under `root` (the
    folder its paths are relative to): findings of the patched files that the files as they are do
    not have, and change-only findings such as a deleted database block. Suppressed findings are
    included, marked; with `trust_suppressions=False` ignore comments are not honoured. Each
    suppression the diff adds is a BG004 finding; with `suppressions_added="existing"`, only one that
    silences a finding the file already had (as the agent hook judges an edit).

    Raises `blastguard.filters.diffs.DiffError` when the patch is malformed or does not apply, and
    `blastguard.config.ConfigError` when no `config` is given and the one found under `root` is invalid.
    """
    from blastguard.config import discover
    from blastguard.filters.diffs import apply_patch

    config = config or discover(root)
    changes = apply_patch(patch, root)
    session = Session.for_paths([root], config, trust_suppressions=trust_suppressions)
    report = session.check_changes(changes, root, "the patch's pre-image", suppressions_added=suppressions_added)
    return CheckResult.of(report)


def check_paths(paths: list[str], config: Config | None = None) -> CheckResult:
    """Scan files and folders as `blastguard check` does (configuration discovered unless given):
    the findings, with the notifications (skipped files, parse errors) and `files_checked`.

    Raises `UsageError` when a path does not exist, and `blastguard.config.ConfigError` when no
    `config` is given and the one found is invalid.
    """
    from blastguard.config import discover

    config = config or discover(paths[0] if paths else ".")
    return CheckResult.of(scan(paths, config))


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
    session = Session.for_paths(paths, config, trust_suppressions=trust_suppressions)
    return session.scan(
        paths, stdin=stdin, stdin_filename=stdin_filename, force_exclude=force_exclude, baseline_file=baseline_file
    )


def _stdin_source(data: bytes, filename: str | None) -> Source | Unreadable:
    shown = filename or "<stdin>"
    hint = f"{filename!r} has no extension blastguard knows" if filename else "it did not look like SQL"
    unknown = UsageError(f"cannot tell the language of stdin ({hint}); pass --stdin-filename NAME.sql")
    language = language_for_name(filename) if filename else None
    try:
        text = decode(data, language)
    except Undecodable as skip:
        if filename and language is None:
            raise unknown from None
        return Unreadable(shown, language, str(skip))  # what was piped in to be checked was not
    language = detect_language(filename, text)
    if language is None:
        raise unknown
    return Source(shown, text, language)
