"""TF107 production-target: the configuration's backend, provider or defaults name production."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.terraform.hcl import TerraformDocument


def check(document: TerraformDocument) -> Iterator[Hit]:
    for attribute, evidence in document.production_sites:
        yield Hit(
            attribute.start,
            attribute.end,
            f"This configuration targets production ({evidence}). Destructive "
            "findings in it are raised one level, and commands that apply it are treated as production.",
        )


RULE = Rule(
    id="TF107",
    name="production-target",
    language="terraform",
    severity=Severity.NOTE,
    summary="The backend, a provider or a variable default names a production target.",
    rationale=(
        "Whether a destroy hurts depends on where it lands. Backend settings (bucket, key, prefix, "
        "workspace names, organization), provider identity (profile, assume_role ARN, GCP project, azurerm "
        "subscription) and variable defaults that hold a production name token (`prod`, `production`, "
        "`prd`, `live`; configurable with `production-names`) mark the module as production. Tokens are "
        "whole: `product-images` is not production, and descriptions are never evidence. In a `.tfvars` "
        "file the values it sets are read the same way, and a file named for production (`prod.tfvars`, "
        "`eu-prod.tfvars.json`) makes its own findings production without a note. This note never "
        "blocks on its own; it explains why other findings in the module were raised."
    ),
    fix="Nothing to fix: it is context for the other findings.",
    flag=(
        Example(
            'terraform {\n  backend "s3" {\n    bucket = "acme-prod-tfstate"\n    key    = "app.tfstate"\n  }\n}',
            flagged='bucket = "acme-prod-tfstate"',
            severity=Severity.NOTE,
            message='This configuration targets production (backend s3 bucket = "acme-prod-tfstate").',
        ),
        'provider "aws" {\n  profile = "production"\n}',
        'provider "google" {\n  project = "acme-prd-42"\n}',
        'variable "environment" {\n  default = "prod"\n}',
        Example(
            'terraform {\n  backend "s3" {\n    bucket = "acme-staging-tfstate"\n  }\n}',
            config={"production-names": ["staging"]},
            flagged='bucket = "acme-staging-tfstate"',
            severity=Severity.NOTE,
            message='(backend s3 bucket = "acme-staging-tfstate")',
        ),
    ),
    clean=(
        'terraform {\n  backend "s3" {\n    bucket = "acme-staging-tfstate"\n  }\n}',
        'resource "aws_s3_bucket" "images" {\n  bucket = "product-images"\n}',
        'variable "environment" {\n  description = "Use for production-grade stacks"\n  default     = "dev"\n}',
        Example(
            'terraform {\n  backend "s3" {\n    bucket = "acme-prod-tfstate"\n  }\n}',
            config={"production-names": ["staging"]},
        ),
    ),
    check=check,
    precision="high",
    tags=("context", "terraform"),
)
