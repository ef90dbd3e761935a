"""TF108 stateful-resource-removed: a change deletes the `resource` block of a data store.

A change-only rule: it compares a file's old and new configuration (see `blastguard.filters.changes`) and
never runs on a single document.
"""

from __future__ import annotations

import re

from blastguard.examples import Example
from blastguard.frontends.terraform.stateful_types import is_stateful
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.terraform._tf import address_of, covers, full_diff, head, resources

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

    from blastguard.filters.changes import Change


def _guarded(block) -> bool:
    """`lifecycle { prevent_destroy = true }`: deleting the block is the way around that guard."""
    return any(
        life.attributes.get("prevent_destroy") and life.attributes["prevent_destroy"].value is True
        for life in block.nested("lifecycle")
    )


def check_change(change: Change, *, stateful_types: Collection[str]) -> Iterator[Hit]:
    before, after = change.before, change.after
    gone = [
        (address, block)
        for address, block in resources(before).items()
        if (is_stateful(block.resource_type or "", stateful_types) or _guarded(block))
        and address not in resources(after)
    ]
    if not gone:
        return
    documents = [after, *change.siblings()]  # the block may have moved to another file of the module
    kept = {address for document in documents for address in resources(document)}
    moved = [address_of(b, "from") for d in documents for b in d.blocks if b.type == "moved"]
    # A `removed` block either keeps the object (destroy = false) or is TF106's finding.
    removed = [address_of(b, "from") for d in documents for b in d.blocks if b.type == "removed"]
    unparsed = " ".join(d.source.text for d in documents if d.problems)  # a sibling that did not parse
    for address, block in gone:
        if address in kept or any(covers(ref, address) for ref in moved + removed):
            continue
        if unparsed and re.search(r'\bresource\s+"?{}"?\s+"?{}"?'.format(*map(re.escape, block.labels)), unparsed):
            continue
        start, end = change.line_span(change.place_of(block.start, block.end))
        what = (
            "and the data in it"
            if is_stateful(block.resource_type or "", stateful_types)
            else "although it was marked `prevent_destroy = true`"
        )
        yield Hit(
            start,
            end,
            f"The block `{head(block, before)}` was deleted, so the next apply destroys "
            f"{address} {what}. To rename or move it, add a `moved` block; to stop "
            f"managing it and keep it, replace it with `removed {{ from = {address} "
            "lifecycle { destroy = false } }`.",
            identity=head(block, before),
        )


_DATABASE = """resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_db_instance" "orders" {
  identifier     = "orders"
  engine         = "postgres"
  instance_class = "db.t3.micro"
}
"""
_LOGS_ONLY = """resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
"""
_ROLE = """resource "aws_iam_role" "ci" {
  name = "ci"
}

resource "aws_dynamodb_table" "events" {
  name     = "events"
  hash_key = "id"
}
"""

RULE = Rule(
    id="TF108",
    name="stateful-resource-removed",
    language="terraform",
    example_language="diff",
    severity=Severity.ERROR,
    summary="A change deletes the `resource` block of a database, bucket, volume or other resource that holds data.",
    rationale=(
        "Terraform destroys what is no longer in the configuration: deleting the block of a database, "
        "bucket or volume (or renaming it, or changing its type) makes the next apply delete the real "
        "object and its data. Nothing in the new files shows it; only the difference does, so this rule "
        "runs on proposed changes (`blastguard check --diff`, `--staged`, `--diff-file`). A `moved` block "
        "for the address, the same address in another file of the module, or a `removed` block with "
        "`lifecycle { destroy = false }` keeps the object; a `removed` block that destroys is TF106's. "
        "Resource types that hold data are the built-in list plus the `stateful-types` setting; a block of "
        "any type that carried `lifecycle { prevent_destroy = true }` counts too, since deleting the block "
        "is the way around that guard. The finding is placed where the block was (the first line after "
        "the deletion), and a comment there cannot suppress it."
    ),
    fix="Add a `moved` block to rename it, or stop managing it with `removed { … lifecycle { destroy = false } }`.",
    flag=(
        Example(
            full_diff("main.tf", _DATABASE, _LOGS_ONLY),
            flagged='resource "aws_db_instance" "orders"',
            severity=Severity.ERROR,
            message='The block `resource "aws_db_instance" "orders"` was deleted',
        ),
        full_diff("main.tf", _ROLE, _ROLE.replace('"events"', '"audit_events"', 1)),
        full_diff(
            "main.tf",
            _ROLE.replace('"ci"\n}', '"ci"\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}'),
            _ROLE.split("\n\n", 1)[1],
        ),
        Example(
            full_diff("main.tf", 'resource "acme_ledger" "books" {\n  name = "books"\n}\n\n' + _LOGS_ONLY, _LOGS_ONLY),
            config={"stateful-types": ["acme_ledger"]},
            flagged='resource "acme_ledger" "books"',
            severity=Severity.ERROR,
            message="destroys acme_ledger.books and the data in it",
        ),
    ),
    clean=(
        full_diff(
            "main.tf",
            _DATABASE,
            _DATABASE.replace('"orders" {', '"main" {') + "\nmoved {\n"
            "  from = aws_db_instance.orders\n  to   = aws_db_instance.main\n}\n",
        ),
        full_diff(
            "main.tf",
            _DATABASE,
            _LOGS_ONLY + "\nremoved {\n  from = aws_db_instance.orders\n\n  lifecycle {\n    destroy = false\n  }\n}\n",
        ),
        full_diff("main.tf", _ROLE, _ROLE.split("\n\n")[1]),
        full_diff("main.tf", 'resource "acme_ledger" "books" {\n  name = "books"\n}\n\n' + _LOGS_ONLY, _LOGS_ONLY),
    ),
    check_change=check_change,
    options=("stateful-types",),
    escalates=True,
    precision="high",
    tags=("data-loss", "terraform"),
)
