"""TF106 removed-destroy: a `removed` block that tells Terraform to destroy what it stops managing."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.frontends.terraform.hcl import Expr
from blastguard.frontends.terraform.stateful_types import is_stateful
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

    from blastguard.frontends.terraform.hcl import TerraformDocument


def check(document: TerraformDocument, *, stateful_types: Collection[str]) -> Iterator[Hit]:
    for block in document.blocks:
        if block.type != "removed":
            continue
        source = block.attributes.get("from")
        address = source.value.text if source and isinstance(source.value, Expr) else "the resource"
        destroys = [a for life in block.nested("lifecycle") if (a := life.attributes.get("destroy"))]
        if destroys and destroys[0].value is not True:
            continue  # destroy = false (or computed): Terraform forgets the object and leaves it standing
        resource_type = address.split(".")[0] if not address.startswith("module.") else ""
        severity = None if is_stateful(resource_type, stateful_types) else Severity.WARNING
        target = destroys[0] if destroys else None
        start, end = (target.start, target.end) if target else (block.start, block.head_end)
        why = "`lifecycle { destroy = true }`" if target else "no `lifecycle { destroy = false }`"
        yield Hit(
            start,
            end,
            f"The removed block for {address} has {why}, so the next apply destroys the real "
            "object, not only its entry in the state. Set `destroy = false` to stop managing it and keep it.",
            severity,
        )


RULE = Rule(
    id="TF106",
    name="removed-destroy",
    language="terraform",
    severity=Severity.ERROR,
    summary="A `removed` block destroys the object it stops managing.",
    rationale=(
        "Terraform 1.7's `removed` block takes a resource out of the configuration. With "
        "`lifecycle { destroy = true }` (or no lifecycle at all) the next apply deletes the real object; "
        "with `destroy = false` it only forgets it. On a database or bucket that is an error, elsewhere a "
        "warning."
    ),
    fix="Use `lifecycle { destroy = false }` to stop managing the object without deleting it.",
    flag=(
        Example(
            "removed {\n  from = aws_db_instance.legacy\n  lifecycle {\n    destroy = true\n  }\n}",
            flagged="destroy = true",
            severity=Severity.ERROR,
            message="The removed block for aws_db_instance.legacy has `lifecycle { destroy = true }`",
        ),
        "removed {\n  from = aws_s3_bucket.old_uploads\n}",
        "removed {\n  from = module.cache\n  lifecycle {\n    destroy = true\n  }\n}",
    ),
    clean=(
        "removed {\n  from = aws_db_instance.legacy\n  lifecycle {\n    destroy = false\n  }\n}",
        "moved {\n  from = aws_db_instance.old\n  to   = aws_db_instance.main\n}",
    ),
    check=check,
    options=("stateful-types",),
    escalates=True,
    precision="very-high",
    tags=("data-loss", "terraform"),
)
