"""TFP104 protection-disabled: an in-place update turns off what guards a resource against deletion."""

from __future__ import annotations

import json

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Rule
from blastguard.rules.tfplan._examples import change, plan
from blastguard.rules.tfplan._plan import hit

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.terraform.plan import PlanDocument
    from blastguard.rule import Hit


def _is(expected: bool):
    return lambda value: value is expected


def _count(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# attribute: (its safe value before, its unsafe value after, what follows)
_GUARDS = {
    "deletion_protection": (_is(True), _is(False), "it can be deleted"),
    "deletion_protection_enabled": (_is(True), _is(False), "it can be deleted"),
    "enable_deletion_protection": (_is(True), _is(False), "it can be deleted"),
    "enable_drop_protection": (_is(True), _is(False), "it can be dropped"),
    "disable_api_termination": (_is(True), _is(False), "it can be terminated"),
    "skip_final_snapshot": (_is(False), _is(True), "deleting it takes no final snapshot"),
    "force_destroy": (_is(False), _is(True), "deleting it also deletes everything in it"),
    "delete_automated_backups": (_is(False), _is(True), "deleting it also deletes its automated backups"),
    "backup_retention_period": (
        lambda v: _count(v) and v > 0,
        lambda v: _count(v) and v == 0,
        "automated backups stop and the existing ones are deleted",
    ),
}


def check(document: PlanDocument) -> Iterator[Hit]:
    for item in document.changes:
        if item.action != "update":
            continue
        weakened = [
            f"{name} goes from {json.dumps(item.before[name])} to {json.dumps(item.after[name])}, so {consequence}"
            for name, (safe, unsafe, consequence) in _GUARDS.items()
            if safe(item.before.get(name)) and unsafe(item.after.get(name))
        ]
        if weakened:
            yield hit(
                item,
                f"The plan turns off protection on {item.label} in place: {'; '.join(weakened)}. "
                "Nothing is deleted by this apply, but the next delete meets no guard. Keep the protection, "
                "or turn it off in its own reviewed change right before a planned delete.",
            )


RULE = Rule(
    id="TFP104",
    name="protection-disabled",
    language="terraform-plan",
    severity=Severity.WARNING,
    summary="An in-place update turns off deletion protection, final snapshots, backups or a non-empty bucket's guard.",
    rationale=(
        "Destroying a protected database takes two steps: turn the protection off, then delete. The first "
        "step looks like a harmless update (`~`) in `terraform plan`. This flags `deletion_protection`, "
        "`deletion_protection_enabled`, `enable_deletion_protection`, `enable_drop_protection` and "
        "`disable_api_termination` going from true to false, `skip_final_snapshot`, `force_destroy` and "
        "`delete_automated_backups` going from false to true, and `backup_retention_period` going to 0, "
        "which also deletes the existing automated backups. (`prevent_destroy` never appears in a plan.)"
    ),
    fix="Keep the protection on; when a delete is really planned, turn it off in its own reviewed change.",
    flag=(
        Example(
            plan(
                change(
                    "aws_db_instance.orders",
                    ["update"],
                    before={"identifier": "orders", "deletion_protection": True},
                    after={"identifier": "orders", "deletion_protection": False},
                )
            ),
            flagged='"aws_db_instance.orders"',
            severity=Severity.WARNING,
            message="The plan turns off protection on aws_db_instance.orders in place",
        ),
        plan(
            change(
                "aws_s3_bucket.assets",
                ["update"],
                before={"bucket": "acme-assets", "force_destroy": False},
                after={"bucket": "acme-assets", "force_destroy": True},
            )
        ),
        plan(
            change(
                "aws_db_instance.orders",
                ["update"],
                before={"backup_retention_period": 7},
                after={"backup_retention_period": 0},
            )
        ),
    ),
    clean=(
        plan(
            change(
                "aws_instance.web",
                ["update"],
                before={"disable_api_termination": False},
                after={"disable_api_termination": False},
            )
        ),
        plan(
            change(
                "aws_db_instance.orders",
                ["update"],
                before={"deletion_protection": False},
                after={"deletion_protection": True},
            )
        ),
        plan(
            change(
                "aws_db_instance.orders", ["create"], after={"deletion_protection": False, "skip_final_snapshot": True}
            )
        ),
    ),
    check=check,
    escalates=True,
    precision="very-high",
    tags=("data-loss",),
)
