"""TF104 destroy-amplifier: a setting that makes a destroy delete the contents too, or at once."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Rule
from blastguard.rules.terraform._tf import describe, hit, literal_is, owner_of

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.terraform.hcl import TerraformDocument
    from blastguard.rule import Hit

# (attribute, value that amplifies) -> (resource types where it destroys data outright, what it does)
_AMPLIFIERS = {
    ("force_destroy", True): (
        {"aws_s3_bucket", "google_storage_bucket"},
        "deletes every object in it when the bucket is destroyed, instead of refusing while it is not empty",
    ),
    ("force_delete", True): ({"aws_ecr_repository"}, "deletes every image in it when the repository is destroyed"),
    ("delete_contents_on_destroy", True): (
        {"google_bigquery_dataset"},
        "deletes every table in it when the dataset is destroyed",
    ),
    ("recovery_window_in_days", 0): (
        {"aws_secretsmanager_secret"},
        "deletes the secret at once, with no window in which it can be restored",
    ),
    ("prevent_deletion_if_contains_resources", False): (
        set(),
        "lets azurerm delete a resource group that still holds resources, and them with it",
    ),
}


def check(document: TerraformDocument) -> Iterator[Hit]:
    for (name, value), (data_types, effect) in _AMPLIFIERS.items():
        for block, attribute in document.settings(name):
            if not literal_is(attribute.value, value):
                continue
            owner = owner_of(block)
            outright = owner is None or owner.resource_type in data_types
            severity = None if outright else Severity.WARNING
            yield hit(
                attribute,
                f"`{name} = {str(value).lower()}` on {describe(block)} {effect}. "
                "Remove it, and empty or delete the contents deliberately when you mean to.",
                severity,
            )


RULE = Rule(
    id="TF104",
    name="destroy-amplifier",
    language="terraform",
    severity=Severity.ERROR,
    summary="A setting makes destroying a resource also delete everything in it, or at once.",
    rationale=(
        "Without these settings the provider refuses to delete a non-empty bucket, registry or dataset, "
        "or keeps a deleted secret restorable: a last line of defence when a destroy was a mistake. "
        "`force_destroy = true` on S3 and GCS buckets, `delete_contents_on_destroy` on BigQuery datasets "
        "and `recovery_window_in_days = 0` on secrets are errors; the same flags on Route 53 zones, IAM "
        "users, ECR repositories or module inputs, and azurerm's "
        "`prevent_deletion_if_contains_resources = false`, are warnings. A variable's default, a "
        "`.tfvars` value, a literal local or a module call's argument that sets them is reported where it "
        "is written."
    ),
    fix="Remove the flag; empty or delete the contents deliberately when you mean to.",
    flag=(
        Example(
            'resource "aws_s3_bucket" "uploads" {\n  bucket        = "acme-uploads"\n  force_destroy = true\n}',
            flagged="force_destroy = true",
            severity=Severity.ERROR,
            message="`force_destroy = true` on aws_s3_bucket.uploads deletes every object in it",
        ),
        'resource "google_bigquery_dataset" "analytics" {\n  delete_contents_on_destroy = true\n}',
        'resource "aws_secretsmanager_secret" "db" {\n  recovery_window_in_days = 0\n}',
        'resource "aws_route53_zone" "main" {\n  force_destroy = true\n}',
        'provider "azurerm" {\n  features {\n    resource_group {\n'
        "      prevent_deletion_if_contains_resources = false\n    }\n  }\n}",
        Example(
            'variable "force_destroy" {\n  default = true\n}\nresource "aws_s3_bucket" "uploads" {\n'
            "  force_destroy = var.force_destroy\n}",
            flagged="default = true",
            severity=Severity.ERROR,
            message="The value is the default of variable `force_destroy`",
        ),
    ),
    clean=(
        'resource "aws_s3_bucket" "uploads" {\n  force_destroy = false\n}',
        'resource "aws_s3_bucket" "logs" {\n  force_destroy = var.environment == "dev"\n}',
        'resource "aws_secretsmanager_secret" "db" {\n  recovery_window_in_days = 7\n}',
        'variable "force_destroy" {\n  default = false\n}\nresource "aws_s3_bucket" "uploads" {\n'
        "  force_destroy = var.force_destroy\n}",
    ),
    check=check,
    escalates=True,
    precision="very-high",
    tags=("data-loss", "terraform"),
)
