"""What a rule is: its metadata, its examples, and the hits its check yields."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from blastguard.model import Severity


@dataclass(frozen=True)
class Hit:
    """A rule's raw result: an offset span in the analysed text and a message."""

    start: int
    end: int
    message: str
    severity: Severity | None = None  # None: the rule's (configured) severity
    # Production evidence found at this spot (a command's `--context prod`), added to the document's.
    production: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str  # stable and opaque: SQL101
    name: str  # kebab-case: unbounded-delete
    language: str  # the language pack whose documents `check` reads
    severity: Severity
    summary: str  # one sentence
    rationale: str
    flag: tuple[str, ...]  # examples that must produce this rule's finding
    clean: tuple[str, ...]  # examples that must not
    check: Callable[..., Iterable[Hit]] | None = None  # None: the engine reports it itself
    # A text containing none of these words (case-insensitive) cannot match; empty = always run.
    keywords: tuple[str, ...] = ()
    fix: str = ""  # what to do instead
    precision: str = "high"  # SARIF precision: very-high | high | medium | low
    tags: tuple[str, ...] = ()
    # The language the examples are written in, when it is not `language` (engine-level rules).
    example_language: str = ""
    # Destroys data when it runs: a production target raises its severity one level.
    escalates: bool = False

    def __post_init__(self) -> None:
        if not self.flag or not self.clean:
            raise ValueError(f"{self.id}: every rule needs examples that flag and examples that stay clean")

    @property
    def examples_language(self) -> str:
        return self.example_language or self.language
