"""Shared by the ORM rules: reading a method chain and deciding whether it filters the rows it touches.

`Cart.objects.filter(active=False).delete()` reads as the links Cart, objects, filter(…), delete();
a chain that reaches `delete`/`update` through only links that keep every row (`all()`,
`order_by(…)`, a `filter()` with no arguments) touches every row. A name bound once is followed
(`qs = Cart.objects.all()` … `qs.delete()`).
"""

from __future__ import annotations

import libcst as cst

from blastguard.records import Record, record

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from blastguard.frontends.python.calls import ParsedChunk

# Links that keep every row of what they are applied to.
KEEPS_ROWS = frozenset(
    {
        "all",
        "order_by",
        "select_related",
        "prefetch_related",
        "using",
        "only",
        "defer",
        "annotate",
        "alias",
        "distinct",
        "reverse",
        "select_for_update",
        "options",
        "execution_options",
        "enable_eagerloads",
        "with_for_update",
        "returning",
        "values",
        "with_hint",
        "prefix_with",
        "suffix_with",
        "objects",
        "_default_manager",
        "_base_manager",
        "query",
        "set",
        "inline",
        "with_dialect_options",
    }
)
# Links that may keep every row when called without arguments, and filter when given some.
FILTERS = frozenset({"filter", "filter_by", "where", "exclude", "complex_filter"})
_SQLALCHEMY_BUILDERS = (
    "sqlalchemy.delete",
    "sqlalchemy.update",
    "sqlalchemy.sql.delete",
    "sqlalchemy.sql.update",
    "sqlalchemy.sql.expression.delete",
    "sqlalchemy.sql.expression.update",
)
_MAX_FOLLOW = 4


@record(frozen=True)
class Link(Record):
    name: str  # attribute, method or function name; "[]" for a subscript
    call: cst.Call | None  # the call applied at this link
    chunk: ParsedChunk | None = None  # the parsed chunk that holds it, when reached through a name bound elsewhere
    via: str = ""  # the name followed to reach it (`qs` in `qs = Cart.objects.all()`), for messages

    @property
    def has_arguments(self) -> bool:
        return bool(self.call is not None and self.call.args)


def chain(node: cst.BaseExpression, call, document, follow: int = _MAX_FOLLOW, chunk=None, via: str = "") -> list[Link]:
    """The links of `node` from its root, following a root name bound once to another chain (whose
    links remember the chunk they are written in and the name followed)."""
    links: list[Link] = []
    while True:
        if isinstance(node, cst.Call):
            function = node.func
            if isinstance(function, cst.Attribute):
                links.append(Link(function.attr.value, node, chunk, via))
                node = function.value
            elif isinstance(function, cst.Name):
                links.append(Link(function.value, node, chunk, via))
                break
            else:
                break
        elif isinstance(node, cst.Attribute):
            links.append(Link(node.attr.value, None, chunk, via))
            node = node.value
        elif isinstance(node, cst.Subscript):
            links.append(Link("[]", None, chunk, via))
            node = node.value
        else:
            if isinstance(node, cst.Name):
                bound = document.model.binding(node, call.scope) if follow else None
                if bound is not None and isinstance(bound[0], (cst.Call, cst.Attribute)):
                    followed = chain(bound[0], call, document, follow - 1, bound[2], node.value)
                    return followed + links[::-1]
                links.append(Link(node.value, None, chunk, via))
            break
    return links[::-1]


def unfiltered(links: list[Link]) -> bool:
    """Every link between the source of the rows and the last one keeps every row."""
    for link in links:
        if link.name in FILTERS:
            if link.has_arguments:
                return False
        elif link.name not in KEEPS_ROWS:
            return False
    return True


def sqlalchemy_builder(link: Link, document) -> bool:
    """`delete(User)` / `sa.update(users)` from SQLAlchemy."""
    return link.call is not None and document.model.qualified_name(link.call.func) in _SQLALCHEMY_BUILDERS


def is_s3_collection(links: list[Link], document) -> bool:
    """`s3.Bucket("x").objects.all()`, or `bucket.objects` in a boto3 script: S3's object collection,
    not a Django manager (whose owner is a model class, capitalised)."""
    if any(link.name in ("Bucket", "object_versions") for link in links):
        return True
    names = [link.name for link in links]
    owner = names[names.index("objects") - 1] if "objects" in names[1:] else ""
    return "boto3" in document.model.imported_modules and not owner[:1].isupper()


def origin(call, document) -> str:
    """ " `qs` is set on line 3." when the query `call` runs was followed through a name, else ""."""
    links = chain(call.argument(0, "statement") or call.node, call, document)
    # the name the call itself uses: the last one followed (`stmt` in `stmt = users.delete()`, not `users`)
    followed = next((k for k in reversed(links) if k.via and k.call is not None and k.chunk is not None), None)
    if followed is None or followed.call is None or followed.chunk is None:
        return ""
    line = document.index.position(followed.chunk.span(followed.call)[0])[0]
    return f" `{followed.via}` is set on line {line}."


def model_name(links: list[Link]) -> str:
    """The model or table a chain starts from, for messages."""
    for link in links:
        if link.name not in ("session", "db", "self", "cls", "query", "objects") and link.call is None:
            return link.name
        if link.name == "query" and link.call is not None and link.call.args:
            argument = link.call.args[0].value
            return argument.value if isinstance(argument, cst.Name) else "the queried model"
    return links[0].name if links else "the model"


def mass_operation(call, document, verb: str) -> str | None:
    """How `call` reaches `verb` ("delete"/"update") on every row, named for the message; None when
    the rows are filtered or the call is something else."""
    selected = selection(call, document, verb)
    return selected[0] if selected is not None and unfiltered(selected[1]) else None


def selection(call, document, verb: str) -> tuple[str, list[Link]] | None:
    """What `call` applies `verb` ("delete"/"update") to: the kind of query, named for messages, and the
    links between where its rows come from and the verb (the filters are among them); None when the
    call is something else. Django's `_raw_delete(using)` is a delete that skips signals and cascades."""
    raw = verb == "delete" and call.method == "_raw_delete"
    if call.method == verb or raw:
        links = chain(call.node, call, document)
        names = [link.name for link in links]
        if verb == "delete" and not raw and any(arg.keyword is None for arg in call.node.args):
            return None  # `session.delete(obj)`, `requests.delete(url)`: one object, or not a query
        for manager in ("objects", "_default_manager", "_base_manager"):
            if manager in names[:-1] and not is_s3_collection(links, document):
                start = names.index(manager)
                return "Django queryset", links[start + 1 : -1]
        if raw:
            return None
        if "query" in names[:-1] and links[names.index("query")].call is not None:
            start = names.index("query")
            return "SQLAlchemy query", links[start + 1 : -1]
        return None
    if call.method == "execute":
        statement = call.argument(0, "statement")
        if statement is not None:  # session.execute(delete(User))
            return _statement(chain(statement, call, document), document, verb)
        if isinstance(call.node.func, cst.Attribute) and not call.node.args:  # User.delete().execute()
            return _statement(chain(call.node.func.value, call, document), document, verb)
    return None


def _statement(links: list[Link], document, verb: str) -> tuple[str, list[Link]] | None:
    """A DELETE/UPDATE statement built with SQLAlchemy Core or peewee, then executed."""
    for i, link in enumerate(links):
        if link.name != verb or link.call is None:
            continue
        if sqlalchemy_builder(link, document):
            return "SQLAlchemy statement", links[i + 1 :]
        if i > 0 and (verb == "update" or not link.call.args):  # table.delete(), Model.update(x=1)
            return "query", links[i + 1 :]
    return None
