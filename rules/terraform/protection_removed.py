"""TF109 protection-removed: a change takes `prevent_destroy` or deletion protection off a resource.

A change-only rule: it compares a file's old and new configuration (see `blastguard.filters.changes`) and
never runs on a single document.
"""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.frontends.terraform.hcl import Attribute, Block, Expr
from blastguard.frontends.terraform.stateful_types import is_stateful
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.terraform._tf import address_of, full_diff, holds_data, literal_is

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

    from blastguard.filters.changes import Change

# Settings that make the provider refuse to delete: name -> the value that protects.
_SWITCHES = {
    "deletion_protection": True,  # RDS, Aurora, DocDB, Neptune, Cloud SQL, GKE, BigQuery, Spanner, Bigtable
    "deletion_protection_enabled": True,  # DynamoDB
    "enable_deletion_protection": True,  # load balancers
    "enable_drop_protection": True,  # Spanner databases
    "disable_api_termination": True,  # EC2 instances
}
# Set to false these are TF101's findings already (TF105's for `prevent_destroy` on data stores).
_REPORTED_WHEN_FALSE = frozenset(
    {"deletion_protection", "deletion_protection_enabled", "enable_deletion_protection", "disable_api_termination"}
)
# Google resources whose `deletion_protection` is on unless set: deleting the line keeps it on.
_PROTECTED_BY_DEFAULT = frozenset(
    {
        "google_sql_database_instance",
        "google_bigquery_table",
        "google_container_cluster",
        "google_spanner_database",
        "google_bigtable_instance",
    }
)


def _prevent_destroy(block: Block):
    for lifecycle in block.nested("lifecycle"):
        if "prevent_destroy" in lifecycle.attributes:
            return lifecycle.attributes["prevent_destroy"].value
    return None


def _protections(block: Block, reads: dict) -> set[str]:
    on = {
        name
        for name, value in _SWITCHES.items()
        if name in block.attributes
        and all(literal_is(v, value) for v in _values(block.attributes[name], reads))
        and _values(block.attributes[name], reads)
    }
    if _prevent_destroy(block) is True:
        on.add("prevent_destroy")
    return on


def _values(attribute: Attribute, reads: dict) -> list:
    """The literal values a setting has: as written, or those the module gives the reference it holds."""
    if not isinstance(attribute.value, Expr):
        return [attribute.value]
    return [value for value, _ in reads.get(attribute.start, ())]


def _lost(name: str, block: Block, stateful_types: Collection[str], reads: dict) -> str | None:
    """How the new block lost protection `name` (it had it before), or None when it did not, or when
    another rule already reports how."""
    value = (
        _prevent_destroy(block)
        if name == "prevent_destroy"
        else (block.attributes[name].value if name in block.attributes else None)
    )
    if name == "prevent_destroy":
        if value is None:
            return "`lifecycle { prevent_destroy = true }` was removed"
        if value is False and not (block.resource_type and is_stateful(block.resource_type, stateful_types)):
            return "`prevent_destroy` was set to false"
        return None  # false on a data store is TF105's; an expression may still be true
    if name not in block.attributes:
        if name == "deletion_protection" and block.resource_type in _PROTECTED_BY_DEFAULT:
            return None
        return f"`{name} = true` was removed"
    if value is False and name not in _REPORTED_WHEN_FALSE:
        return f"`{name}` was set to false"
    if isinstance(value, Expr):
        off = [where for read, where in reads.get(block.attributes[name].start, ()) if read is not True]
        if off:  # TF101 reports the value where it is written; the change that wires it in is this one
            return f"`{name}` now reads {off[0]}, which does not keep it on"
    return None


def check_change(change: Change, *, stateful_types: Collection[str]) -> Iterator[Hit]:
    before, after = change.before, change.after
    old = {b.address: b for b in before.blocks if b.type in ("resource", "module") and b.labels}
    renamed = {
        address_of(b, "to"): address_of(b, "from")
        for d in (after, *change.siblings())
        for b in d.blocks
        if b.type == "moved"
    }
    for block in after.blocks:
        if block.type not in ("resource", "module") or not block.labels:
            continue
        previous = old.get(block.address) or old.get(renamed.get(block.address, ""))
        if previous is None or previous.type != block.type:
            continue
        had, has = _protections(previous, before.reads), _protections(block, after.reads)
        if has - had:
            continue  # it gained a protection in exchange
        lost = [how for name in sorted(had - has) if (how := _lost(name, block, stateful_types, after.reads))]
        if not lost:
            continue
        prevent = any("prevent_destroy" in how for how in lost)
        data = " and its data" if block.type == "resource" and holds_data(block, stateful_types) else ""
        guard = (
            "a plan that destroys or replaces it no longer fails"
            if prevent
            else "the provider no longer refuses to delete it"
        )
        yield Hit(
            block.start,
            block.head_end,
            f"{block.address} loses its protection ({'; '.join(lost)}) and "
            f"gains none in exchange, so {guard}: the next destroy or replace takes it{data} without "
            "a second step. Keep the protection; remove it only in a reviewed change that deletes the "
            "resource on purpose.",
            None if prevent else Severity.WARNING,
        )


_GUARDED = """resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  deletion_protection = true

  lifecycle {
    prevent_destroy = true
  }
}
"""
_UNGUARDED = """resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  deletion_protection = true
}
"""
_WIRED = 'variable "protect" {\n  type    = bool\n  default = false\n}\n\n' + _UNGUARDED
_LB = 'resource "aws_lb" "api" {\n  name                       = "api"\n  enable_deletion_protection = true\n}\n'

RULE = Rule(
    id="TF109",
    name="protection-removed",
    language="terraform",
    example_language="diff",
    severity=Severity.ERROR,
    summary="A change takes `prevent_destroy` or deletion protection off a resource and puts no other guard in its place.",
    rationale=(
        "`lifecycle { prevent_destroy = true }` makes every plan that would destroy the resource fail, and "
        "`deletion_protection`, `deletion_protection_enabled`, `enable_deletion_protection`, "
        "`enable_drop_protection` and `disable_api_termination` make the provider refuse to delete it. "
        "Deleting such a line leaves nothing in the new file to flag, so this rule compares the old and the "
        "new configuration of a resource that keeps its address (or moves with a `moved` block): losing "
        "`prevent_destroy` is an error, losing a provider-side protection a warning, unless the change adds "
        "another protection in exchange. A guard that now reads a variable, local or map entry whose value is "
        "not `true` (`deletion_protection = var.protect`, `protect` defaulting to false) is lost too. A guard "
        "set to `false` is TF101's or TF105's finding, and removing "
        "`deletion_protection` from Google resources where it defaults to true loses nothing. It runs on "
        "proposed changes (`blastguard check --diff`, `--staged`, `--diff-file`)."
    ),
    fix="Keep the protection; remove it only in its own reviewed change, right before a planned delete.",
    flag=(
        Example(
            full_diff("main.tf", _GUARDED, _UNGUARDED),
            flagged='resource "aws_db_instance" "orders"',
            severity=Severity.ERROR,
            message="aws_db_instance.orders loses its protection",
        ),
        full_diff("main.tf", _LB, _LB.replace("  enable_deletion_protection = true\n", "")),
        full_diff(
            "main.tf",
            _GUARDED,
            _GUARDED.replace("orders", "main").replace("  lifecycle {\n    prevent_destroy = true\n  }\n", "")
            + "\nmoved {\n  from = aws_db_instance.orders\n  to   = aws_db_instance.main\n}\n",
        ),
        Example(
            full_diff(
                "main.tf", _WIRED, _WIRED.replace("deletion_protection = true", "deletion_protection = var.protect")
            ),
            flagged='resource "aws_db_instance" "orders"',
            message="`deletion_protection` now reads the default of variable `protect` (here line 3)",
        ),
    ),
    clean=(
        full_diff("main.tf", _UNGUARDED, _GUARDED),
        full_diff(
            "main.tf", _LB, _LB.replace("enable_deletion_protection = true", "enable_deletion_protection = false")
        ),
        full_diff(
            "main.tf",
            _LB.replace("aws_lb", "google_sql_database_instance").replace(
                "enable_deletion_protection", "deletion_protection        "
            ),
            _LB.replace("aws_lb", "google_sql_database_instance").replace("  enable_deletion_protection = true\n", ""),
        ),
        full_diff(
            "main.tf",
            _UNGUARDED,
            _UNGUARDED.replace("  deletion_protection = true\n", "\n  lifecycle {\n    prevent_destroy = true\n  }\n"),
        ),
        full_diff(
            "main.tf",
            _WIRED.replace("false", "true"),
            _WIRED.replace("false", "true").replace("deletion_protection = true", "deletion_protection = var.protect"),
        ),
    ),
    check_change=check_change,
    options=("stateful-types",),
    escalates=True,
    precision="high",
    tags=("data-loss", "terraform"),
)
