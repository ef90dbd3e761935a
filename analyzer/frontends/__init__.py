"""Frontends parse a Source once into a Document that a language's rules read.

A frontend class has
    language: str
    embeds: tuple[str, ...]         languages its documents can hold (SQL in a shell command, a script
                                    in a workflow step); when empty the engine may skip a text that
                                    holds none of the enabled rules' keywords without parsing it
    from_config(config) -> frontend classmethod; reads the settings it needs
    parse(source, wanted) -> Document
                                    `wanted` (a compiled keyword pattern, or None) may be used to skip
                                    parts of the text no rule could report

A Document has
    source: Source
    index: LineIndex                of source.text
    comments: list[Comment]         for inline suppressions, in source.text offsets
    problems: list[(start, end, message)]
                                    parse problems, each message a full sentence
    children() -> list[Embedded]    sources inside it, with offsets into source.text

A rule package `blastguard.rules.<language>` has `run(rule, document, options) -> Iterable[Hit]`, which
drives one rule over one document (per statement, per command, per block) and adds to each hit the
production evidence of the unit it was found in, and one module per rule.
"""

from __future__ import annotations

from blastguard.records import record


@record(frozen=True)
class Comment:
    start: int
    end: int
    body: str  # without the comment markers
