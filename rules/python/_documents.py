"""Shared by the Python rules: document-store calls (MongoDB, Elasticsearch) whose filter selects every document.

An empty filter is MongoDB's "every document": `delete_many({})`, `remove({})`, `DeleteMany({})` in a
`bulk_write`. Elasticsearch's is a `match_all` query. A filter kept in a name bound once is followed,
and the finding points at the literal filter, wherever it is written.
"""

from __future__ import annotations

import libcst as cst

from blastguard.records import Record, record

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from blastguard.frontends.python.calls import ParsedChunk

_MONGO = frozenset({"pymongo", "motor", "mongoengine", "mongomock"})
_FOLLOW = 4


@record(frozen=True)
class Filter(Record):
    """A filter that selects every document: the node written, the chunk that holds it, the name followed."""

    node: cst.BaseExpression
    chunk: ParsedChunk
    via: str = ""

    def span(self) -> tuple[int, int]:
        return self.chunk.span(self.node)

    def origin(self, document) -> str:
        """ " (`EVERYTHING`, set on line 3)" when the filter was followed through a name, else ""."""
        if not self.via:
            return ""
        return f" (`{self.via}`, set on line {document.index.position(self.span()[0])[0]})"


def uses_mongo(document) -> bool:
    return bool(document.model.imported_modules & _MONGO)


def resolve(node, call, document) -> Filter | None:
    """`node`, or what a name bound once holds (followed a few times), with where it is written."""
    chunk, via = call.chunk, ""
    for _ in range(_FOLLOW):
        if not isinstance(node, cst.Name):
            break
        bound = document.model.binding(node, call.scope)
        if bound is None:
            return None
        via, (node, _, chunk) = node.value, bound
    return Filter(node, chunk, via) if node is not None else None


def empty_filter(node, call, document) -> Filter | None:
    """`{}` or `dict()` (directly or through a name): MongoDB's filter of every document."""
    found = resolve(node, call, document) if node is not None else None
    if found is None:
        return None
    value = found.node
    empty_dict = isinstance(value, cst.Dict) and not value.elements
    empty_call = isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "dict"
    return found if empty_dict or (isinstance(value, cst.Call) and empty_call and not value.args) else None


def match_all(node, call, document, depth: int = 3) -> Filter | None:
    """A query (or a request body holding one under "query") that is `{"match_all": {…}}`."""
    found = resolve(node, call, document) if node is not None else None
    if found is None or not isinstance(found.node, cst.Dict) or depth == 0:
        return None
    for element in found.node.elements:
        if not isinstance(element, cst.DictElement):
            return None  # `**spread`: unknown
        key = document.folder.string(element.key, call.scope, found.chunk)
        if key is None or not key.literal:
            continue
        if key.text == "match_all" and len(found.node.elements) == 1:
            return found
        if key.text == "query":
            inner = match_all(element.value, call, document, depth - 1)
            if inner is not None:  # named by the name followed last, or else by the body's
                return inner if inner.via or not found.via else inner.replace(via=found.via)
    return None


def every_document_query(value) -> bool:
    """A Lucene query string (a folded value) that matches every document (`q="*"`, `q="*:*"`)."""
    return value.literal and value.text.strip() in ("*", "*:*")
