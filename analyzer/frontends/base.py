"""The contract between the engine and a frontend: `Frontend` parses a Source into a `Document`.

Every frontend derives from `Frontend` and every document from `Document`; the engine reads nothing
else from them. A rule package reads the fields its own frontend's document adds (statements,
commands, blocks, calls).

Imported by every frontend, the shell one included: it must stay as cheap as `records`.
"""

from __future__ import annotations

from blastguard.records import Record, factory, record

TYPE_CHECKING = False  # `typing` costs an agent hook milliseconds
if TYPE_CHECKING:  # annotations only
    import re

    from blastguard.sources import Embedded, Source
    from blastguard.textindex import LineIndex


@record(frozen=True)
class Comment(Record):
    start: int
    end: int
    body: str  # without the comment markers


@record(frozen=True)
class Problem(Record):
    """A span of the source the frontend could not read as it should: a parse error, a file it could
    not open. The engine reports it as a notification; `message` is a full sentence."""

    start: int
    end: int
    message: str


class _Lazy:
    """No `__slots__`: documents keep a `__dict__` for the views they compute on first use
    (`functools.cached_property`)."""


@record(kw_only=True, identity=True)
class Document(_Lazy, Record):
    """One parsed source. A language's document adds what its rules read."""

    source: Source
    index: LineIndex  # of source.text
    comments: list[Comment] = factory(list)  # for inline suppressions, in source.text offsets
    problems: list[Problem] = factory(list)  # parse problems: reported, the rest of the text still checked
    # Parts refused unparsed (nesting too deep to read safely): each is reported as not checked (BG005),
    # with its message as the reason.
    unchecked: list[Problem] = factory(list)

    def children(self) -> list[Embedded]:
        """The sources inside this one (SQL in a shell command, a script in a workflow step), with
        offsets into source.text. Called once, after the document's own rules ran."""
        return []


class Frontend:
    """Parses the sources of one language."""

    language: str = ""
    # Languages its documents can hold. When empty, the engine skips a text that holds none of the
    # enabled rules' keywords without parsing it.
    embeds: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config) -> Frontend:
        """The frontend for `config`; one that reads no setting is made with no arguments."""
        return cls()

    def parse(self, source: Source, wanted: re.Pattern | None = None) -> Document:
        """`wanted` (the enabled rules' keywords, or None) may be used to skip parts of the text no
        rule could report."""
        raise NotImplementedError
