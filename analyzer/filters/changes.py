"""What a change introduces: the findings of a file's new content that its old content did not have.

Both versions are analysed whole, with the same engine and under the same path, so their findings
have comparable line-independent identities (rule, file, whitespace-normalised text, occurrence; see
`baseline.assign_fingerprints`). A finding of the new version is introduced when the old version has
fewer findings of that identity: a statement that only moved is not new, a `DELETE` whose `WHERE` was
removed is. When several findings share an identity, the ones on changed lines are the new ones.

Some dangers exist only in the difference (a deleted `resource` block, a dropped `prevent_destroy`).
Those are change-only rules: a `Rule` with `check_change(change, **options) -> Iterable[Hit]`, which
the engine does not run on single documents; `introduced` runs them on the pair.

    from blastguard.filters.changes import introduced
    new = introduced(engine, "migrations/0042.sql", old_text, new_text)
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from blastguard import registry
from blastguard.context import Context
from blastguard.filters import baseline
from blastguard.model import Finding, Notification, Report
from blastguard.records import Record, record
from blastguard.sources import SkipFile, Source, Unreadable, detect_language, is_within, language_for_name
from blastguard.textindex import LineIndex

TYPE_CHECKING = False  # `typing` costs an agent hook milliseconds
if TYPE_CHECKING:  # annotations only
    from typing import Any

    from blastguard.frontends.base import Document


class ChangeReport(Report):
    """A report of what a change introduces: every finding in it is new relative to `base`."""

    __slots__ = ("base",)

    def __init__(self, *args, base: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.base = base  # what the change is compared with: a revision, "the index", "the patch's pre-image"


@record
class Change(Record):
    """One file's change, as change-only rules see it."""

    path: str
    # The old and the new content, parsed whole by the language's frontend: its Document subclass.
    before: Any
    after: Any
    pre_to_post: list[int | None]  # for each old line (0-based), the new line it is, or None if it is gone
    read_siblings: Callable[[], list[Any]]  # documents of the same language
    _siblings: list[Any] | None = None

    def place_of(self, start: int, end: int) -> int:
        """The 1-based line of the new text where the old text [start, end) was: the first line after
        it that is still there and not blank, else the last such line before it, else line 1.

        A line diff may pair a removed block's closing brace or blank line with a neighbour's, so the
        removal is placed by the old text's own lines, not by the diff's hunks."""
        first, _ = self.before.index.position(start)
        last, _ = self.before.index.position(max(start, end - 1))
        old = self.before.index
        after = [n for n in range(last, len(self.pre_to_post)) if self.pre_to_post[n] is not None]
        before = [n for n in range(first - 2, -1, -1) if self.pre_to_post[n] is not None]
        for candidates in (after, before):
            for n in candidates:
                new = self.pre_to_post[n]  # (not None: the candidates are lines still there)
                if new is not None and old.line_text(n + 1).strip():
                    return new + 1
        return 1

    def line_span(self, line: int) -> tuple[int, int]:
        """Offsets of a 1-based line of the new text, without its line break (never empty unless the
        file is)."""
        index = self.after.index
        line = max(1, min(line, index.line_count))
        start = index.line_starts[line - 1]
        return start, start + len(index.line_text(line))

    def siblings(self) -> list[Any]:
        """Documents of the other files of the same folder (a Terraform module) in the new state."""
        if self._siblings is None:
            self._siblings = self.read_siblings()
        return self._siblings


def introduced(
    engine, path: str, before: str | None, after: str, language: str | None = None, *, context: Context | None = None
) -> list[Finding]:
    """The findings that `after` (the whole new content of `path`) introduces relative to `before`
    (its old content; None for a new file), change-only rules included.

    `context` is what is known about where the file will run (production evidence from the
    environment), as for `Engine.check_source`. Suppressed findings are in the list, marked. Nothing
    is returned for a file of a language blastguard does not read (pass `language` to decide it).
    """
    findings, _ = analyse_change(engine, path, before, after, language, context=context)
    return findings


def analyse_change(
    engine,
    path: str,
    before: str | None,
    after: str | None,
    language: str | None = None,
    *,
    shown: str | None = None,
    context: Context | None = None,
) -> tuple[list[Finding], list[Notification]]:
    """`introduced`, with the new version's notifications. `after=None`: the file is deleted.

    `path` locates the file (its identity, its module); `shown` is the path findings carry (default
    `path`). The other files of the change (a module's other files, a script's `psql -f` file) are read
    through `engine.reader`, whose pending content is the new state where it differs from the disk.
    """
    shown = shown or path
    context = context or Context()
    text = after if after is not None else ""
    language = language or detect_language(path, text) or (detect_language(path, before) if before else None)
    if not language:
        return [], []
    post, notifications = (
        engine.check_source(Source(shown, text, language, context), path) if after is not None else ([], [])
    )
    pre: list[Finding] = []
    if before is not None:
        pre, _ = engine.check_source(Source(shown, before, language, context), path)
    opcodes = _opcodes(_lines(before or ""), _lines(text))
    new = _subtract(post, pre, opcodes)
    rules = [r for r in registry.change_rules(language) if engine.selection.enabled(r)]
    if rules and before is not None:
        ignored = engine._path_ignores(engine.config_relative(path))
        rules = [r for r in rules if r.id not in ignored]
        if rules:
            try:
                new += _change_findings(engine, path, shown, language, before, text, opcodes, rules, context)
            except Exception as exc:  # a change rule that trips must not cost the other findings
                message = (
                    f"internal error while comparing this file with its old version ({type(exc).__name__}: "
                    f"{exc}); change-only rules were not run"
                )
                notifications = [*notifications, Notification(shown, message, "internal-error", level="error")]
    new.sort(key=lambda f: f.sort_key)
    return new, notifications


def new_state(changes, root: str, siblings: Mapping[str, str | None] | None = None) -> dict[str, str | None]:
    """The files as `changes` (`diffs.FileChange`s, paths relative to `root`) leave them, where that differs
    from the disk (absolute path -> text, None: absent): the pending content of the check's reader.
    `siblings` adds the new state of files the changes do not name (the rest of the index for --staged)."""
    state = {os.path.abspath(p): t for p, t in (siblings or {}).items()}
    for change in changes:
        if change.old_path and change.old_path != change.path:
            state[os.path.abspath(os.path.join(root, change.old_path))] = None  # renamed away
        if not change.skipped:
            state[os.path.abspath(os.path.join(root, change.path))] = change.after
    return state


def check_changes(
    engine,
    changes,
    root: str,
    base: str,
    *,
    paths: list[str] | None = None,
    baseline_file: str | None = None,
    suppressions_added: str = "all",
    excludes: bool = True,
) -> ChangeReport:
    """A report of what `changes` (`diffs.FileChange`s, paths relative to `root`) introduce, checked by
    `engine`, whose reader holds their `new_state` (`api.Session.check_changes` builds both).

    `paths` restricts it to files at or under those paths; configured excludes apply.
    `suppressions_added`: "all" reports every suppression the change adds (BG004) for a reviewer;
    "existing" only those that silence a finding the file already had, as the agent hook judges.
    `excludes=False` checks files in excluded folders too: what an agent proposes runs wherever it is.
    """
    from blastguard.discovery import Walker, display_path

    report = ChangeReport(project_root=engine.project_root, base=base)
    walker = Walker(engine.config.root, engine.config.exclude, engine.config.respect_gitignore)
    limits = [os.path.abspath(p) for p in paths or ()]
    for change in sorted(changes, key=lambda c: c.path):
        location = os.path.abspath(os.path.join(root, change.path))
        if limits and not any(is_within(location, p) for p in limits):
            continue
        if excludes and _excluded(walker, location, root):
            continue
        shown = display_path(location)
        if change.skipped:
            named = language_for_name(change.path)
            if named and change.undecodable:  # bytes that are not text: not checked, never passed as clean
                findings, notifications = engine.unreadable(Unreadable(shown, named, change.skipped), location)
                report.files_checked += 1
                report.findings += findings
                report.notifications += notifications
            elif named:  # a file blastguard reads, not an image
                report.notifications.append(Notification(shown, f"Skipped: {change.skipped}.", "skipped"))
            continue
        text = change.after if change.after is not None else change.before or ""
        language = detect_language(change.path, text)
        if language is None:
            continue
        too_big = max(len((change.after or "").encode("utf-8")), len((change.before or "").encode("utf-8")))
        if too_big > engine.config.max_file_size:
            report.notifications.append(
                Notification(
                    shown,
                    f"Skipped: larger than the {engine.config.max_file_size}-byte limit ({too_big} bytes).",
                    "skipped",
                )
            )
            continue
        findings, notifications = analyse_change(engine, location, change.before, change.after, language, shown=shown)
        if change.after is not None:  # each suppression the change adds is seen
            from blastguard.filters import suppression_changes

            if suppressions_added == "existing":
                findings += suppression_changes.silenced_in_change(
                    engine, location, change.before, change.after, language, Context(), findings, shown
                )
            else:
                findings += suppression_changes.added(engine, findings, location, shown, change.after)
        report.files_checked += 1
        if findings:
            report.texts[shown] = change.after or ""
        report.findings += findings
        report.notifications += notifications
    baseline.apply_configured(report.findings, engine.config, baseline_file)
    return report


def _excluded(walker, location: str, root: str) -> bool:
    """Excluded by the built-in folders or the configured patterns, at any level under `root`."""
    if walker.excluded(location, is_dir=False):
        return True
    top = os.path.abspath(root)
    folder = os.path.dirname(location)
    while folder.startswith(top + os.sep):
        if walker.excluded(folder, is_dir=True):
            return True
        folder = os.path.dirname(folder)
    return False


# --- the difference of two findings lists ----------------------------------------------------------


def _lines(text: str) -> list[str]:
    """The lines of `text` as editors count them, without the empty one after a final line break."""
    index = LineIndex(text)
    count = index.line_count - (1 if text.endswith(("\n", "\r")) else 0)
    return [index.line_text(n) for n in range(1, count + 1)] if text else []


def _opcodes(a: list[str], b: list[str]):
    import difflib

    # Junk heuristics make big diffs fast and small ones worse: only big files get them.
    return difflib.SequenceMatcher(None, a, b, autojunk=len(a) + len(b) > 4000).get_opcodes()


def _key(finding: Finding) -> tuple:
    # The fingerprint's material without the occurrence number (the multiset below counts those),
    # and whether it is suppressed: removing a suppression comment introduces the finding it hid.
    return finding.rule_id, " ".join(finding.snippet.split()), finding.suppression is None


def _subtract(post: list[Finding], pre: list[Finding], opcodes) -> list[Finding]:
    """Findings of `post` beyond those of `pre`, identity by identity (a multiset difference)."""
    old_line_of: dict[int, int] = {}  # new line -> old line, for unchanged lines (0-based)
    changed: set[int] = set()  # new lines that are inserted or replaced (0-based)
    for tag, i1, _i2, j1, j2 in opcodes:
        if tag == "equal":
            for k in range(j2 - j1):
                old_line_of[j1 + k] = i1 + k
        else:
            changed.update(range(j1, j2))
    pre_by_key: dict[tuple, list[Finding]] = defaultdict(list)
    for finding in pre:
        pre_by_key[_key(finding)].append(finding)
    post_by_key: dict[tuple, list[Finding]] = defaultdict(list)
    for finding in post:
        post_by_key[_key(finding)].append(finding)
    new: list[Finding] = []
    for key, candidates in post_by_key.items():
        olds = pre_by_key.get(key, [])
        surplus = len(candidates) - len(olds)
        if surplus <= 0:
            continue
        # Pair findings that sit on the same unchanged line first; of the rest, those touching a
        # changed line are the new ones.
        old_lines: defaultdict[int, int] = defaultdict(int)
        for finding in olds:
            old_lines[finding.region.start_line - 1] += 1
        unpaired = []
        for finding in candidates:
            line = old_line_of.get(finding.region.start_line - 1)
            if line is not None and old_lines[line]:
                old_lines[line] -= 1
            else:
                unpaired.append(finding)

        def touches_change(finding: Finding) -> bool:
            return any(n - 1 in changed for n in range(finding.region.start_line, finding.region.end_line + 1))

        unpaired.sort(key=lambda f: (not touches_change(f), f.sort_key))
        new += unpaired[:surplus]
    return new


# --- change-only rules -----------------------------------------------------------------------------


def _pre_to_post(opcodes) -> list[int | None]:
    """For each old line, the new line (0-based) it is unchanged in, or None."""
    mapping: list[int | None] = []
    for tag, i1, i2, j1, _ in opcodes:
        mapping += [j1 + k for k in range(i2 - i1)] if tag == "equal" else [None] * (i2 - i1)
    return mapping


def _change_findings(engine, path, shown, language, before, after, opcodes, rules, context: Context) -> list[Finding]:
    frontend = engine._frontend(language)
    context = engine.context.merge(context).replace(reader=engine.reader.at(path))
    old = frontend.parse(Source(path, before, language, context))
    new = frontend.parse(Source(path, after, language, context))
    if getattr(old, "problems", None) or getattr(new, "problems", None):
        return []  # what was or is in an unparsable file cannot be compared (the parse problem is reported)

    def load_siblings() -> list[Document]:
        return [
            frontend.parse(Source(p, t, language, context.replace(reader=engine.reader.at(p))))
            for p, t in _sibling_texts(engine.reader, path, language)
        ]

    change = Change(shown, old, new, _pre_to_post(opcodes), load_siblings)
    package = registry.rule_package(language)
    findings = []
    for rule in rules:
        for hit in package.run_change(rule, change, engine.options(rule)):
            findings.append(engine.finding(rule, hit, shown, after, new.index, context))
    baseline.assign_fingerprints(findings, engine.identity_path(path))
    return findings


def _sibling_texts(reader, path: str, language: str) -> Iterable[tuple[str, str]]:
    """(path, text) of the other files of `path`'s folder in the new state, as `reader` sees them."""
    own = os.path.abspath(path)
    for candidate in reader.names(os.path.dirname(own)):
        if candidate == own or language_for_name(candidate) != language:
            continue
        try:
            yield candidate, reader.read(candidate)
        except SkipFile:
            continue  # unreadable, too large, or a FIFO or device, which is never opened
