"""What a rule is: its metadata, its examples, and the hits its checks yield.

A rule reports in one of three ways, and says which:
    check(unit, document, **options) -> Iterable[Hit]
                    run by its language pack's `run` on each unit of a document (a statement, a
                    command, a call, or the whole document)
    check_change(change, **options) -> Iterable[Hit]
                    run by `blastguard.filters.changes` on a file's old and new versions (a deleted block)
    meta=True       reported by blastguard itself (suppression problems, what could not be checked)

`options` names the configuration keys a check reads (`max-destroy`); the engine passes their
configured values as keyword arguments (`max_destroy=`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from blastguard.examples import Example, problem_with
from blastguard.model import Severity
from blastguard.records import Record, record


@record(frozen=True)
class Hit(Record):
    """A rule's raw result: an offset span in the analysed text and a message."""

    start: int
    end: int
    message: str
    severity: Severity | None = None  # None: the rule's (configured) severity
    # Production evidence found at this spot (a command's `--context prod`), added to the document's.
    # A rule never sets it for the unit it was handed: its language pack's `run` adds that.
    production: tuple[str, ...] = ()
    # The finding's snippet (and so part of its fingerprint); None: the text of the span. A change
    # rule's hit about something that is gone (a deleted block) names what was removed, so its
    # identity does not depend on whatever text now sits where the block was.
    identity: str | None = None
    # Facts a reporter shows beside the message (a live estimate: rows, table size, share), or None.
    properties: dict | None = None

    def found_in(self, evidence: tuple[str, ...]) -> Hit:
        """This hit with the production evidence of the unit it was found in (a command, a document)
        ahead of its own: what a language pack's `run` adds to every hit of a rule."""
        added = tuple(e for e in self.production if e not in evidence)
        return self.replace(production=evidence + added) if evidence else self


@record(identity=True, kw_only=True)  # one object per rule: sets of rules compare by identity
class Rule(Record):
    id: str  # stable and opaque: SQL101
    name: str  # kebab-case: unbounded-delete
    language: str  # the language pack whose documents `check` reads
    severity: Severity
    summary: str  # one sentence
    rationale: str
    flag: tuple[str | Example, ...]  # examples that must produce this rule's finding (blastguard.examples)
    clean: tuple[str | Example, ...]  # examples that must not
    check: Callable[..., Iterable[Hit]] | None = None  # on one unit of a document
    check_change: Callable[..., Iterable[Hit]] | None = None  # on a file's change (see blastguard.filters.changes)
    meta: bool = False  # neither: blastguard reports it itself
    options: tuple[str, ...] = ()  # configuration keys the checks read, passed as keyword arguments
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
        if problem := problem_with(self.flag, self.clean):
            raise ValueError(f"{self.id}: {problem}")
        if self.meta == bool(self.check or self.check_change):
            raise ValueError(f"{self.id}: a rule has a check or a check_change, or is a meta rule (meta=True)")

    @property
    def examples_language(self) -> str:
        return self.example_language or self.language
