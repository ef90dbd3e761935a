"""PY101 orm-mass-delete: an ORM delete that no filter limits removes every row of its table."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.python._orm import mass_operation

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.python.calls import Call
    from blastguard.frontends.python.frontend import PythonDocument

_FIX = "Filter the query to the rows you mean (`.filter(...)`, `.where(...)`) and count them first."


def check(call: Call, document: PythonDocument) -> Iterator[Hit]:
    kind = mass_operation(call, document, "delete")
    if kind:
        yield Hit(*call.span(), f"`{call.code()}` deletes every row: nothing filters this {kind}. {_FIX}")


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
        "followed. Deleting one object (`obj.delete()`, `session.delete(obj)`) and filtered deletes are not "
        "findings."
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
        "qs = Session.objects.all()\nqs.delete()",
        "session.query(User).delete()",
        "session.query(User).delete(synchronize_session=False)",
        "from sqlalchemy import delete\nsession.execute(delete(User))",
        "import sqlalchemy as sa\nconn.execute(sa.delete(users_table).returning(users_table.c.id))",
        "User.delete().execute()",
        "conn.execute(User.__table__.delete())",
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
    ),
    check=check,
    escalates=True,
    keywords=("delete",),
    precision="high",
    tags=("data-loss", "orm"),
)
