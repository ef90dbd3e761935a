"""Reading a program's arguments: options (with their values) apart from positional arguments.

Which options take a value is per program, so `kubectl -n prod delete ns x` and
`git -C repo push -f` read right. Tables here cover the options that come before a subcommand
(`GLOBAL_OPTIONS`); rules keep the tables for the subcommands they judge.
"""

from __future__ import annotations

from blastguard.frontends.shell.word_values import Word
from blastguard.records import Record, factory, record


@record(frozen=True)
class Option(Record):
    name: str  # as written, without an attached value: "--context", "-n", "-chdir", "-f"
    value: Word | None  # None for a flag
    word: Word  # the word the option is written in


@record(frozen=True)
class Argv(Record):
    options: list[Option] = factory(list)  # filled in by `parse`
    positionals: list[Word] = factory(list)

    def has(self, *names: str) -> bool:
        return any(o.name in names for o in self.options)

    def value(self, *names: str) -> Word | None:
        """The value of the last of the options `names` given (options repeat: the last one wins)."""
        found = [o.value for o in self.options if o.name in names and o.value is not None]
        return found[-1] if found else None

    def values(self, *names: str) -> list[Word]:
        return [o.value for o in self.options if o.name in names and o.value is not None]


@record(frozen=True)
class Syntax(Record):
    """How a program spells options: which take a value, and whether `-rf` means `-r -f`."""

    takes_value: frozenset[str] = frozenset()
    clusters: bool = True  # False where one dash starts a long option (`terraform -auto-approve`)
    attached_only: frozenset[str] = frozenset()  # a value only when attached: mysql's `-psecret`


PLAIN = Syntax()  # no option takes a value


def parse(words: list[Word], syntax: Syntax = PLAIN, stop_at_positional: bool = False) -> tuple[Argv, list[Word]]:
    """Split `words` into options and positionals.

    With `stop_at_positional`, reading stops at the first positional (a subcommand), and the words
    from there on come back as the rest; otherwise the rest is empty. After `--` everything is positional.
    """
    argv = Argv()
    index = 0
    while index < len(words):
        word = words[index]
        text = word.value
        if text == "--":
            if stop_at_positional:
                return argv, words[index + 1 :]
            argv.positionals.extend(words[index + 1 :])
            break
        if not _is_option(word):
            if stop_at_positional:
                return argv, words[index:]
            argv.positionals.append(word)
            index += 1
            continue
        index = _option(words, index, syntax, argv)
    return argv, []


def _is_option(word: Word) -> bool:
    """`-x`, `--name`, and `-name=$VALUE`: a literal option name counts even when its value is not known."""
    text = word.value
    if not text.startswith("-") or text == "-":
        return False
    return word.literal or ("=" in text and not any(c in text.partition("=")[0] for c in "$`"))


def _option(words: list[Word], index: int, syntax: Syntax, argv: Argv) -> int:
    """Read the option at `words[index]` into `argv`; return the index of the next word."""
    word = words[index]
    text = word.value
    following = words[index + 1] if index + 1 < len(words) else None
    if "=" in text and (text.startswith("--") or not syntax.clusters):
        name, _, _ = text.partition("=")
        argv.options.append(Option(name, word.slice(len(name) + 1), word))
        return index + 1
    if text.startswith("--") or not syntax.clusters:
        if text in syntax.takes_value and following is not None:
            argv.options.append(Option(text, following, word))
            return index + 2
        argv.options.append(Option(text, None, word))
        return index + 1
    for position in range(1, len(text)):  # a cluster: `-rf`, `-fdx`, `-hprod-db`, `-n5`
        name = "-" + text[position]
        if name in syntax.attached_only:
            value = word.slice(position + 1) if position + 1 < len(text) else None
            argv.options.append(Option(name, value, word))
            return index + 1
        if name in syntax.takes_value:
            if position + 1 < len(text):
                argv.options.append(Option(name, word.slice(position + 1), word))
                return index + 1
            argv.options.append(Option(name, following, word))
            return index + 2 if following is not None else index + 1
        argv.options.append(Option(name, None, word))
    return index + 1


def options(*names: str) -> frozenset[str]:
    return frozenset(names)


# Options a program takes before its subcommand, and whether they take a value.
_TERRAFORM = Syntax(options("-chdir"), clusters=False)
_TERRAGRUNT = Syntax(
    options(
        "--terragrunt-working-dir",
        "--terragrunt-config",
        "--working-dir",
        "--config",
        "--terragrunt-log-level",
        "--log-level",
        "--terragrunt-iam-role",
        "--iam-assume-role",
        "--terragrunt-tfpath",
        "--tf-path",
        "--terragrunt-source",
        "--source",
    ),
    clusters=False,
)
_KUBECTL = Syntax(
    options(
        "--context",
        "--cluster",
        "--user",
        "-n",
        "--namespace",
        "--kubeconfig",
        "-s",
        "--server",
        "--token",
        "--as",
        "--as-group",
        "--as-uid",
        "--request-timeout",
        "--certificate-authority",
        "--client-certificate",
        "--client-key",
        "--tls-server-name",
        "--cache-dir",
        "-v",
        "--v",
        "--password",
        "--username",
        "--profile",
        "--profile-output",
        "-l",
        "--selector",
        "-o",
        "--output",
        "-f",
        "--filename",
        "--field-selector",
        "-c",
        "--container",
        "--grace-period",
        "--timeout",
    )
)
# Terraform's subcommand options (Go flags: `-name value`, `-name=value`, one dash or two).
TERRAFORM_ARGUMENTS = Syntax(
    options(
        "-var-file",
        "-var",
        "-target",
        "-replace",
        "-state",
        "-state-out",
        "-backup",
        "-out",
        "-lock-timeout",
        "-parallelism",
        "-backend-config",
        "-chdir",
        "--var-file",
        "--var",
        "--target",
        "--replace",
    ),
    clusters=False,
)
GLOBAL_OPTIONS: dict[str, Syntax] = {
    "terraform": _TERRAFORM,
    "tofu": _TERRAFORM,
    "terragrunt": _TERRAGRUNT,
    "git": Syntax(
        options(
            "-C",
            "-c",
            "--git-dir",
            "--work-tree",
            "--namespace",
            "--config-env",
            "--super-prefix",
            "--exec-path",
            "--list-cmds",
        ),
        clusters=False,
    ),
    "kubectl": _KUBECTL,
    "oc": _KUBECTL,
    "helm": Syntax(
        options(
            "--kube-context",
            "-n",
            "--namespace",
            "--kubeconfig",
            "--kube-apiserver",
            "--kube-token",
            "--registry-config",
            "--repository-cache",
            "--repository-config",
            "--burst-limit",
        )
    ),
    "aws": Syntax(
        options(
            "--profile",
            "--region",
            "--endpoint-url",
            "--output",
            "--query",
            "--color",
            "--ca-bundle",
            "--cli-read-timeout",
            "--cli-connect-timeout",
            "--cli-binary-format",
        ),
        clusters=False,
    ),
    "gcloud": Syntax(
        options(
            "--project",
            "--account",
            "--configuration",
            "--billing-project",
            "--verbosity",
            "--impersonate-service-account",
            "--format",
            "--flags-file",
            "--flatten",
            "--trace-token",
        ),
        clusters=False,
    ),
    "gsutil": Syntax(options("-o", "-h", "-u", "-i")),
    "bq": Syntax(
        options("--project_id", "--location", "--format", "--dataset_id", "--api", "--apilog"), clusters=False
    ),
    "az": Syntax(options("--subscription", "--output", "-o", "--query"), clusters=False),
    "docker": Syntax(
        options(
            "-H", "--host", "--context", "-c", "--config", "-l", "--log-level", "--tlscacert", "--tlscert", "--tlskey"
        )
    ),
    "pulumi": Syntax(
        options("-C", "--cwd", "--color", "--config-file", "-v", "--verbose", "--logflow"), clusters=False
    ),
    "doctl": Syntax(
        options("-t", "--access-token", "--context", "-c", "--config", "-o", "--output", "--format", "-u", "--api-url")
    ),
    "argocd": Syntax(
        options(
            "--server",
            "--auth-token",
            "--config",
            "--argocd-context",
            "--kube-context",
            "--grpc-web-root-path",
            "-H",
            "--header",
            "--logformat",
            "--loglevel",
            "--port-forward-namespace",
            "--client-crt",
            "--client-crt-key",
            "--server-crt",
            "--http-retry-max",
        )
    ),
    "eksctl": Syntax(options("-p", "--profile", "-r", "--region", "-n", "--name", "-f", "--config-file")),
}
