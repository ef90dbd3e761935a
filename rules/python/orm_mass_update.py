"""PY102 orm-mass-update: an ORM update that no filter limits overwrites every row of its table."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.python._orm import chain, mass_operation

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.python.calls import Call
    from blastguard.frontends.python.frontend import PythonDocument

# A Django migration that adds `Product.sku`, then runs `forwards`; `{fill}` is the update it makes.
_MIGRATION = (
    "from django.db import migrations, models\n\n"
    "def forwards(apps, schema_editor):\n"
    '    Product = apps.get_model("shop", "Product")\n'
    "    {fill}\n\n"
    "class Migration(migrations.Migration):\n"
    "    operations = [\n"
    '        migrations.AddField(model_name="product", name="sku", field=models.CharField(max_length=20)),\n'
    "        migrations.RunPython(forwards, migrations.RunPython.noop),\n"
    "    ]\n"
)
# An Alembic migration that adds `connection.is_encrypted`, then runs `{fill}`.
_ALEMBIC = (
    "import sqlalchemy as sa\nfrom alembic import op\n\n"
    'connection = sa.table("connection", sa.column("is_encrypted"), sa.column("port"))\n\n'
    "def upgrade():\n"
    '    op.add_column("connection", sa.Column("is_encrypted", sa.Boolean, default=False))\n'
    "    op.execute({fill})\n"
)
_FIX = "Filter the query to the rows you mean (`.filter(...)`, `.where(...)`) and count them first."


def check(call: Call, document: PythonDocument) -> Iterator[Hit]:
    kind = mass_operation(call, document, "update")
    if kind and not (
        (kind == "Django queryset" and _fills_added_columns(call, document))
        or (kind != "Django queryset" and _alembic_fills_added_columns(call, document))
    ):
        yield Hit(
            *call.span(),
            f"`{call.code()}` overwrites every row: nothing filters this {kind}, and the old "
            f"values cannot be recovered. {_FIX}",
        )


def _fills_added_columns(call: Call, document: PythonDocument) -> bool:
    """A Django data migration's `RunPython` function setting only columns that the same migration's
    operations add (`AddField`) before that step: the rows held nothing there to lose."""
    function = call.scope.outermost_function()  # the one a step can name
    added = document.migration.added_columns(function.name) if function is not None else set()
    fields = [arg.keyword.value.lower() for arg in call.node.args if arg.keyword is not None]
    if not added or not fields or len(fields) != len(call.node.args):  # `update(**values)`: unknown columns
        return False
    model = _django_model(chain(call.node, call, document), call, document)
    # A foreign key `content_type` is set as `content_type` or through its column, `content_type_id`.
    return model is not None and all(
        (model, field) in added or (model, field.removesuffix("_id")) in added for field in fields
    )


def _alembic_fills_added_columns(call: Call, document: PythonDocument) -> bool:
    """An Alembic migration setting, on a table it names (`sa.table("dag", …).update().values(x=…)`),
    only columns that `add_column` added earlier in the same function: they held nothing but NULL or
    their default."""
    if "alembic" not in document.model.imported_modules:
        return False
    links = chain(call.argument(0, "statement") or call.node, call, document)
    tables = [link.call for link in links if link.name in ("table", "Table") and link.call is not None]
    values = [link.call for link in links if link.name == "values" and link.call is not None]
    if len(tables) != 1 or len(values) != 1 or not tables[0].args:
        return False
    name = document.string(tables[0].args[0].value, call)
    fields = [arg.keyword.value.lower() for arg in values[0].args if arg.keyword is not None]
    if name is None or not name.literal or not fields or len(fields) != len(values[0].args):
        return False
    added = document.alembic.columns_added_before(call)
    return all((name.text.lower(), field) in added for field in fields)


def _django_model(links, call: Call, document: PythonDocument) -> str | None:
    """The model, lower case, of `apps.get_model("shop", "Product").objects…` (or `"shop.Product"`,
    `model_name="Product"`; also through a name bound to it) or `Product.objects…`."""
    for link in links:
        if link.name == "get_model" and link.call is not None:
            named = [a.value for a in link.call.args if a.keyword is not None and a.keyword.value == "model_name"]
            name = (named or [a.value for a in link.call.args if a.keyword is None] or [None])[-1]
            value = document.string(name, call) if name is not None else None
            return value.text.rsplit(".", 1)[-1].lower() if value is not None and value.literal else None
    return links[0].name.lower() if links and links[0].call is None else None


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
        "findings. Nor is a Django data migration filling a column it has just created: an update inside "
        "the function a `RunPython` step runs, on a model (`apps.get_model(…)` or the class) whose every "
        "updated field is added by an `AddField` earlier in the same operations (not as a state operation) "
        "overwrites nothing. Nor is one run by a `RunPython` step (forwards or in reverse) on columns that one of "
        "the three migrations numbered just before it in the app's folder added with `null=True` or a "
        "`default`: the backfill of a column added in the same release, or its undoing. An update of any "
        "other column is reported. In an Alembic migration, likewise, an update of a table named by "
        "`sa.table(…)`/`sa.Table(…)` whose every set column an `add_column` earlier in the same function "
        "added is not reported."
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
        # A data migration rewriting a column that existed before it.
        Example(
            _MIGRATION.format(fill='Product.objects.update(sku="", price=0)'),
            flagged='Product.objects.update(sku="", price=0)',
            message="overwrites every row",
        ),
        _MIGRATION.format(fill="Product.objects.update(price=0)"),
        # An Alembic migration setting a column that it did not add.
        _ALEMBIC.format(fill="connection.update().values(is_encrypted=False, port=0)"),
        _ALEMBIC.format(fill='sa.table("other", sa.column("is_encrypted")).update().values(is_encrypted=False)'),
    ),
    clean=(
        'Order.objects.filter(pk=order_id).update(status="archived")',
        'session.query(User).filter(User.id == 1).update({"active": False})',
        "from sqlalchemy import update\nsession.execute(update(User).where(User.id == 1).values(active=False))",
        "User.update(active=False).where(User.id == 1).execute()",
        'settings.update({"debug": True})',
        "os.environ.update(env)",
        'Order.objects.exclude(status="paid").filter(created__lt=cutoff).update(status="expired")',
        # A data migration filling the column its AddField just created.
        _MIGRATION.format(fill='Product.objects.update(sku="")'),
        _MIGRATION.format(fill='apps.get_model("shop", "Product").objects.all().update(sku=F("name"))'),
        # An Alembic migration filling the column its add_column just created.
        _ALEMBIC.format(fill="connection.update().values(is_encrypted=False)"),
    ),
    check=check,
    escalates=True,
    keywords=("update",),
    precision="high",
    tags=("data-loss", "orm"),
)
