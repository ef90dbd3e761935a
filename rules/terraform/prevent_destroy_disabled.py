"""TF105 prevent-destroy-disabled: `lifecycle { prevent_destroy = false }` on a resource that holds data."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Rule
from blastguard.rules.terraform._tf import describe, hit, holds_data

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

    from blastguard.frontends.terraform.hcl import TerraformDocument
    from blastguard.rule import Hit


def check(document: TerraformDocument, *, stateful_types: Collection[str]) -> Iterator[Hit]:
    for block, attribute in document.settings("prevent_destroy"):
        in_lifecycle = block is None or block.type == "lifecycle"
        if attribute.value is False and in_lifecycle and holds_data(block, stateful_types):
            yield hit(
                attribute,
                f"`prevent_destroy = false` on {describe(block)} lets a plan destroy it "
                "without an error: the guard is written out on purpose. Keep `prevent_destroy = true` on "
                "resources that hold data.",
            )


RULE = Rule(
    id="TF105",
    name="prevent-destroy-disabled",
    language="terraform",
    severity=Severity.WARNING,
    summary="A resource that holds data has its lifecycle guard written out as `prevent_destroy = false`.",
    rationale=(
        "`prevent_destroy = true` makes any plan that would destroy the resource fail. It defaults to "
        "false, so an explicit `false` on a database or bucket usually means someone (or an agent) turned "
        "the guard off to get a destroy or a replace through. A person should look."
    ),
    fix="Keep `lifecycle { prevent_destroy = true }` on resources that hold data.",
    flag=(
        Example(
            'resource "aws_db_instance" "main" {\n  lifecycle {\n    prevent_destroy = false\n  }\n}',
            flagged="prevent_destroy = false",
            severity=Severity.WARNING,
            message="`prevent_destroy = false` on aws_db_instance.main lets a plan destroy it",
        ),
        'resource "google_storage_bucket" "data" {\n  lifecycle {\n    prevent_destroy = false\n  }\n}',
    ),
    clean=(
        'resource "aws_db_instance" "main" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}',
        'resource "aws_iam_role" "ci" {\n  lifecycle {\n    prevent_destroy = false\n  }\n}',
        # Terraform refuses a variable in `lifecycle`: such a file never plans, so nothing is followed there.
        'variable "keep" {\n  default = false\n}\nresource "aws_db_instance" "main" {\n'
        "  lifecycle {\n    prevent_destroy = var.keep\n  }\n}",
    ),
    check=check,
    options=("stateful-types",),
    escalates=True,
    precision="high",
    tags=("data-loss", "terraform"),
)
