"""PY101 orm-mass-delete: an ORM delete that no filter limits removes every row of its table."""

from __future__ import annotations

import libcst as cst

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.python._documents import (
    Filter,
    empty_filter,
    every_document_query,
    match_all,
    resolve,
    uses_mongo,
)
from blastguard.rules.python._orm import mass_operation, origin

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.python.calls import Call
    from blastguard.frontends.python.frontend import PythonDocument

_FIX = "Filter the query to the rows you mean (`.filter(...)`, `.where(...)`) and count them first."
_MONGO_FIX = (
    'Give the filter the documents you mean (`{"expires_at": {"$lt": cutoff}}`) and count them first '
    "(`count_documents` with the same filter)."
)


def check(call: Call, document: PythonDocument) -> Iterator[Hit]:
    kind = mass_operation(call, document, "delete")
    if kind:
        raw = " (`_raw_delete` also skips signals and cascades)" if call.method == "_raw_delete" else ""
        followed = origin(call, document)
        yield Hit(
            *call.span(), f"`{call.code()}` deletes every row{raw}: nothing filters this {kind}.{followed} {_FIX}"
        )
    elif call.method == "delete_many" or (call.method == "remove" and uses_mongo(document)):
        found = empty_filter(call.argument(0, "filter", "spec_or_id"), call, document)
        if found is not None:
            yield Hit(
                *found.span(),
                f"`{call.code()}` deletes every document of the collection: an empty filter{found.origin(document)} "
                f"matches them all. {_MONGO_FIX}",
            )
    elif call.method == "bulk_write":
        yield from _bulk_write(call, document)
    elif call.method == "delete_by_query":
        query = call.keyword("query") or call.argument(1, "body")
        found = match_all(query, call, document)
        lucene = call.keyword("q")
        text = document.string(lucene, call) if lucene is not None else None
        if found is None and lucene is not None and text is not None and every_document_query(text):
            found = Filter(lucene, call.chunk)
        if found is not None:
            yield Hit(
                *found.span(),
                f"`{call.code()}` deletes every document of the index: the query{found.origin(document)} is "
                f"`match_all`. Query the documents you mean (a `range` on a date, a `term`) and count them first.",
            )


def _bulk_write(call: Call, document: PythonDocument) -> Iterator[Hit]:
    """`bulk_write([DeleteMany({}), …])`: a request of the batch that deletes every document."""
    requests = resolve(call.argument(0, "requests"), call, document)
    if requests is None or not isinstance(requests.node, (cst.List, cst.Tuple)):
        return
    for element in requests.node.elements:
        request = element.value
        if not isinstance(request, cst.Call) or not (document.model.qualified_name(request.func) or "").endswith(
            "DeleteMany"
        ):
            continue
        filter_node = next((a.value for a in request.args if a.keyword is None or a.keyword.value == "filter"), None)
        found = empty_filter(filter_node, call, document)
        if found is not None:
            yield Hit(
                *found.span(),
                f"`DeleteMany({{}})` in this `bulk_write` deletes every document of the collection: an empty "
                f"filter{found.origin(document)} matches them all. {_MONGO_FIX}",
            )


RULE = Rule(
    id="PY101",
    name="orm-mass-delete",
    language="python",
    severity=Severity.ERROR,
    summary="An ORM delete with no filter removes every row of its table.",
    rationale=(
        "`Model.objects.all().delete()`, `session.query(Model).delete()`, `session.execute(delete(Model))` "
        "and peewee's `Model.delete().execute()` are the ORM spelling of `DELETE FROM table`: every row goes. "
        "A filter with no arguments (`.filter()`) does not count, and a queryset kept in a variable is "
        "followed; Django's `_raw_delete` on such a queryset deletes every row too, skipping signals and "
        "cascades. Document stores say the same with an empty filter: MongoDB's `delete_many({})`, "
        "`remove({})` and a `DeleteMany({})` in `bulk_write` (pymongo or motor), and Elasticsearch's "
        '`delete_by_query` with a `match_all` query (or `q="*:*"`); the finding points at the filter, followed through a '
        "name bound once. Deleting one object (`obj.delete()`, `session.delete(obj)`) and filtered deletes "
        "are not findings."
    ),
    fix=_FIX,
    flag=(
        Example(
            "Cart.objects.all().delete()",
            flagged="Cart.objects.all().delete()",
            severity=Severity.ERROR,
            message="`Cart.objects.all().delete()` deletes every row",
        ),
        "Cart.objects.filter().delete()",
        Example(
            "def purge():\n    qs = Session.objects.all()\n    qs.delete()",
            flagged="qs.delete()",
            message="nothing filters this Django queryset. `qs` is set on line 2.",
        ),
        "session.query(User).delete()",
        "session.query(User).delete(synchronize_session=False)",
        "from sqlalchemy import delete\nsession.execute(delete(User))",
        "import sqlalchemy as sa\nconn.execute(sa.delete(users_table).returning(users_table.c.id))",
        "User.delete().execute()",
        "conn.execute(User.__table__.delete())",
        "from sqlalchemy import Table\nusers = Table('users', metadata)\nconn.execute(users.delete())",
        # Django's `_raw_delete` on an unfiltered queryset: every row, without signals or cascades.
        Example(
            'Order.objects.all()._raw_delete(using="default")',
            message="(`_raw_delete` also skips signals and cascades)",
        ),
        "qs = Order.objects.all()\nqs._raw_delete(qs.db)",
        # MongoDB: an empty filter is every document.
        Example(
            "from pymongo import MongoClient\ndb = MongoClient().app\ndb.events.delete_many({})",
            flagged="{}",
            message="deletes every document of the collection: an empty filter matches them all",
        ),
        "await db.sessions.delete_many(filter={})",
        "coll.delete_many(dict())",
        Example(
            "EVERYTHING = {}\ndef purge(coll):\n    coll.delete_many(EVERYTHING)",
            flagged="{}",
            message="an empty filter (`EVERYTHING`, set on line 1) matches them all",
        ),
        "import pymongo\ndb.events.remove({})",
        "from pymongo import DeleteMany, InsertOne\ncoll.bulk_write([DeleteMany({}), InsertOne(doc)])",
        # Elasticsearch: a match_all query is every document of the index.
        Example(
            'es.delete_by_query(index="logs", query={"match_all": {}})',
            flagged='{"match_all": {}}',
            message="deletes every document of the index",
        ),
        'es.delete_by_query(index="logs", body={"query": {"match_all": {}}})',
        'ALL = {"query": {"match_all": {}}}\nes.delete_by_query("logs", ALL)',
        Example('es.delete_by_query(index="logs", q="*:*")', flagged='"*:*"'),
    ),
    clean=(
        "Cart.objects.filter(updated_at__lt=cutoff).delete()",
        "order.delete()",
        "session.delete(user)",
        "requests.delete(url)",
        "session.query(User).filter(User.id == user_id).delete()",
        "session.query(User).filter_by(active=False).delete()",
        "from sqlalchemy import delete\nsession.execute(delete(User).where(User.id == 1))",
        "User.delete().where(User.active == False).execute()",
        "Cart.objects.get(pk=1).delete()",
        "cache.delete('key')",
        "s3.Bucket('x').objects.filter(Prefix='tmp/').delete()",
        "print('Cart.objects.all().delete()')",
        'Order.objects.filter(pk__in=ids)._raw_delete(using="default")',
        'db.events.delete_many({"expires_at": {"$lt": cutoff}})',
        "db.events.delete_many(query)",
        "cache.delete_many(['a', 'b'])",
        "from pymongo import DeleteMany\ncoll.bulk_write([DeleteMany({'tenant': tid})])",
        "items.remove({})",
        "import pymongo\ndb.events.remove({'_id': oid})",
        'es.delete_by_query(index="logs", query={"range": {"@timestamp": {"lt": "now-30d"}}})',
        'es.search(index="logs", query={"match_all": {}})',
        'es.delete_by_query(index="logs", q="status:failed")',
    ),
    check=check,
    escalates=True,
    keywords=("delete", "_raw_delete", "execute", "delete_many", "remove", "bulk_write", "delete_by_query"),
    precision="high",
    tags=("data-loss", "orm"),
)
