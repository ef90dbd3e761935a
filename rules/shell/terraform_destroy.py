"""SH101 terraform-destroy: a Terraform, OpenTofu, Terragrunt or Pulumi destroy that does not ask first."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.frontends.shell.program_options import parse
from blastguard.model import Severity
from blastguard.rule import Hit, Rule
from blastguard.rules.shell._terraform import TerraformCall, terraform_call

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.shell.frontend import ShellDocument
    from blastguard.frontends.shell.unwrapped_commands import Command

_FIX = "Run `terraform plan -destroy`, review what it removes, then destroy interactively or apply the reviewed plan."


def check(command: Command, document: ShellDocument) -> Iterator[Hit]:
    call = terraform_call(command)
    if call is not None:
        reason = _unprompted_destroy(call) or _saved_destroy_plan(call, document.earlier(command, command.program))
        if reason:
            fix = _FIX.replace("terraform", call.tool if call.tool != "terragrunt" else "terragrunt run-all")
            yield Hit(command.start, command.end, f"{reason} {fix}")
    elif command.program == "pulumi" and command.subcommand in ("destroy", "down"):
        argv = parse(command.args[1:])[0]
        skips = command.env.get("PULUMI_SKIP_CONFIRMATIONS", "").lower() in ("true", "1")
        if argv.has("-y", "--yes") or skips:
            yield Hit(
                command.start,
                command.end,
                "`pulumi destroy --yes` deletes every resource of the stack "
                "without asking for confirmation. Review `pulumi preview --destroy` first and confirm "
                "interactively.",
            )


def _unprompted_destroy(call: TerraformCall) -> str | None:
    destroys = call.subcommand == "destroy" or (call.subcommand == "apply" and call.flag("destroy"))
    if not destroys:
        return None
    shown = f"{call.tool} destroy" if call.subcommand == "destroy" else f"{call.tool} apply -destroy"
    if call.every_module:
        return (
            f"`{shown}` in every module of the stack (run-all / --all) deletes all their resources, and "
            "Terragrunt approves each module's destroy itself."
        )
    source = call.source_of("auto-approve")
    if source is None:
        return None
    where = f" (auto-approval comes from {source})" if source else ""
    return f"`{shown} -auto-approve` deletes every resource in the state without asking for confirmation{where}."


def _saved_destroy_plan(call: TerraformCall, earlier) -> str | None:
    """`terraform plan -destroy -out=x` then `terraform apply x`: a saved plan applies without a prompt."""
    if call.subcommand != "apply" or not call.argv.positionals:
        return None
    plan_file = call.argv.positionals[0].value
    for before in earlier:
        planned = terraform_call(before)
        if planned and planned.subcommand == "plan" and planned.flag("destroy"):
            if plan_file in [w.value for w in planned.values("out")]:
                return (
                    f"`{call.tool} apply {plan_file}` applies a saved destroy plan (made with `plan -destroy`), "
                    "which deletes its resources without asking for confirmation."
                )
    return None


RULE = Rule(
    id="SH101",
    name="terraform-destroy",
    language="shell",
    severity=Severity.ERROR,
    summary="A Terraform, OpenTofu, Terragrunt or Pulumi destroy that runs without asking for confirmation.",
    rationale=(
        "`terraform destroy -auto-approve` (and `apply -destroy -auto-approve`, `tofu destroy`, Terragrunt's "
        "`run-all destroy`, `pulumi destroy --yes`) deletes every resource the state tracks, databases and "
        "buckets included, with no prompt to stop it. Auto-approval is found wherever Terraform takes it from: "
        "the command line, TF_CLI_ARGS and TF_CLI_ARGS_destroy / TF_CLI_ARGS_apply in a leading assignment, an "
        "earlier `export` or the host's environment, and a destroy plan saved earlier and applied by file. "
        "Wrappers (`sudo`, `env`, `bash -c`, `eval`) and global options (`-chdir=`) do not hide it. A destroy "
        "that still prompts, `plan -destroy`, and an `echo` of the command are not findings."
    ),
    fix=_FIX,
    flag=(
        Example(
            "terraform destroy -auto-approve",
            flagged="terraform destroy -auto-approve",
            severity=Severity.ERROR,
            message="`terraform destroy -auto-approve` deletes every resource in the state",
        ),
        "for dir in infra/*; do terraform -chdir=$dir destroy -auto-approve; done",
        "sudo env -i TF_LOG=1 terraform -chdir=infra destroy -auto-approve",
        'bash -c "terraform destroy -auto-approve"',
        "eval 'tofu destroy -auto-approve'",
        "TF_CLI_ARGS_destroy=-auto-approve terraform destroy",
        "export TF_CLI_ARGS=-auto-approve\nterraform destroy",
        "terraform apply -destroy --auto-approve -target=aws_db_instance.main",
        "terragrunt run-all destroy",
        "terragrunt run --all -- destroy",
        "terraform plan -destroy -out=teardown.plan && terraform apply teardown.plan",
        "timeout 600 nohup terraform destroy -auto-approve=true > log 2>&1 &",
        "pulumi destroy --yes --stack dev",
        "alias tfd='terraform destroy -auto-approve'; tfd",
        "trap 'terraform destroy -auto-approve' EXIT",
        'teardown() { terraform -chdir="$1" destroy -auto-approve; }; teardown infra',
        "{terraform,destroy,-auto-approve}",
    ),
    clean=(
        'echo "terraform destroy -auto-approve"',
        "terraform plan -destroy",
        "terraform destroy",
        "terraform destroy -auto-approve=false",
        "terraform apply -auto-approve",
        "git commit -m 'terraform destroy -auto-approve'",
        "# terraform destroy -auto-approve",
        "grep -r 'destroy -auto-approve' docs/",
        "pulumi destroy",
        "alias tfp='terraform plan'; tfp",
        "for d in infra/*; do terraform -chdir=$d plan; done",
    ),
    check=check,
    escalates=True,
    keywords=("terraform", "tofu", "terragrunt", "pulumi"),
    precision="very-high",
    tags=("infrastructure", "data-loss"),
)
