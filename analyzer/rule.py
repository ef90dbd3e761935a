"""What a rule is: its metadata, its examples, and the hits its check yields."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from blastguard.examples import Example, problem_with
from blastguard.model import Severity
from blastguard.records import Record


class Hit(Record):
    """A rule's raw result: an offset span in the analysed text and a message."""

    __slots__ = ("start", "end", "message", "severity", "production")

    def __init__(self, start: int, end: int, message: str, severity: Severity | None = None,
                 production: tuple[str, ...] = ()) -> None:
        self.start = start
        self.end = end
        self.message = message
        self.severity = severity  # None: the rule's (configured) severity
        # Production evidence found at this spot (a command's `--context prod`), added to the document's.
        self.production = production


class Rule(Record):
    __slots__ = ("id", "name", "language", "severity", "summary", "rationale", "flag", "clean", "check", "keywords",
                 "fix", "precision", "tags", "example_language", "escalates")  # fmt: skip
    _identity = True  # one object per rule: sets of rules compare by identity

    def __init__(self, *, id: str, name: str, language: str, severity: Severity, summary: str, rationale: str,
                 flag: tuple[str | Example, ...], clean: tuple[str | Example, ...],
                 check: Callable[..., Iterable[Hit]] | None = None,
                 keywords: tuple[str, ...] = (), fix: str = "", precision: str = "high", tags: tuple[str, ...] = (),
                 example_language: str = "", escalates: bool = False) -> None:
        self.id = id  # stable and opaque: SQL101
        self.name = name  # kebab-case: unbounded-delete
        self.language = language  # the language pack whose documents `check` reads
        self.severity = severity
        self.summary = summary  # one sentence
        self.rationale = rationale
        self.flag = flag  # examples that must produce this rule's finding (blastguard.examples)
        self.clean = clean  # examples that must not
        self.check = check  # None: the engine reports it itself
        # A text containing none of these words (case-insensitive) cannot match; empty = always run.
        self.keywords = keywords
        self.fix = fix  # what to do instead
        self.precision = precision  # SARIF precision: very-high | high | medium | low
        self.tags = tags
        # The language the examples are written in, when it is not `language` (engine-level rules).
        self.example_language = example_language
        # Destroys data when it runs: a production target raises its severity one level.
        self.escalates = escalates
        if not flag or not clean:
            raise ValueError(f"{id}: every rule needs examples that flag and examples that stay clean")
        if problem := problem_with(flag, clean):
            raise ValueError(f"{id}: {problem}")

    @property
    def examples_language(self) -> str:
        return self.example_language or self.language
