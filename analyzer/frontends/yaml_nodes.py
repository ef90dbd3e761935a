"""YAML hosts of commands (CI workflows, Taskfiles, compose files, Kubernetes manifests): the YAML is
composed, not loaded, so every scalar keeps its position, and a scalar's text maps back to the host
character by character.
"""

from __future__ import annotations

import re

import yaml

from blastguard.frontends.base import Comment, Frontend, Problem
from blastguard.frontends.command_words import Piece
from blastguard.frontends.host_document import HostDocument
from blastguard.sources import Embedded, Source
from blastguard.textindex import LineIndex

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    from collections.abc import Iterator

    from blastguard.context import Context

_COMMENT = re.compile(r"(?:^|[ \t])(#[^\n]*)")


def compose(text: str, what: str) -> tuple[list[yaml.Node], Problem | None]:
    """The documents of `text` as position-keeping nodes, or the problem that stopped reading them
    (`what` names the file in the message: "the compose file"), which the frontend reports as not checked."""
    try:
        return [node for node in yaml.compose_all(text, Loader=yaml.SafeLoader) if node is not None], None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = min(mark.index if mark else 0, max(len(text) - 1, 0))
        reason = getattr(exc, "problem", None) or "invalid YAML"
        return [], Problem(at, at + 1, f"{what} could not be parsed as YAML ({reason})")


class YamlHostFrontend(Frontend):
    """A YAML file that holds commands: its documents composed with their positions, the scripts they
    hold found by `scripts`. A file that is not YAML is reported as not checked, never passed as clean."""

    embeds = ("shell", "python")
    what = "The file"  # names the file in the message when it cannot be read

    def scripts(self, roots: list[yaml.Node], source: Source) -> Iterator[Embedded]:
        raise NotImplementedError

    def parse(self, source: Source, wanted=None) -> HostDocument:
        document = HostDocument(source=source, index=LineIndex(source.text), comments=comments(source.text))
        roots, problem = compose(source.text, self.what)
        if problem is not None:
            document.unchecked.append(problem)
        else:
            document.scripts = list(self.scripts(roots, source))
        return document


def get(node, key: str):
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def items(node):
    return (
        [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)] if isinstance(node, yaml.MappingNode) else []
    )


def scalar(node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def sequence(node) -> list:
    return node.value if isinstance(node, yaml.SequenceNode) else []


def env(node) -> dict[str, str]:
    """`KEY: value` pairs of a mapping."""
    return {k.value: v.value for k, v in items(node) if isinstance(v, yaml.ScalarNode)}


def comments(text: str) -> list[Comment]:
    # A `#` starts a YAML comment only at a line start or after a blank; inside a block scalar it is the
    # script's own comment, which the shell frontend reports; duplicates are harmless for suppressions.
    return [Comment(m.start(1), m.end(1), m.group(1)[1:]) for m in _COMMENT.finditer(text)]


def script(
    node: yaml.ScalarNode, source: Source, context: Context, expression: re.Pattern | None, language: str = "shell"
) -> Embedded:
    """The scalar's text as an embedded source; `expression` matches what the host replaces before the
    interpreter sees the text (`${{ … }}`), which becomes one plain word of the same length."""
    code, offsets = scalar_code(node, source.text)
    if expression is not None:
        code = expression.sub(lambda m: "X" * len(m.group(0)), code)
    if offsets is None:  # a quoted scalar with escapes: point every finding at the whole scalar
        return Embedded(Source(source.path, code, language, context), [], (node.start_mark.index, node.end_mark.index))
    return Embedded(Source(source.path, code, language, context), offsets)


def scalar_code(node: yaml.ScalarNode, text: str) -> tuple[str, list[int] | None]:
    """The scalar's value and the host offset of each of its characters (plus one for the end), or None
    when they cannot be told apart (escapes YAML decoded)."""
    start, end = node.start_mark.index, node.end_mark.index
    value = node.value
    raw = text[start:end]
    if node.style is None and "\n" not in raw and raw == value:
        return value, list(range(start, end + 1))
    if node.style == "|":
        return value, _literal_block_offsets(value, text, start, end)
    return value, _aligned_offsets(value, raw, start)


def _literal_block_offsets(value: str, text: str, start: int, end: int) -> list[int] | None:
    """A `|` block keeps its lines: each content line starts after the block's indentation."""
    header_end = text.find("\n", start, end)
    if header_end < 0:  # `run: |` on the file's last line, with no line break after it: an empty script
        return [end] if not value else None
    lines_start = header_end + 1
    lines = text[lines_start:end].split("\n")
    indent = min((len(line) - len(line.lstrip(" ")) for line in lines if line.strip()), default=0)
    offsets: list[int] = []
    position = lines_start
    for line in lines:
        # the line's characters after the indentation, then its line break
        offsets.extend(range(position + min(indent, len(line)), position + len(line) + 1))
        position += len(line) + 1
    if len(offsets) < len(value):
        return None
    return offsets[: len(value)] + [offsets[len(value) - 1] + 1 if value else lines_start]


def _aligned_offsets(value: str, raw: str, start: int) -> list[int] | None:
    """Offsets of `value`'s characters in `raw`, skipping what YAML folds or escapes; None if they drift."""
    offsets: list[int] = []
    j = 0
    for ch in value:
        while j < len(raw) and raw[j] != ch and (raw[j] in " \t\r\n\\\"'>|-+" or (ch == " " and raw[j] == "\n")):
            j += 1
        if j >= len(raw) or (raw[j] != ch and not (ch == " " and raw[j] == "\n")):
            return None
        offsets.append(start + j)
        j += 1
    offsets.append(start + j)
    return offsets


def pieces(node, text: str) -> list[Piece] | None:
    """The words of a YAML list of scalars (`["sh", "-c", "…"]`) in `text`, the host, each keeping where
    it is; None when an item is not a scalar."""
    entries = sequence(node)
    if not all(isinstance(entry, yaml.ScalarNode) for entry in entries):
        return None
    return [piece(entry, text) for entry in entries]


def piece(node: yaml.ScalarNode, text: str) -> Piece:
    """A scalar as a word whose characters keep their places in `text`, the host."""
    value, offsets = scalar_code(node, text)
    if offsets is None:
        return Piece.spanning(value, node.start_mark.index, node.end_mark.index)
    return Piece.at(value, offsets)
