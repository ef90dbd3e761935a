"""PY102 orm-mass-update: an ORM update that no filter limits overwrites every row of its table."""

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
    kind = mass_operation(call, document, "update")
    if kind:
        yield Hit(
            *call.span(),
            f"`{call.code()}` overwrites every row: nothing filters this {kind}, and the old "
            f"values cannot be recovered. {_FIX}",
        )


RULE = Rule(
    id="PY102",
    name="orm-mass-update",
    language="python",
    severity=Severity.ERROR,
    summary="An ORM update with no filter overwrites every row of its table.",
    rationale=(
        "`Model.objects.update(...)`, `session.query(Model).update(...)`, `session.execute(update(Model)"
        ".values(...))` and peewee's `Model.update(...).execute()` are `UPDATE table SET …` without a WHERE: "
        "every row is rewritten and the old values are gone. Filtered updates, and `dict.update`, are not "
        "findings."
    ),
    fix=_FIX,
    flag=(
        Example(
            'Order.objects.update(status="archived")',
            flagged='Order.objects.update(status="archived")',
            severity=Severity.ERROR,
            message='`Order.objects.update(status="archived")` overwrites every row',
        ),
        'Order.objects.all().update(status="archived")',
        'session.query(User).update({"active": False})',
        "from sqlalchemy import update\nsession.execute(update(User).values(active=False))",
        "User.update(active=False).execute()",
        "qs = Order.objects.all()\nqs.update(total=0)",
    ),
    clean=(
        'Order.objects.filter(pk=order_id).update(status="archived")',
        'session.query(User).filter(User.id == 1).update({"active": False})',
        "from sqlalchemy import update\nsession.execute(update(User).where(User.id == 1).values(active=False))",
        "User.update(active=False).where(User.id == 1).execute()",
        'settings.update({"debug": True})',
        "os.environ.update(env)",
        'Order.objects.exclude(status="paid").filter(created__lt=cutoff).update(status="expired")',
    ),
    check=check,
    escalates=True,
    keywords=("update",),
    precision="high",
    tags=("data-loss", "orm"),
)
