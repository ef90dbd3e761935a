"""Where rules and frontends live, loaded only when a language needs them.

Each language has a frontend class (parse a Source once into a Document) and a rule package under
`blastguard.rules.<language>`: every public module in it defines `RULE`, and the package's `run`
drives one rule over one document (`run_change` over one change, for a package with change rules).
Loading is lazy so a check that sees no SQL never imports sqlglot. `LANGUAGES` is the one list of
languages: adding a host (a Dockerfile) is a frontend module and an entry here.
"""

from __future__ import annotations

import importlib
import os
from functools import cache

from blastguard.records import Record, record
from blastguard.rule import Rule


@record(frozen=True)
class Language(Record):
    """What blastguard knows of a language: where its frontend and rules are, and which files are
    written in it (by extension, by exact file name, or by a pattern on the whole path)."""

    frontend: str  # "module:Class"
    rules: str | None = None  # its rule package; None for a host that only carries other languages
    extensions: tuple[str, ...] = ()
    filenames: tuple[str, ...] = ()
    path_pattern: str | None = None  # searched in the path with forward slashes


# Git's hook names: whatever is written into one runs at the next commit, merge or push.
_GIT_HOOKS = (
    "applypatch-msg|pre-applypatch|post-applypatch|pre-commit|pre-merge-commit|prepare-commit-msg|"
    "commit-msg|post-commit|pre-rebase|post-checkout|post-merge|pre-push|pre-receive|update|"
    "proc-receive|post-receive|post-update|reference-transaction|push-to-checkout|pre-auto-gc|"
    "post-rewrite|sendemail-validate|fsmonitor-watchman|post-index-change"
)

# A path pattern wins over a file name, and a file name over an extension.
LANGUAGES: dict[str, Language] = {
    "sql": Language(
        "blastguard.frontends.sql.frontend:SqlFrontend",
        "blastguard.rules.sql",
        extensions=(".sql", ".psql", ".pgsql", ".mysql", ".ddl", ".dml"),
    ),
    "terraform": Language(
        "blastguard.frontends.terraform.hcl:TerraformFrontend",
        "blastguard.rules.terraform",
        extensions=(".tf", ".tofu"),
    ),
    # Values for a module's variables, judged against the settings of the `.tf` files beside them, and
    # partial backend configurations (`terraform init -backend-config=prod.tfbackend`).
    "terraform-vars": Language(
        "blastguard.frontends.terraform.tfvars:TfvarsFrontend",
        "blastguard.rules.terraform",
        extensions=(".tfvars", ".tfbackend"),
        path_pattern=r"\.tfvars\.json$",
    ),
    # A plan is JSON: only its content tells (sources.language_for_content).
    "terraform-plan": Language("blastguard.frontends.terraform.plan:PlanFrontend", "blastguard.rules.tfplan"),
    "shell": Language(
        "blastguard.frontends.shell.frontend:ShellFrontend",
        "blastguard.rules.shell",
        extensions=(".sh", ".bash"),
        # Files a shell runs without being asked: start-up files and direnv's run the next time a shell
        # starts or a directory is entered.
        filenames=(
            ".bashrc",
            ".bash_profile",
            ".bash_login",
            ".bash_logout",
            ".bash_aliases",
            ".profile",
            ".zshrc",
            ".zprofile",
            ".zshenv",
            ".zlogin",
            ".zlogout",
            ".kshrc",
            ".mkshrc",
            ".envrc",
            ".xprofile",
            ".xinitrc",
            ".xsessionrc",
        ),
        path_pattern=(
            rf"(?:^|/)(?:\.git/hooks/(?:{_GIT_HOOKS})|\.husky/(?:{_GIT_HOOKS})|"
            r"etc/(?:profile|bash\.bashrc|bashrc|zshrc|zprofile|zshenv|zlogin|environment))$"
        ),
    ),
    "github-actions": Language(
        "blastguard.frontends.workflows:GitHubActionsFrontend", path_pattern=r"(?:^|/)\.github/workflows/[^/]+\.ya?ml$"
    ),
    "gitlab-ci": Language(
        "blastguard.frontends.workflows:GitLabCIFrontend",
        filenames=(".gitlab-ci.yaml",),
        path_pattern=r"\.gitlab-ci\.yml$",
    ),  # and included files: deploy.gitlab-ci.yml
    "circleci": Language(
        "blastguard.frontends.circleci:CircleCIFrontend", path_pattern=r"(?:^|/)\.circleci/config\.ya?ml$"
    ),
    "azure-pipelines": Language(
        "blastguard.frontends.azure_pipelines:AzurePipelinesFrontend",
        path_pattern=r"(?:^|/)(?:azure-pipelines[^/]*|\.azure-pipelines/[^/]+)\.ya?ml$",
    ),
    "bitbucket-pipelines": Language(
        "blastguard.frontends.bitbucket_pipelines:BitbucketPipelinesFrontend",
        filenames=("bitbucket-pipelines.yml", "bitbucket-pipelines.yaml"),
    ),
    "jenkinsfile": Language(
        "blastguard.frontends.jenkinsfile:JenkinsfileFrontend",
        extensions=(".jenkinsfile",),
        filenames=("Jenkinsfile",),
        path_pattern=r"(?:^|/)Jenkinsfile\.[^/]+$",
    ),
    # Claimed by where Ansible keeps them; a file there that is not plays or tasks is read as nothing.
    "ansible": Language(
        "blastguard.frontends.ansible:AnsibleFrontend",
        path_pattern=(r"(?:^|/)(?:playbook[^/]*|site|playbooks/[^/]+|(?:tasks|handlers)/[^/]+)\.ya?ml$"),
    ),
    "tox": Language("blastguard.frontends.tox_ini:ToxFrontend", filenames=("tox.ini",)),
    "makefile": Language(
        "blastguard.frontends.makefile:MakefileFrontend",
        extensions=(".mk",),
        filenames=("Makefile", "makefile", "GNUmakefile"),
    ),
    # What a database role can destroy, as `blastguard access` collects it (see blastguard.live.privileges).
    "database-access": Language(
        "blastguard.frontends.access:AccessFrontend",
        "blastguard.rules.access",
        path_pattern=r"\.blastguard-access\.jsonl$",
    ),
    "python": Language(
        "blastguard.frontends.python.frontend:PythonFrontend", "blastguard.rules.python", extensions=(".py",)
    ),
    # Files that hold commands: each hands its commands to the shell (or Python) rules, mapped back.
    "package-json": Language(
        "blastguard.frontends.package_scripts:PackageScriptsFrontend", filenames=("package.json",)
    ),
    "justfile": Language(
        "blastguard.frontends.justfile:JustfileFrontend",
        extensions=(".just",),
        filenames=("justfile", "Justfile", ".justfile", "JUSTFILE"),
    ),
    "taskfile": Language(
        "blastguard.frontends.taskfile:TaskfileFrontend",
        path_pattern=r"(?:^|/)[Tt]askfile(?:\.dist)?\.ya?ml$",
    ),
    "dockerfile": Language(
        "blastguard.frontends.dockerfile:DockerfileFrontend",
        filenames=("Dockerfile", "Containerfile", "dockerfile", "containerfile"),
        # `api.Dockerfile`, `Dockerfile.prod`; not BuildKit's `Dockerfile.dockerignore`, nor notes and
        # scripts named after one (`Dockerfile.md`, `Dockerfile.py`)
        path_pattern=(
            r"(?:^|/)(?:[^/]+\.(?:Dockerfile|Containerfile)|"
            r"(?:Dockerfile|Containerfile)\.(?!(?:dockerignore|md|rst|txt|py|sh|json|ya?ml)$)[^/]+)$"
        ),
    ),
    "docker-compose": Language(
        "blastguard.frontends.compose:ComposeFrontend",
        path_pattern=r"(?:^|/)(?:docker-)?compose(?:\.[^/]+)?\.ya?ml$",
    ),
    # Any `.yaml`/`.yml` whose content is a Kubernetes object (sources.language_for_yaml).
    "kubernetes": Language("blastguard.frontends.kubernetes_manifests:KubernetesFrontend"),
}
FRONTENDS = {name: language.frontend for name, language in LANGUAGES.items()}
RULE_PACKAGES = {name: language.rules for name, language in LANGUAGES.items() if language.rules}
META_PACKAGE = "blastguard.rules.meta"  # rules the engine itself reports (suppression problems)


def _load(target: str):
    module, _, attr = target.partition(":")
    loaded = importlib.import_module(module)
    return getattr(loaded, attr) if attr else loaded


def frontend_class(language: str):
    return _load(FRONTENDS[language])


def rule_package(language: str):
    return _load(RULE_PACKAGES[language]) if language in RULE_PACKAGES else None


@cache
def _rules_in(package_name: str) -> tuple[Rule, ...]:
    package = importlib.import_module(package_name)
    rules = []
    names = sorted({name[:-3] for folder in package.__path__ for name in os.listdir(folder) if name.endswith(".py")})
    for name in names:
        if name.startswith("_"):
            continue  # shared helpers, not rules
        module = importlib.import_module(f"{package_name}.{name}")
        rules.append(module.RULE)
    return tuple(sorted(rules, key=lambda r: r.id))


def rules_for(language: str) -> tuple[Rule, ...]:
    """Rules of a language; a host language that only embeds others (a CI workflow) has none."""
    return _rules_in(RULE_PACKAGES[language]) if language in RULE_PACKAGES else ()


def change_rules(language: str) -> tuple[Rule, ...]:
    """Rules of a language that judge a change (a file's old and new versions): `blastguard.filters.changes`
    runs them through the package's `run_change`."""
    return tuple(r for r in rules_for(language) if r.check_change is not None)


def meta_rules() -> tuple[Rule, ...]:
    return _rules_in(META_PACKAGE)


def all_rules() -> tuple[Rule, ...]:
    rules = list(meta_rules())
    for package in dict.fromkeys(RULE_PACKAGES.values()):  # `.tfvars` files share the Terraform rules
        rules.extend(_rules_in(package))
    return tuple(sorted(rules, key=lambda r: r.id))


def find_rule(key: str) -> Rule | None:
    """A rule by id (case-insensitive) or by name."""
    key_upper = key.upper()
    for rule in all_rules():
        if rule.id == key_upper or rule.name == key.lower():
            return rule
    return None
