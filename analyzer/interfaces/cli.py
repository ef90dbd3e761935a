"""The `blastguard` command line.

Exit codes: 0 nothing at or above the fail-on level, 1 something is, 2 usage, configuration or
internal error. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import os
import sys

import blastguard
from blastguard.interfaces.hook_protocols import AGENTS

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only
    from blastguard.api import Session
    from blastguard.model import Report

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _parser():
    import argparse  # here, not at the top: `blastguard hook` does without it

    from blastguard.reporters import FORMATS

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str):  # one line instead of usage plus message
            self.exit(EXIT_ERROR, f"blastguard: error: {message} (see `{self.prog} --help`)\n")

    parser = _Parser(
        prog="blastguard",
        description=(
            "Flag what can destroy data before it runs: SQL, shell scripts and commands, Terraform and its plans, "
            "Python, Makefiles, Dockerfiles, CI workflows and the commands agents are about to run."
        ),
    )
    parser.add_argument("--version", "-V", action="version", version=f"blastguard {blastguard.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser("check", help="check files, folders or stdin")
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="files and folders to check; - reads stdin (default: .)"
    )
    check.add_argument(
        "--format", "--output-format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    check.add_argument("--stdin-filename", metavar="NAME", help="file name for stdin: sets its language and path")
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "note", "never"),
        help="lowest severity that makes the exit code 1 (default: warning)",
    )
    check.add_argument("--sql-dialect", metavar="DIALECT", help="sqlglot dialect, or auto (default: auto)")
    check.add_argument("--config", metavar="FILE", help="configuration file (default: found upward from the path)")
    check.add_argument(
        "--select",
        metavar="RULES",
        action="append",
        help="comma-separated rules to run (ids, prefixes, names); repeatable",
    )
    check.add_argument(
        "--ignore", metavar="RULES", action="append", help="comma-separated rules to skip, added to the configuration's"
    )
    check.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in FILE")
    check.add_argument("--write-baseline", metavar="FILE", help="record today's findings in FILE and exit 0")
    check.add_argument("--include-suppressed", action="store_true", help="also report suppressed findings, marked")
    check.add_argument(
        "--database-url",
        metavar="URL",
        help="estimate each DELETE, UPDATE and MERGE on this database, read-only (also BLASTGUARD_DATABASE_URL)",
    )
    check.add_argument(
        "--exact-count", action="store_true", help="with --database-url: count rows exactly instead of estimating"
    )
    check.add_argument(
        "--force-exclude", action="store_true", help="apply excludes to files named on the command line too"
    )
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour text output (auto: on a terminal; NO_COLOR turns it off, FORCE_COLOR on)",
    )
    # Habits from ruff and friends.
    check.add_argument("--quiet", "-q", action="store_true", help="print only the findings: no summary, no notes")
    check.add_argument("--statistics", action="store_true", help="print how many findings each rule has, instead")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument(
        "--show-files", action="store_true", help="list the files that would be checked and their language, then exit"
    )
    check.add_argument(
        "--jobs", "-j", type=_positive, metavar="N", help="check with at most N worker processes (default: by size)"
    )
    change = check.add_mutually_exclusive_group()
    change.add_argument(
        "--diff",
        nargs="?",
        const="HEAD",
        metavar="REV",
        help="report only what the working tree adds against REV (default: HEAD); untracked files are new",
    )
    change.add_argument("--staged", action="store_true", help="report only what the staged changes add against HEAD")
    change.add_argument(
        "--diff-file",
        metavar="PATCH",
        help="report only what a unified diff (not yet applied; - reads stdin) would add",
    )

    hook = commands.add_parser("hook", help="check an agent's tool call (JSON on stdin) and answer in its protocol")
    hook.add_argument("--agent", choices=AGENTS, help="the agent sending the payload (default: told from its shape)")
    hook.add_argument(
        "--print-config",
        metavar="AGENT",
        choices=AGENTS,
        help="print the settings snippet that makes AGENT run this hook",
    )
    hook.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file; the project's, found upward from the call's cwd, may only make it stricter",
    )

    mcp = commands.add_parser("mcp", help="run an MCP server on stdio with tools that check commands, files and diffs")
    mcp.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file; the project's, found upward from the root, may only make it stricter",
    )
    mcp.add_argument("--root", metavar="FOLDER", help="the folder the tools may read (default: the working directory)")

    access = commands.add_parser(
        "access", help="report what the database role an agent connects as could destroy (read-only)"
    )
    access.add_argument("--database-url", metavar="URL", help="connect as this URL says (also BLASTGUARD_DATABASE_URL)")
    access.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    access.add_argument("--save", metavar="FILE", help="also write what was collected, as FILE.blastguard-access.jsonl")
    access.add_argument("--config", metavar="FILE", help="configuration file (default: found upward from here)")
    access.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS", help="connect and query timeout")

    audit = commands.add_parser("audit", help="summarise an agent-hook audit log (decisions, stopped calls)")
    audit.add_argument("log", nargs="?", metavar="LOG", help="the log (default: the configuration's audit-log)")
    audit.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    audit.add_argument("--config", metavar="FILE", help="configuration naming the log (default: found upward)")

    rules = commands.add_parser("rules", help="list every rule, or those named")
    rules.add_argument("keys", nargs="*", metavar="RULE", help="rule ids, id prefixes (SQL1) or names")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    rules.add_argument(
        "--write-docs",
        metavar="FOLDER",
        help="write one Markdown page per rule into FOLDER (the repository's: docs/rules)",
    )
    rule = commands.add_parser("rule", help="show one rule's documentation")
    rule.add_argument("rule", metavar="RULE", help="rule id or name, e.g. SQL101 or unbounded-delete")
    commands.add_parser(
        "init", help="write a starter blastguard.toml here and print the pre-commit and GitHub Actions snippets"
    )
    return parser


def _positive(value: str) -> int:
    number = int(value)  # argparse turns the ValueError into a usage error
    if number < 1:
        raise ValueError(value)
    return number


def entry() -> None:
    """The `blastguard` command. After `blastguard hook` has answered, the process ends without the
    interpreter's teardown (freeing every module and class it loaded): about 5 ms of every agent tool
    call, with nothing left to do (the answer is flushed here, the audit log written unbuffered)."""
    code = main()
    if sys.argv[1:2] == ["hook"]:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:
            code = code or EXIT_ERROR  # the agent closed the pipe: it has no answer
        os._exit(code)
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["hook"] and not {"-h", "--help"}.intersection(argv):
        return _hook(argv[1:])
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "mcp":
            from blastguard.interfaces import mcp_server

            forwarded = [
                *(["--config", args.config] if args.config else []),
                *(["--root", args.root] if args.root else []),
            ]
            return mcp_server.main(forwarded)
        if args.command == "access":
            from blastguard.interfaces import access

            try:
                return access.run(args.database_url, args.format, args.save, args.config, args.timeout)
            except access.AccessError as exc:
                raise _Failure(str(exc)) from None
        if args.command == "audit":
            return _audit_summary(args)
        if args.command == "rules":
            from blastguard.docs import render_rule_list, write_rule_pages

            if args.write_docs:
                written = write_rule_pages(args.write_docs)
                sys.stderr.write(f"blastguard: wrote {len(written)} rule pages in {args.write_docs}\n")
                return EXIT_CLEAN
            listed = render_rule_list(args.format, args.keys)
            if not listed:
                raise _Failure(f"no rule matches {', '.join(args.keys)} (see `blastguard rules`)")
            sys.stdout.write(listed)
            return EXIT_CLEAN
        if args.command == "rule":
            return _rule(args.rule)
        if args.command == "init":
            from blastguard.interfaces.init import InitError, init

            try:
                return init(os.getcwd())
            except InitError as exc:
                raise _Failure(str(exc)) from None
        _parser().print_help()
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except _Failure as failure:
        sys.stderr.write(f"blastguard: error: {failure}\n")
        return EXIT_ERROR


class _Failure(Exception):
    pass


def _audit_summary(args) -> int:
    from blastguard.config import ConfigError, discover
    from blastguard.interfaces import audit, audit_summary

    path = args.log
    if path is None:
        try:
            config = discover(os.getcwd(), args.config)
        except ConfigError as exc:
            raise _Failure(str(exc)) from None
        if not config.audit_log:
            raise _Failure("no audit log named: give LOG, or set audit-log in the configuration")
        path = audit.resolve(config.audit_log, config)
    try:
        return audit_summary.run(path, args.format, sys.stdout)
    except audit_summary.AuditLogError as exc:
        raise _Failure(str(exc)) from None


def _hook(argv: list[str]) -> int:
    """`blastguard hook`, parsed by hand: it runs before every agent tool call, and building the
    argparse parser (its help formatter imports shutil and locale) costs more than the check itself."""
    options: dict[str, str | None] = {"--agent": None, "--print-config": None, "--config": None}
    rest = list(argv)
    while rest:
        name, _, value = rest.pop(0).partition("=")
        if name not in options:
            sys.stderr.write(f"blastguard: error: unknown option {name!r} for hook (see `blastguard hook --help`)\n")
            return EXIT_ERROR
        if not value:
            if not rest:
                sys.stderr.write(f"blastguard: error: {name} needs a value\n")
                return EXIT_ERROR
            value = rest.pop(0)
        options[name] = value
    for name in ("--agent", "--print-config"):
        if options[name] is not None and options[name] not in AGENTS:
            sys.stderr.write(f"blastguard: error: {name} must be one of {', '.join(AGENTS)}\n")
            return EXIT_ERROR
    from blastguard.interfaces import hook

    if options["--print-config"]:
        return hook.print_config(options["--print-config"])
    return hook.run(options["--agent"], options["--config"])


def _rule(key: str) -> int:
    from blastguard.docs import render_rule
    from blastguard.registry import find_rule

    rule = find_rule(key)
    if rule is None:
        raise _Failure(f"no rule {key!r} (see `blastguard rules`)")
    sys.stdout.write(render_rule(rule))
    return EXIT_CLEAN


def _check(args) -> int:
    from blastguard.api import Session, UsageError
    from blastguard.config import ConfigError, discover
    from blastguard.filters import baseline
    from blastguard.reporters import RenderContext, render
    from blastguard.reporters.text import render_notifications

    if args.statistics and args.format not in ("text", "json"):
        raise _Failure(f"--statistics prints text or json, not {args.format}")
    changes = args.diff is not None or args.staged or args.diff_file is not None
    if changes:
        _check_change_arguments(args)
    paths = args.paths or ["."]
    if paths.count("-") > 1:
        raise _Failure("stdin (-) can be read only once")
    try:
        start = next((p for p in paths if p != "-"), None) or (os.path.dirname(args.stdin_filename or "") or ".")
        config = discover(start if os.path.exists(start) else ".", args.config)
        warnings = _apply_arguments(config, args)
        if args.show_files:
            return _show_files(paths, config, args)
        if changes:
            session, report = _check_changes(args, config)
        else:
            stdin = sys.stdin.buffer.read() if "-" in paths else None
            session = Session.for_paths(paths, config, jobs=args.jobs)
            report = session.scan(
                paths,
                stdin=stdin,
                stdin_filename=args.stdin_filename,
                force_exclude=args.force_exclude,
                baseline_file=None if args.write_baseline else args.baseline,
            )
        if args.write_baseline:
            baseline.write(args.write_baseline, report.reported)
            recorded = _count(len(report.reported), "finding")
            sys.stderr.write(f"blastguard: recorded {recorded} in {args.write_baseline}\n")
            return EXIT_CLEAN
    except (ConfigError, UsageError, baseline.BaselineError) as exc:
        raise _Failure(str(exc)) from None
    for warning in warnings:  # only once the scan ran: a usage error stays one line
        sys.stderr.write(f"blastguard: warning: {warning}\n")

    out = sys.stdout
    color = args.color == "always" or (args.color == "auto" and not args.output and _wants_color(out))
    context = RenderContext(include_suppressed=args.include_suppressed, color=color, quiet=args.quiet)
    if args.statistics:
        from blastguard.reporters.statistics import render_statistics

        rendered = render_statistics(args.format, report)
    else:
        rendered = render(args.format, report, context)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(rendered)
        except OSError as exc:
            raise _Failure(f"cannot write {args.output}: {exc.strerror or exc}") from None
    else:
        out.write(rendered)
    if args.format != "github":  # github output carries notifications as annotations
        for line in render_notifications(report, quiet=args.quiet):
            sys.stderr.write(line + "\n")
    if report.files_checked == 0 and not report.notifications and not changes:
        sys.stderr.write(
            "blastguard: warning: no files to check: nothing under the given paths is a file type blastguard reads\n"
        )
    if report.had_internal_error:
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if session.failing(report.reported) else EXIT_CLEAN


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _show_files(paths: list[str], config, args) -> int:
    """`check --show-files`: what a scan would read, one `path: language` a line, without checking it."""
    from blastguard.api import Session

    if "-" in paths:
        raise _Failure("--show-files lists files; it cannot be combined with stdin (-)")
    shown = 0
    for path, language in Session.for_paths(paths, config).files(paths, force_exclude=args.force_exclude):
        if language is None:
            if not args.quiet:
                sys.stderr.write(f"{path}: note: not checked\n")
            continue
        sys.stdout.write(f"{path}: {language}\n")
        shown += 1
    if not args.quiet:
        sys.stderr.write(f"blastguard: {_count(shown, 'file')} would be checked\n")
    return EXIT_CLEAN


def _check_change_arguments(args) -> None:
    """--diff / --staged / --diff-file: what they cannot be combined with; `--diff PATH` is a path."""
    if args.diff == "-":
        args.paths, args.diff = ["-", *args.paths], "HEAD"
    elif args.diff is not None and args.diff != "HEAD" and os.path.exists(args.diff):
        from blastguard.filters.diffs import is_revision

        if not is_revision(".", args.diff):  # `check --diff src/`: argparse took the path for REV
            args.paths, args.diff = [args.diff, *args.paths], "HEAD"
    option = "--staged" if args.staged else "--diff" if args.diff is not None else "--diff-file"
    if "-" in args.paths:
        raise _Failure(f"{option} checks a change, not stdin as a file; pass a patch on stdin with --diff-file -")
    if args.write_baseline:
        raise _Failure(f"--write-baseline records a whole scan; it cannot be combined with {option}")


def _check_changes(args, config) -> tuple[Session, Report]:
    """(session, the report of what a change adds): the working tree or the index against git, or a patch."""
    from blastguard.api import Session
    from blastguard.filters.diffs import DiffError, apply_patch, git_changes, git_staged_view

    try:
        siblings: dict = {}
        if args.diff_file is not None:
            root, name = os.getcwd(), "<stdin>" if args.diff_file == "-" else args.diff_file
            changes = apply_patch(_read_patch(args.diff_file), root, name)
            base = "the files the patch applies to"
        else:
            root, base, changes = git_changes(".", args.diff, staged=args.staged)
            if args.staged:  # the rest of each Terraform module as it would be committed
                siblings = {os.path.join(root, path): text for path, text in git_staged_view(root).items()}
        session = Session.for_paths([root], config, jobs=args.jobs)
        return session, session.check_changes(
            changes, root, base, siblings=siblings, paths=args.paths or None, baseline_file=args.baseline
        )
    except DiffError as exc:
        raise _Failure(str(exc)) from None


def _read_patch(name: str) -> str:
    from blastguard.sources import SkipFile, read_regular

    try:
        # A named patch is never a FIFO or device: it could stall the check. Stdin is the caller's own.
        data = sys.stdin.buffer.read() if name == "-" else read_regular(name)
    except OSError as exc:
        raise _Failure(f"cannot read {name}: {exc.strerror or exc}") from None
    except SkipFile as skip:
        raise _Failure(f"{name}: {skip}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Failure(f"{'<stdin>' if name == '-' else name}: the patch is not UTF-8 (byte {exc.start})") from None


def _apply_arguments(config, args) -> list[str]:
    """Command-line options override the configuration file (and the environment's database URL).
    Returns warnings about the options, for stderr."""
    from blastguard.config import ConfigError, database_url, with_database_from

    if args.fail_on:
        config.fail_on = args.fail_on
    if args.sql_dialect:
        from blastguard.frontends.sql.frontend import DIALECT_NAMES
        from blastguard.suggestions import did_you_mean

        if args.sql_dialect not in DIALECT_NAMES:
            raise _Failure(f"unknown SQL dialect {args.sql_dialect!r}{did_you_mean(args.sql_dialect, DIALECT_NAMES)}")
        config.sql_dialect = args.sql_dialect
    selected = [k.strip() for option in args.select or () for k in option.split(",") if k.strip()]
    ignored = [k.strip() for option in args.ignore or () for k in option.split(",") if k.strip()]
    if selected:
        config.select = selected
    if ignored:
        config.ignore = config.ignore + ignored
    both = sorted({k.upper() for k in selected} & {k.upper() for k in ignored})
    # ignore wins, as in ruff: say so, since it is rarely what was meant
    warnings = [f"{', '.join(both)} both selected and ignored: ignored"] if both else []
    if args.write_baseline:
        config.baseline = None  # recording a baseline must see every finding
    try:
        database = database_url("--database-url", args.database_url) if args.database_url else None
        config.database_url = database or with_database_from(config, os.environ).database_url
    except ConfigError as exc:
        raise _Failure(str(exc)) from None
    if args.exact_count:
        config.exact_count = True
    return warnings


def _wants_color(stream) -> bool:
    """--color auto: no-color.org (a non-empty NO_COLOR turns colour off), then force-color.org (a non-empty
    FORCE_COLOR turns it on), then whether the output is a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()
