"""What a Terraform, OpenTofu or Terragrunt command does, as SH101 and SH102 read it.

Options count wherever Terraform takes them from: the command line (one dash or two, `-name=value`
or `-name value`) and the TF_CLI_ARGS / TF_CLI_ARGS_<subcommand> variables, which Terraform inserts
after the subcommand. Terragrunt's `run-all X`, `run --all X` and `X --all` run X in every module.
"""

from __future__ import annotations

import shlex

from blastguard.frontends.shell.production import TERRAFORM
from blastguard.frontends.shell.program_options import TERRAFORM_ARGUMENTS, Argv, parse
from blastguard.frontends.shell.unwrapped_commands import Command
from blastguard.frontends.shell.word_values import Word
from blastguard.records import Record, record

_FALSE = frozenset({"false", "0", "f"})


@record(frozen=True)
class TerraformCall(Record):
    tool: str
    subcommand: str
    argv: Argv  # the subcommand's own arguments
    injected: list[tuple[str, str]]  # (variable, option) added by TF_CLI_ARGS*
    every_module: bool  # terragrunt run-all / --all

    def flag(self, name: str) -> bool:
        """A boolean option given and not turned off (`-auto-approve`, `--auto-approve=true`)."""
        return self.source_of(name) is not None

    def source_of(self, name: str) -> str | None:
        """Where a boolean option comes from: "" for the command line, `TF_CLI_ARGS…` for the environment."""
        for option in self.argv.options:
            if option.name.lstrip("-") == name and (option.value is None or option.value.value.lower() not in _FALSE):
                return ""
        for variable, text in self.injected:
            given, _, value = text.lstrip("-").partition("=")
            if given == name and value.lower() not in _FALSE:
                return variable
        return None

    def values(self, name: str) -> list[Word]:
        return [o.value for o in self.argv.options if o.name.lstrip("-") == name and o.value is not None]

    @property
    def shown(self) -> str:
        return f"{self.tool} {self.subcommand}"


def terraform_call(command: Command) -> TerraformCall | None:
    if command.program not in TERRAFORM or not command.args:
        return None
    args, every_module = command.args, False
    if args[0].value == "run-all":
        args, every_module = args[1:], True
    elif args[0].value == "run":
        args = [w for w in args[1:] if w.value != "--"]
    argv = parse(args, TERRAFORM_ARGUMENTS)[0]
    every_module = every_module or argv.has("--all", "-all")
    if not argv.positionals:
        return None
    subcommand = argv.positionals[0].value
    argv = parse(args[args.index(argv.positionals[0]) + 1 :], TERRAFORM_ARGUMENTS)[0]
    injected = []
    for variable in ("TF_CLI_ARGS", f"TF_CLI_ARGS_{subcommand}"):
        try:
            injected += [(variable, part) for part in shlex.split(command.env.get(variable, ""))]
        except ValueError:  # an unbalanced quote: Terraform would not run either
            continue
    return TerraformCall(command.program, subcommand, argv, injected, every_module)
