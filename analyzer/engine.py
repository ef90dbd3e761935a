"""The engine: sources in, findings out. Parse each source once, run every enabled rule on it, then
apply suppressions, the baseline and fingerprints."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pathspec

from blastguard import baseline, registry, suppressions
from blastguard.config import Config, ConfigError
from blastguard.model import Finding, Notification, Report, Severity
from blastguard.rule import Rule
from blastguard.sources import Source


@dataclass(frozen=True)
class _Enabled:
    rules: tuple[Rule, ...]
    # Matches the words some enabled rule looks for; None: every text must be parsed. It skips whole
    # files here, and the frontend uses it to skip statements.
    prefilter: re.Pattern | None


class Selection:
    """Which rules run: `select` and `ignore` hold ids, id prefixes (SQL, SQL1), names, or ALL."""

    def __init__(self, select: list[str], ignore: list[str]) -> None:
        known = registry.all_rules()
        for key in [*select, *ignore]:
            if not any(self.matches(key, rule) for rule in known):
                raise ConfigError(f"'{key}' names no rule (see `blastguard rules`)")
        self.select, self.ignore = select, ignore

    @staticmethod
    def matches(key: str, rule: Rule) -> bool:
        return key.upper() == "ALL" or rule.id.startswith(key.upper()) or key.lower() == rule.name

    def enabled(self, rule: Rule) -> bool:
        return any(self.matches(k, rule) for k in self.select) and not any(self.matches(k, rule) for k in self.ignore)


def resolve_rule_key(key: str) -> str | None:
    rule = registry.find_rule(key)
    return rule.id if rule else None


class Engine:
    def __init__(self, config: Config, project_root: str, trust_suppressions: bool = True) -> None:
        self.config = config
        self.project_root = os.path.abspath(project_root)
        self.trust_suppressions = trust_suppressions
        self.selection = Selection(config.select, config.ignore)
        self.severity = {self._rule_id(key): level for key, level in config.severity.items()}
        self.per_path = [
            (pathspec.GitIgnoreSpec.from_lines([pattern]), {self._rule_id(k) for k in keys})
            for pattern, keys in config.per_path_ignores.items()
        ]
        self._frontends: dict[str, object] = {}
        self._enabled: dict[str, _Enabled] = {}
        self.meta = {r.id: r for r in registry.meta_rules() if self.selection.enabled(r)}

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
            return self._check(source, self.identity_path(where), self.config_relative(where))
        except ConfigError:
            raise
        except Exception as exc:  # one bad file must not lose the others' findings
            message = f"internal error while checking this file ({type(exc).__name__}: {exc}); it was not fully checked"
            return [], [Notification(source.path, message, "internal-error", level="error")]

    def _check(self, source: Source, identity_path: str, config_path: str):
        enabled = self._enabled_for(source.language)
        ignored = self._path_ignores(config_path)
        rules = [r for r in enabled.rules if r.id not in ignored]
        if not rules or (enabled.prefilter and not enabled.prefilter.search(source.text)):
            return [], []
        document = self._frontend(source.language).parse(source, enabled.prefilter)
        package = registry.rule_package(source.language)
        findings = []
        for rule in rules:
            for hit in package.run(rule, document):
                findings.append(self._finding(rule, hit.start, hit.end, hit.message, hit.severity, source, document))
        notifications = [
            Notification(source.path, f"Statement could not be parsed ({message}); it was checked at token level.",
                         "parse-error", region=document.index.region(start, end))
            for start, end, message in document.problems
        ]  # fmt: skip
        findings.extend(self._apply_suppressions(document, findings, {r.id for r in rules}, ignored))
        baseline.assign_fingerprints(findings, identity_path)
        findings.sort(key=lambda f: f.sort_key)
        return findings, notifications

    def _finding(self, rule: Rule, start: int, end: int, message: str, severity: Severity | None, source, document):
        level = self.severity.get(rule.id) or severity or rule.severity
        return Finding(rule.id, rule.name, level, message, source.path, document.index.region(start, end),
                       source.text[start:end])  # fmt: skip

    def _apply_suppressions(self, document, findings, enabled: set[str], ignored: set[str]) -> list[Finding]:
        if not self.trust_suppressions:
            return []
        directives, problems = suppressions.parse(document.comments, document.index, resolve_rule_key)
        suppressions.apply(findings, directives)
        problems += suppressions.unused(directives, enabled)
        meta = []
        for problem in problems:
            rule = self.meta.get(problem.rule_id)
            if rule and rule.id not in ignored:
                meta.append(self._finding(rule, problem.start, problem.end, problem.message, None, document.source, document))
        return meta

    def check_sources(self, sources) -> Report:
        """`sources` yields (Source | Notification, filesystem path or None)."""
        report = Report(project_root=self.project_root)
        items = list(sources)
        work = [(item, fs_path) for item, fs_path in items if isinstance(item, Source)]
        report.notifications.extend(item for item, _ in items if isinstance(item, Notification))
        for (source, _), (findings, notifications) in zip(work, self._run_all(work)):
            report.files_checked += 1
            if findings:
                report.texts[source.path] = source.text
            report.findings.extend(findings)
            report.notifications.extend(notifications)
        return report

    def _run_all(self, work: list[tuple[Source, str | None]]):
        """Results in order; large scans are spread over forked worker processes."""
        workers = min(os.cpu_count() or 1, 8)
        size = sum(len(source.text) for source, _ in work)
        if workers < 2 or len(work) < PARALLEL_MIN_FILES or size < PARALLEL_MIN_BYTES:
            return [self.check_source(source, fs_path) for source, fs_path in work]
        import multiprocessing  # only here: a small scan must not pay for it
        from concurrent.futures import ProcessPoolExecutor

        if "fork" not in multiprocessing.get_all_start_methods():
            return [self.check_source(source, fs_path) for source, fs_path in work]
        global _WORKER_ENGINE
        for language in {source.language for source, _ in work}:
            self._frontend(language)  # import parsers before forking, so each worker inherits them
            registry.rule_package(language)
            self._enabled_for(language)
        _WORKER_ENGINE = self
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                return list(pool.map(_check_in_worker, work, chunksize=max(1, len(work) // (workers * 4))))
        finally:
            _WORKER_ENGINE = None


PARALLEL_MIN_FILES = 8
PARALLEL_MIN_BYTES = 64 * 1024
_WORKER_ENGINE: Engine | None = None  # set in the parent just before forking; workers inherit it


def _check_in_worker(item: tuple[Source, str | None]):
    source, fs_path = item
    return _WORKER_ENGINE.check_source(source, fs_path)
