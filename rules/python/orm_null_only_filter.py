"""PY104 orm-null-only-filter: an ORM delete whose filter tests nothing but NULLs (SQL104 in the ORM's words)."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.python._null_tests import null_only_filters
from blastguard.rules.python._orm import selection

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.python.calls import Call
    from blastguard.frontends.python.frontend import PythonDocument

_FIX = "Count the rows first with the same filter, and bound it by a key or a date (`created__lt=cutoff`)."


def check(call: Call, document: PythonDocument) -> Iterator[Hit]:
    selected = selection(call, document, "delete")
    if selected is None:
        return
    kind, links = selected
    found = null_only_filters(links, document)
    if found is None:
        return
    filters, tested = found
    start, end = _span(filters, call)
    where = " and ".join(dict.fromkeys(tested))
    origin = ""
    if filters[0].via:
        line = document.index.position(start)[0]
        origin = f" The filter is on `{filters[0].via}`, set on line {line}."
    yield Hit(
        start,
        end,
        f"`{call.code()}` deletes every row where {where}: "
        f"this {kind} is filtered only by NULL tests, and that can be most of the table.{origin} {_FIX}",
    )


def _span(filters, call: Call) -> tuple[int, int]:
    """From the first filter's first condition to the last one's last (the call itself when they are in
    different statements)."""
    first, last = filters[0].call, filters[-1].call
    chunk = filters[0].chunk if filters[0].chunk is not None else call.chunk
    last_chunk = filters[-1].chunk if filters[-1].chunk is not None else call.chunk
    if first is None or last is None or last_chunk is not chunk:
        return call.span()
    opening = first.args[0]  # from its keyword (`last_login__isnull=True`), if it has one
    start = chunk.span(opening.keyword if opening.keyword is not None else opening.value)[0]
    end = chunk.span(last.args[-1].value)[1]
    return (start, end) if start < end else call.span()


RULE = Rule(
    id="PY104",
    name="orm-null-only-filter",
    language="python",
    severity=Severity.WARNING,
    summary="An ORM delete filtered only by NULL tests removes every row where a column is (or is not) set.",
    rationale=(
        "SQL104's judgement in an ORM's words: `User.objects.filter(last_login__isnull=True).delete()`, "
        "`session.query(User).filter(User.last_login.is_(None)).delete()` (or `== None`, `.is_not(None)`, "
        "`filter_by(last_login=None)`), `session.execute(delete(User).where(User.last_login.is_(None)))` and "
        "peewee's `User.delete().where(User.last_login.is_null()).execute()` remove every row whose column was "
        "never set, and a column that is often empty makes that most of the table. `exclude(...)`, `Q(...)`, "
        "`~`, `&`, `|`, `and_`/`or_`/`not_` of NULL tests are read too. A filter that also tests a key, a date "
        "or any other value is not a finding, and neither is an update (filling the NULLs is a backfill). "
        "The finding points at the filter, also when it was set on a queryset kept in a variable."
    ),
    fix=_FIX,
    flag=(
        Example(
            "User.objects.filter(last_login__isnull=True).delete()",
            flagged="last_login__isnull=True",
            severity=Severity.WARNING,
            message="where `last_login` is NULL",
        ),
        Example(
            "session.query(User).filter(User.last_login.is_(None)).delete()",
            flagged="User.last_login.is_(None)",
            message="this SQLAlchemy query is filtered only by NULL tests",
        ),
        "session.query(User).filter(User.last_login == None).delete()",
        "session.query(User).filter(User.email.is_not(None)).delete(synchronize_session=False)",
        "session.query(User).filter_by(last_login=None).delete()",
        "from sqlalchemy import delete\nsession.execute(delete(User).where(User.last_login.is_(None)))",
        "from sqlalchemy import or_\nsession.query(User).filter(or_(User.a == None, User.b.is_(None))).delete()",
        "User.objects.exclude(last_login__isnull=False).delete()",
        "User.objects.filter(Q(email=None) | Q(phone__isnull=True)).delete()",
        "User.delete().where(User.last_login.is_null()).execute()",
        "User.delete().where(User.last_login >> None).execute()",
        "Order.objects.filter(customer__isnull=True)._raw_delete(using='default')",
        Example(
            "def purge():\n    stale = Token.objects.filter(user__isnull=True)\n    stale.delete()",
            flagged="user__isnull=True",
            message="The filter is on `stale`, set on line 2.",
        ),
    ),
    clean=(
        "User.objects.filter(last_login__isnull=True, date_joined__lt=cutoff).delete()",
        "User.objects.filter(last_login__isnull=True).filter(pk__in=ids).delete()",
        "session.query(User).filter(User.last_login.is_(None), User.created < cutoff).delete()",
        "User.delete().where(User.last_login.is_null() & (User.created < cutoff)).execute()",
        "User.objects.filter(last_login__isnull=True).update(last_login=now)",
        "User.objects.filter(last_login__isnull=True).count()",
        "User.objects.filter(**conditions).delete()",
        "User.objects.all().delete()",
        "User.objects.filter(status=None if keep else 'x').delete()",
        "session.query(User).filter(User.id == None).first()",
    ),
    check=check,
    escalates=True,
    keywords=("delete", "_raw_delete", "execute"),
    precision="high",
    tags=("data-loss", "orm"),
)
