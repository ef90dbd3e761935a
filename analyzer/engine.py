"""The engine: sources in, findings out. Parse each source once, run every enabled rule on it, then
apply suppressions, the baseline and fingerprints."""

from __future__ import annotations

import os
import re

from blastguard import registry
from blastguard.config import Config, ConfigError, rule_options
from blastguard.context import Context, Production
from blastguard.filters import baseline, suppressions
from blastguard.model import Finding, Notification, Region, Report, Severity
from blastguard.records import Record, factory, record
from blastguard.rule import Hit, Rule
from blastguard.sources import Embedded, FileReader, Source, Unreadable
from blastguard.textindex import LineIndex

MAX_EMBEDDING_DEPTH = 4  # a workflow step's script's psql command's SQL is three levels down
_SNIPPET = 200


@record
class _Scan(Record):
    """What one file's check gathers, across the host and everything embedded in it."""

    host: Source
    ignored: set[str]
    index: LineIndex | None = None  # the host's line index, once it is parsed
    findings: list[Finding] = factory(list)
    notifications: list[Notification] = factory(list)
    comments: list = factory(list)  # in host offsets: suppressions may sit in any of them
    rules_run: set[Rule] = factory(set)

    @property
    def host_index(self) -> LineIndex:
        """The host's line index: the host is parsed before anything is placed in it."""
        assert self.index is not None
        return self.index


@record(frozen=True)
class _Enabled(Record):
    rules: tuple[Rule, ...]
    # Matches the words some enabled rule looks for; None: every text must be parsed. It skips whole
    # files here, and the frontend uses it to skip statements.
    prefilter: re.Pattern | None


class Selection:
    """Which rules run: `select` and `ignore` hold ids, id prefixes (SQL, SQL1), names, or ALL."""

    def __init__(self, select: list[str], ignore: list[str]) -> None:
        # Checking a key loads every rule pack (and its parsers): do it only when there is a key to check.
        keys = [k for k in (*select, *ignore) if k.upper() != "ALL"]
        known = registry.all_rules() if keys else ()
        for key in keys:
            if not any(self.matches(key, rule) for rule in known):
                raise ConfigError(f"'{key}' names no rule (see `blastguard rules`)")
        self.select, self.ignore = select, ignore

    @staticmethod
    def matches(key: str, rule: Rule) -> bool:
        return key.upper() == "ALL" or rule.id.startswith(key.upper()) or key.lower() == rule.name

    def enabled(self, rule: Rule) -> bool:
        return any(self.matches(k, rule) for k in self.select) and not any(self.matches(k, rule) for k in self.ignore)


def _gitignore_spec(*patterns: str):
    import pathspec  # only when path patterns are needed: an agent hook must start fast

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def resolve_rule_key(key: str) -> str | None:
    rule = registry.find_rule(key)
    return rule.id if rule else None


class Engine:
    def __init__(
        self,
        config: Config,
        project_root: str,
        trust_suppressions: bool = True,
        fingerprints: bool = True,
        reader: FileReader | None = None,
    ) -> None:
        self.config = config
        # How frontends read the files a source refers to; one per scan, so each is parsed once.
        self.reader = reader or FileReader(config.max_file_size)
        self.project_root = os.path.abspath(project_root)
        self.trust_suppressions = trust_suppressions
        self.fingerprints = fingerprints  # line-independent identities; a one-off check of a command needs none
        self.selection = Selection(config.select, config.ignore)
        self.severity = {self._rule_id(key): level for key, level in config.severity.items()}
        self.per_path = [
            (_gitignore_spec(pattern), {self._rule_id(k) for k in keys})
            for pattern, keys in config.per_path_ignores.items()
        ]
        self._frontends: dict[str, object] = {}
        self._enabled: dict[str, _Enabled] = {}
        self.context = Context(names=Production(tuple(config.production_names)))
        self.meta = {r.id: r for r in registry.meta_rules() if self.selection.enabled(r)}
        self._test_paths = None  # the `test-paths` patterns, compiled when a finding first needs them
        self.jobs: int | None = None  # at most this many worker processes; None: chosen from the scan's size

    @staticmethod
    def _rule_id(key: str) -> str:
        rule_id = resolve_rule_key(key)
        if rule_id is None:
            raise ConfigError(f"'{key}' names no rule (see `blastguard rules`)")
        return rule_id

    # --- per language ------------------------------------------------------------------------

    def _frontend(self, language: str):
        if language not in self._frontends:
            try:
                self._frontends[language] = registry.frontend_class(language).from_config(self.config)
            except ValueError as exc:
                raise ConfigError(str(exc)) from None
        return self._frontends[language]

    def _enabled_for(self, language: str) -> _Enabled:
        if language not in self._enabled:
            rules = tuple(r for r in registry.rules_for(language) if self.selection.enabled(r))
            keywords = {k for r in rules for k in r.keywords}
            prefilter = None
            if rules and all(r.keywords for r in rules):
                if self.meta:
                    keywords.add("blastguard")
                prefilter = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, keywords))) + r")\b", re.IGNORECASE)
            self._enabled[language] = _Enabled(rules, prefilter)
        return self._enabled[language]

    def _path_ignores(self, identity_path: str) -> set[str]:
        ignored: set[str] = set()
        for spec, rule_ids in self.per_path:
            if spec.match_file(identity_path):
                ignored |= rule_ids
        return ignored

    # --- checking ----------------------------------------------------------------------------

    def identity_path(self, path: str) -> str:
        """The path relative to the project root (forward slashes): stable across working directories."""
        absolute = os.path.abspath(path)
        relative = os.path.relpath(absolute, self.project_root)
        return (absolute if relative.startswith("..") else relative).replace(os.sep, "/")

    def config_relative(self, path: str) -> str:
        relative = os.path.relpath(os.path.abspath(path), self.config.root)
        return relative.replace(os.sep, "/")

    def check_source(self, source: Source, fs_path: str | None = None) -> tuple[list[Finding], list[Notification]]:
        """Findings and notifications for one source. `fs_path` locates it on disk (None for stdin)."""
        where = fs_path or source.path
        try:
            return self._check(source, fs_path, self.identity_path(where), self.config_relative(where))
        except ConfigError:
            raise
        except Exception as exc:  # one bad file must not lose the others' findings
            message = f"internal error while checking this file ({type(exc).__name__}: {exc}); it was not fully checked"
            return [], [Notification(source.path, message, "internal-error", level="error")]

    def _check(self, source: Source, fs_path: str | None, identity_path: str, config_path: str):
        ignored = self._path_ignores(config_path)
        # Files it refers to are read from where it really is, not from the name it is shown under.
        source = source.replace(context=self.context.merge(source.context).replace(reader=self.reader.at(fs_path)))
        scan = _Scan(source, ignored)
        self._analyse(scan, source, None, depth=0)
        findings = scan.findings
        if scan.index is not None:
            findings += self._apply_suppressions(scan, {r.id for r in scan.rules_run})
        if self.fingerprints:
            baseline.assign_fingerprints(findings, identity_path)
        findings.sort(key=lambda f: f.sort_key)
        return findings, scan.notifications

    def _analyse(self, scan: _Scan, source: Source, embedded: Embedded | None, depth: int) -> None:
        """Run the rules of `source`'s language on it, then on what it embeds, in host coordinates."""
        frontend = self._frontend(source.language)
        enabled = self._enabled_for(source.language)
        rules = [r for r in enabled.rules if r.id not in scan.ignored]
        if not frontend.embeds and (not rules or (enabled.prefilter and not enabled.prefilter.search(source.text))):
            return

        def to_host(start: int, end: int) -> tuple[int, int]:
            return embedded.host_span(start, end) if embedded else (start, end)

        try:
            document = frontend.parse(source, enabled.prefilter if not frontend.embeds else None)
        except RecursionError:  # nesting no real file has (`[[[[…` thousands deep): refused, never passed
            scan.index = scan.index or LineIndex(scan.host.text)
            self._not_checked_part(
                scan, *to_host(0, max(1, len(source.text))), "it nests brackets or blocks deeper than blastguard reads"
            )
            return
        if embedded is None:
            scan.index = document.index

        package = registry.rule_package(source.language) if rules else None
        for rule in rules:
            scan.rules_run.add(rule)  # a change-only rule too: a suppression of it here suppresses nothing
            if rule.check is None:
                continue
            assert package is not None  # the language has rules, so it has their package
            for hit in package.run(rule, document, self.options(rule)):
                start, end = to_host(hit.start, hit.end)
                message = hit.message + _where_in_file(embedded, source, document, hit.start)
                hit = hit.replace(start=start, end=end, message=message)
                scan.findings.append(
                    self.finding(rule, hit, scan.host.path, scan.host.text, scan.host_index, source.context)
                )
        # Children first: finding them may add a problem (a `psql -f` file that cannot be read).
        children = self._children(scan, source, document, to_host)
        if depth >= MAX_EMBEDDING_DEPTH:
            self._beyond_depth(scan, source, children, to_host)
            children = []
        for problem in document.problems:
            message = problem.message + _where_in_file(embedded, source, document, problem.start)
            scan.notifications.append(
                Notification(
                    scan.host.path,
                    message,
                    "parse-error",
                    region=scan.host_index.region(*to_host(problem.start, problem.end)),
                    language=source.language,
                )
            )
        for part in document.unchecked:  # what the frontend refused to parse
            self._not_checked_part(scan, *to_host(part.start, part.end), part.message)
        for comment in document.comments:
            start, end = to_host(comment.start, comment.end)
            scan.comments.append(comment.replace(start=start, end=end))
        for child in children:
            anchor = to_host(*child.anchor) if child.anchor else None
            ends = child.ends or [o + 1 for o in child.offsets]
            mapped = Embedded(
                child.source,
                [to_host(o, o + 1)[0] for o in child.offsets],
                anchor,
                [to_host(o, e)[1] for o, e in zip(child.offsets, ends)],
            )
            try:
                self._analyse(scan, child.source, mapped, depth + 1)
            except ConfigError:
                raise
            except Exception as exc:  # an embedded script that trips the engine must not cost the host's findings
                where = scan.host_index.region(*mapped.host_span(0, max(1, len(child.source.text))))
                message = (
                    f"internal error while checking the {child.source.language} embedded here "
                    f"({type(exc).__name__}: {exc}); it was not checked"
                )
                scan.notifications.append(Notification(scan.host.path, message, "internal-error", "error", where))

    def _not_checked_part(self, scan: _Scan, start: int, end: int, reason: str) -> None:
        rule = self.meta.get(NOT_CHECKED)
        message = f"This part was not checked: {reason}; what it runs is unknown."
        if rule is None or rule.id in scan.ignored:
            scan.notifications.append(
                Notification(scan.host.path, message, "parse-error", region=scan.host_index.region(start, end))
            )
            return
        snippet = scan.host.text[start:end][:_SNIPPET]  # the statement can be megabytes long
        hit = Hit(start, end, message, identity=snippet)
        scan.findings.append(self.finding(rule, hit, scan.host.path, scan.host.text, scan.host_index, Context()))

    @staticmethod
    def _beyond_depth(scan: _Scan, source: Source, children: list[Embedded], to_host) -> None:
        """Code nested deeper than the engine follows is not checked: say so, never pass it as clean."""
        if children:
            where = scan.host_index.region(*to_host(0, max(1, len(source.text))))
            message = (
                f"code embedded more than {MAX_EMBEDDING_DEPTH} levels deep (the "
                f"{children[0].source.language} in this {source.language}) was not checked"
            )
            scan.notifications.append(Notification(scan.host.path, message, "skipped", "warning", where))

    @staticmethod
    def _children(scan: _Scan, source: Source, document, to_host) -> list[Embedded]:
        """What the document embeds; a frontend that trips while finding it costs only those children."""
        try:
            return document.children()
        except Exception as exc:
            where = scan.host_index.region(*to_host(0, max(1, len(source.text))))
            message = (
                f"internal error while looking for code embedded in this {source.language} "
                f"({type(exc).__name__}: {exc}); what it runs was not checked"
            )
            scan.notifications.append(Notification(scan.host.path, message, "internal-error", "error", where))
            return []

    def options(self, rule: Rule) -> dict[str, object]:
        """The configured values of the settings `rule` declares, as keyword arguments of its checks."""
        return rule_options(self.config, rule.options) if rule.options else {}

    def finding(self, rule: Rule, hit: Hit, path: str, text: str, index: LineIndex, context: Context) -> Finding:
        """The one place a hit becomes a finding, whoever made it (a rule's check, a change-only rule, the
        engine's own meta rules). `hit` is in `text`'s offsets; `context` is what is known about where
        `text` runs, to which the hit adds the production evidence of its own spot."""
        level = hit.severity or rule.severity
        message = hit.message
        production = context.with_production(*hit.production).production if hit.production else context.production
        if rule.escalates and production:
            level = Severity(min(level + 1, Severity.ERROR))
            message = f"{message} The target looks like production ({'; '.join(production)})."
        level = self.severity.get(rule.id) or level
        if level > Severity.NOTE and not (production or rule.meta or context.agent) and self.is_test_code(path):
            level = Severity.NOTE
            message = f"{message} It is in test code, which runs against test data, so it is a note (see `test-code`)."
        level = max(level, self.config.severity_floor.get(rule.id, level))  # a hook's project may only raise it
        region = index.region(hit.start, hit.end) if text else Region(1, 1, 1, 1)
        snippet = text[hit.start : hit.end] if hit.identity is None else hit.identity
        return Finding(rule.id, rule.name, level, message, path, region, snippet, properties=hit.properties)

    def is_test_code(self, path: str) -> bool:
        """Whether `path` is in a test suite (`test-paths`), where data is test data; never for what an
        agent is about to run or write (the caller checks), so an agent cannot hide a command in tests/."""
        if self.config.test_code != "note" or path.startswith("<"):
            return False
        spec = self._test_paths = self._test_paths or _gitignore_spec(*self.config.test_paths)
        relative = self.identity_path(path)
        # Only below the project root: the folders above it (a checkout in /srv/test/app) say nothing.
        return not os.path.isabs(relative) and spec.match_file(relative)

    def _apply_suppressions(self, scan: _Scan, enabled: set[str]) -> list[Finding]:
        if not self.trust_suppressions:
            return []
        # A host and what it embeds can both see one comment (a `#` line in a workflow's script).
        comments = list({(c.start, c.end): c for c in scan.comments}.values())
        directives, problems = suppressions.parse(comments, scan.host_index, resolve_rule_key)
        suppressions.apply(scan.findings, directives)
        problems += suppressions.unused(directives, enabled)
        meta = []
        for problem in problems:
            rule = self.meta.get(problem.rule_id)
            if rule and rule.id not in scan.ignored:
                hit = Hit(problem.start, problem.end, problem.message)
                meta.append(self.finding(rule, hit, scan.host.path, scan.host.text, scan.host_index, Context()))
        return meta

    def check_sources(self, sources) -> Report:
        """`sources` yields (Source | Notification, filesystem path or None)."""
        report = Report(project_root=self.project_root)
        items = list(sources)
        work = [(item, fs_path) for item, fs_path in items if isinstance(item, Source)]
        report.notifications.extend(item for item, _ in items if isinstance(item, Notification))
        for item, fs_path in items:
            if isinstance(item, Unreadable):
                findings, notifications = self.unreadable(item, fs_path)
                report.files_checked += 1
                report.findings.extend(findings)
                report.notifications.extend(notifications)
        for (source, _), (findings, notifications) in zip(work, self._run_all(work)):
            report.files_checked += 1
            if findings:
                report.texts[source.path] = source.text
            report.findings.extend(findings)
            report.notifications.extend(notifications)
        return report

    def _run_all(self, work: list[tuple[Source, str | None]]):
        """Results in order. Each file is checked in a forked worker process: a native parser that
        crashes on one file (tree-sitter and libcst have) kills only that worker, a fresh one takes
        the next file, and the file is reported as not checked. Large scans use several workers."""
        from blastguard import isolation

        if not work or not isolation.available():
            return [self.check_source(source, fs_path) for source, fs_path in work]
        if self.jobs:  # asked for: still one forked worker per file at a time, so a crash costs only its file
            workers = min(self.jobs, len(work))
        else:
            size = sum(len(source.text) for source, _ in work)
            parallel = len(work) >= PARALLEL_MIN_FILES and size >= PARALLEL_MIN_BYTES
            workers = min(os.cpu_count() or 1, 8, len(work)) if parallel else 1
        for language in {source.language for source, _ in work}:
            self._frontend(language)  # import parsers before forking, so each worker inherits them
            registry.rule_package(language)
            self._enabled_for(language)
        results = []
        for (source, fs_path), result in zip(work, isolation.run(self._check_in_worker, work, workers)):
            if isinstance(result, ConfigError):
                raise result
            if isinstance(result, isolation.Crashed):
                result = self._not_checked(source, fs_path, f"its check crashed ({result.how})")
            results.append(result)
        return results

    def _check_in_worker(self, item: tuple[Source, str | None]):
        try:
            return self.check_source(*item)
        except ConfigError as exc:  # raised again in the parent, as a scan in one process would
            return exc

    def unreadable(self, item: Unreadable, fs_path: str | None) -> tuple[list[Finding], list[Notification]]:
        """A file to check whose bytes are not text: not checked (BG005), never passed as clean."""
        findings, notifications = self._not_checked(
            Source(item.path, "", item.language or ""), fs_path, f"its bytes are not text ({item.reason})"
        )
        # With BG005 switched off for the file, a notice as before: nothing crashed.
        return findings, [n.replace(kind="skipped", level="warning") for n in notifications]

    def _not_checked(
        self, source: Source, fs_path: str | None, reason: str
    ) -> tuple[list[Finding], list[Notification]]:
        """A file whose check did not finish: a finding on its first line, never a clean result."""
        where = fs_path or source.path
        rule = self.meta.get(NOT_CHECKED)
        message = f"This file was not checked: {reason}; nothing in it was verified."
        if rule is None or rule.id in self._path_ignores(self.config_relative(where)):
            return [], [Notification(source.path, message, "internal-error", level="error")]
        finding = self.finding(
            rule, Hit(0, 1, message, identity=""), source.path, source.text, LineIndex(source.text), Context()
        )
        if self.fingerprints:
            baseline.assign_fingerprints([finding], self.identity_path(where))
        return [finding], []


def _where_in_file(embedded: Embedded | None, source: Source, document, offset: int) -> str:
    """For code read from another file (`bash x.sh`, `psql -f x.sql`), whose findings point at its name in
    the host: where in that file."""
    if embedded is None or not embedded.anchor:
        return ""
    return f" (in {source.path}, line {document.index.position(offset)[0]})"


NOT_CHECKED = "BG005"  # the meta rule for what could not be checked


PARALLEL_MIN_FILES = 8
PARALLEL_MIN_BYTES = 64 * 1024
