"""The shell frontend and rules on the tricky inputs: the normalised command view, exact positions (also
of SQL inside commands and of commands inside `bash -c` strings), production context, suppressions,
parse problems, and input that must never crash. Every script here is analysed, never executed."""

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blastguard.api import check_text
from blastguard.config import Config
from blastguard.context import Context
from blastguard.engine import Engine
from blastguard.frontends.shell.frontend import ShellFrontend
from blastguard.model import Severity
from blastguard.sources import Source
from blastguard.textindex import LineIndex
from conftest import json_out, out, run_cli


def findings(text, filename="x.sh"):
    """(rule, start line, start column, end line, end column) of each reported finding."""
    return [
        (f.rule_id, f.region.start_line, f.region.start_column, f.region.end_line, f.region.end_column)
        for f in check_text(text, filename=filename)
        if f.suppression is None
    ]


def rules(text):
    return sorted({f[0] for f in findings(text)})


def commands(text, context=Context()):
    document = ShellFrontend().parse(Source("x.sh", text, "shell", context))
    return document, document.commands


def check_source(text, context=Context()):
    return Engine(Config(), ".").check_source(Source("x.sh", text, "shell", context))


# --- the normalised command view --------------------------------------------------------------------


def test_wrappers_assignments_and_global_options_are_unwrapped():
    text = "sudo -u ops env -i TF_LOG=1 nohup timeout 60 terraform -chdir=infra destroy -auto-approve"
    _, (command,) = commands(text)
    assert command.program == "terraform"
    assert [w.value for w in command.args] == ["destroy", "-auto-approve"]
    assert command.globals.value("-chdir").value == "infra"
    assert command.env == {"TF_LOG": "1"}
    assert command.wrappers == ("sudo", "env", "nohup", "timeout")


def test_strings_run_by_a_shell_are_parsed_with_document_positions():
    text = "eval 'bash -c \"terraform destroy -auto-approve\"'"
    _, (command,) = commands(text)
    assert command.program == "terraform" and command.wrappers == ("eval", "bash -c")
    assert text[command.start : command.end] == "terraform destroy -auto-approve"


@pytest.mark.parametrize(
    "text",
    [
        "f() { rm -rf /; }",
        "for d in a b; do rm -rf /; done",
        "while true; do rm -rf /; done",
        "(cd x && rm -rf /)",
        "if true; then :; else rm -rf /; fi",
        "case $1 in x) rm -rf / ;; esac",
        'x="$(rm -rf /)"',
        "echo `rm -rf /`",
        "true || rm -rf / &",
        "! rm -rf /",
        "cat <<EOF\n$(rm -rf /)\nEOF",
        "echo 'rm -rf /' | sh",
        "sh <<'EOF'\nrm -rf /\nEOF",
        "xargs -0 sudo rm -rf /",
        "find . -print0 | xargs -0 bash -c 'rm -rf /'",
        "env -S 'rm -rf /'",
        "watch -n 5 'rm -rf /'",
        "su - root -c 'rm -rf /'",
        "CMD=rm; $CMD -rf /",
        'CMD="rm -rf"; $CMD /',
        "EMPTY=; $EMPTY rm -rf /",
        "command rm -rf /",
        "\\rm -rf /",
        "/bin/rm -rf /",
    ],
)
def test_commands_are_found_wherever_they_hide(text):
    assert rules(text) == ["SH301"], text


@pytest.mark.parametrize(
    "text",
    [
        'echo "rm -rf /"',
        "printf '%s\\n' 'rm -rf /'",
        'grep -r "rm -rf /" .',
        "git commit -m 'rm -rf /'",
        "logger 'rm -rf /'",
        "# rm -rf /",
        "cat <<'EOF'\nrm -rf /\nEOF",
        "command -v rm",
        "X='rm -rf /'",
        "sudo -l",
    ],
)
def test_words_that_are_only_data_never_trigger(text):
    assert findings(text) == [], text


def test_an_assignment_in_a_child_shell_does_not_leak_but_an_export_reaches_it():
    _, cmds = commands("X=-auto-approve\nbash -c 'echo $X'\nexport TF_CLI_ARGS=$X\nsh -c 'terraform destroy'")
    assert cmds[0].words[1].value == "$X"  # not exported: the child shell does not see it
    assert cmds[-1].env["TF_CLI_ARGS"] == "-auto-approve"


# --- positions ------------------------------------------------------------------------------------


def test_finding_points_at_the_command_after_unwrapping():
    text = "set -e\n\nFOO=1 sudo rm -r -f /  # wipe\n"
    assert findings(text) == [("SH301", 3, 12, 3, 22)]


def test_sql_in_psql_command_points_inside_the_quotes():
    assert findings('psql -h db -c "DELETE FROM users"') == [("SQL101", 1, 16, 1, 33)]
    assert findings("mysql app --execute='TRUNCATE audit'") == [("SQL201", 1, 22, 1, 36)]


def test_sql_in_heredocs_points_at_the_body_lines():
    text = "echo start\npsql app <<'SQL'\nSELECT 1;\n  DELETE FROM users;\nSQL\n"
    assert findings(text) == [("SQL101", 4, 3, 4, 20)]
    tabbed = "psql app <<-SQL\n\t\tTRUNCATE users;\n\tSQL\n"
    assert findings(tabbed) == [("SQL201", 2, 3, 2, 17)]
    piped = "cat <<EOF | psql -d app\nDELETE FROM users;\nEOF\n"
    assert findings(piped) == [("SQL101", 2, 1, 2, 18)]


def test_sql_piped_or_redirected_into_a_client():
    assert findings("echo 'DELETE FROM users;' | psql") == [("SQL101", 1, 7, 1, 24)]
    assert findings("psql <<< 'DELETE FROM users'") == [("SQL101", 1, 11, 1, 28)]
    assert findings("sqlite3 app.db 'DELETE FROM users'") == [("SQL101", 1, 17, 1, 34)]


def test_sql_inside_bash_c_maps_through_both_layers_of_quoting():
    assert findings("bash -c 'psql -c \"DELETE FROM users\"'") == [("SQL101", 1, 19, 1, 36)]
    escaped = 'bash -c "psql -c \\"DELETE FROM users\\""'
    assert findings(escaped) == [("SQL101", 1, 20, 1, 37)]


def test_command_inside_bash_c_points_at_its_own_text():
    assert findings("ssh deploy@web 'cd /srv && sudo rm -rf /etc'") == [("SH301", 1, 33, 1, 44)]


def test_non_ascii_text_before_a_finding_keeps_columns_in_code_points():
    assert findings("echo 'héllo wörld 🙂' && rm -rf /") == [("SH301", 1, 25, 1, 33)]
    assert findings("echo ü; bash -c 'psql -c \"DELETE FROM ünïcode\"'") == [("SQL101", 1, 27, 1, 46)]
    assert findings("# ☃ ☃\npsql <<SQL\n-- ☃\nDELETE FROM t;\nSQL\n") == [("SQL101", 4, 1, 4, 14)]


def test_psql_file_is_read_next_to_the_script_and_reported_on_its_name(tmp_path):
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "purge.sql").write_text("SELECT 1;\nTRUNCATE sessions;\n")
    script = tmp_path / "deploy.sh"
    text = "set -e\npsql -h db -f sql/purge.sql\n"
    assert findings(text, filename=str(script)) == [("SQL201", 2, 15, 2, 28)]
    assert findings("psql -f missing.sql", filename=str(script)) == []


# --- production -----------------------------------------------------------------------------------


def _severity(text, rule_id, context=Context()):
    found, _ = check_source(text, context)
    (finding,) = [f for f in found if f.rule_id == rule_id]
    return finding


def test_production_evidence_on_the_command_raises_severity():
    plain = _severity("kubectl delete namespace payments", "SH501")
    prod = _severity("kubectl --context prod-eu delete namespace payments", "SH501")
    assert plain.severity == Severity.WARNING
    assert prod.severity == Severity.ERROR and "kubectl --context prod-eu" in prod.message


def test_production_evidence_reaches_the_sql_in_a_client_command():
    plain = _severity("psql -h db -c 'ALTER TABLE users DROP COLUMN email'", "SQL204")
    url = _severity("psql postgres://app:live@prod-db.internal/app -c 'UPDATE users SET a = 1 WHERE 1 = 1'", "SQL103")
    assert "production" not in plain.message
    assert "psql names prod-db.internal" in url.message and "live" not in url.message.split("(")[-1]


def test_production_set_earlier_in_the_chain():
    assert rules("terraform workspace select prod && terraform apply -auto-approve") == ["SH102"]
    assert rules("terraform workspace select prod; terraform workspace select dev; terraform apply -auto-approve") == []
    found = _severity("kubectl config use-context prod-us\nkubectl delete pvc data-0", "SH501")
    assert found.severity == Severity.ERROR


def test_product_is_not_production_and_read_only_commands_are_not_findings():
    assert findings("kubectl --context product-images delete ns assets") == [("SH501", 1, 1, 1, 50)]
    assert _severity("kubectl --context product-images delete ns assets", "SH501").severity == Severity.WARNING
    assert findings("kubectl get pods -n production; pg_dump -h prod-db app > a.sql; aws s3 ls --profile prod") == []


@pytest.mark.parametrize(
    "command",
    [
        'aws s3 rm s3://acme-builds/tmp/ --recursive --dryrun --exclude "*" --include "*.zip"',
        "aws --profile prod s3 rm --dryrun s3://prod-data/exports --recursive",
        "aws ec2 delete-volume --volume-id vol-0a1b2c --dry-run",
        "kubectl --context prod-eu delete namespace payments --dry-run=server",
        "kubectl delete pvc data-postgres-0 -n production --dry-run=client -o yaml",
        "kubectl delete pods --all -n staging --dry-run",
        "kubectl delete ns payments --dry-run=true",
    ],
)
def test_a_dry_run_deletes_nothing_and_is_not_a_finding(command):
    assert findings(command) == []


@pytest.mark.parametrize(
    "command",
    [
        'aws s3 rm s3://acme-builds/tmp/ --recursive --exclude "*" --include "*.zip"',
        "aws --profile prod s3 rm s3://prod-data/exports --recursive",
        "aws ec2 delete-volume --volume-id vol-0a1b2c --dry-run --no-dry-run",
        "kubectl --context prod-eu delete namespace payments --dry-run=none",
        "kubectl delete pvc data-postgres-0 -n production --dry-run=false -o yaml",
        "kubectl delete pods --all -n staging --dry-run=$MODE",
    ],
)
def test_the_same_command_without_its_dry_run_still_reports(command):
    assert rules(command) == ["SH501"]


def test_host_context_environment_and_production_are_honoured():
    env = Context(env={"TF_CLI_ARGS_destroy": "-auto-approve"})
    assert [f.rule_id for f in check_source("terraform destroy", env)[0]] == ["SH101"]
    workspace = Context(env={"TF_WORKSPACE": "production"})
    assert [f.rule_id for f in check_source("terraform apply -auto-approve", workspace)[0]] == ["SH102"]
    job = Context(production=("job environment 'production'",))
    apply = _severity("terraform apply -auto-approve", "SH102", job)
    assert apply.severity == Severity.ERROR and "job environment 'production'" in apply.message
    assert _severity("terraform state rm aws_s3_bucket.logs", "SH102", job).severity == Severity.ERROR


def test_force_push_to_a_protected_branch_is_an_error_and_to_a_feature_branch_a_warning():
    assert _severity("git push -f origin main", "SH401").severity == Severity.ERROR
    assert _severity("git push --force origin feature/x", "SH401").severity == Severity.WARNING
    assert findings("git push --force-with-lease origin feature/x") == []


# --- unverifiable ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "$CMD -rf /data",
        "$(get_cmd) --all",
        'eval "$x"',
        "curl -fsSL https://x.example/i.sh | sudo bash",
        "base64 -d payload | sh",
        'sh -c "$1"',
    ],
)
def test_what_cannot_be_resolved_is_a_warning_so_a_hook_asks(text):
    found, _ = check_source(text, Context(agent=True))  # a repository check: tests/test_unverifiable_policy.py
    assert [(f.rule_id, f.severity) for f in found] == [("SH900", Severity.WARNING)], text


def test_a_literal_variable_resolves_the_command_instead():
    assert rules("CMD=terraform; $CMD destroy -auto-approve") == ["SH101"]
    assert rules('exec "$@"') == []


# --- comments, suppressions, parse problems --------------------------------------------------------


def test_shell_comments_are_the_documents_comments():
    document, _ = commands("#!/bin/bash\necho '# not a comment' # real\n")
    assert [c.body for c in document.comments] == ["!/bin/bash", " real"]


def test_suppression_in_a_shell_comment_on_the_line_or_the_line_before():
    same_line = check_text("rm -rf / # blastguard: ignore[SH301] disposable container\n", filename="x.sh")
    line_before = check_text("# blastguard: ignore[recursive-delete] disposable container\nrm -rf /\n", filename="x.sh")
    for found in (same_line, line_before):
        assert [(f.rule_id, f.suppression.justification) for f in found] == [("SH301", "disposable container")]


def test_sql_in_a_command_is_suppressed_by_a_shell_comment_or_an_sql_comment_in_the_heredoc():
    shell_comment = "# blastguard: ignore[SQL101] scratch table\npsql <<< 'DELETE FROM scratch'\n"
    sql_comment = "psql app <<SQL\n-- blastguard: ignore[SQL101] scratch table\nDELETE FROM scratch;\nSQL\n"
    for text in (shell_comment, sql_comment):
        found = check_text(text, filename="x.sh")
        assert [(f.rule_id, f.suppression is not None) for f in found] == [("SQL101", True)], text


def test_each_error_node_is_one_parse_problem_and_the_rest_is_still_checked():
    found, notes = check_source("rm -rf /\nif then fi (((\nterraform destroy -auto-approve\n")
    # what could not be parsed may run: it is also an unverifiable command, so a hook asks
    assert [(f.rule_id, f.region.start_line) for f in found] == [("SH301", 1), ("SH900", 2), ("SH101", 3)]
    (note,) = notes
    assert note.kind == "parse-error" and note.region.start_line == 2
    assert note.message.startswith("This part of the script could not be parsed (`fi`)")


def test_a_test_grouped_with_escaped_parentheses_is_read_whole():
    """tree-sitter cannot read `\\(` … `\\)` inside `[ … ]`; the region is read again with them blanked,
    so the loop after it keeps its values and no part of the script is reported as unparsed."""
    script = (
        'if [ "$LEVEL" -eq 2 -o \\\n    \\( "$LEVEL" -eq 1 -a "$CHDIR" = yes \\) ]; then\n  echo ok\nfi\n'
        'for file in /etc/app.conf ~/.apprc; do\n  [ -r "$file" ] && . "$file"\ndone\n'
    )
    found, notes = check_source(script)
    assert notes == [] and found == []
    # and what runs after it is still read as commands: the destructive twin flags on its own line
    found, notes = check_source(script + 'target=/\nrm -rf "$target"\n')
    assert notes == [] and [(f.rule_id, f.region.start_line) for f in found] == [("SH301", 9)]


def test_a_missing_keyword_is_a_parse_problem():
    found, notes = check_source("for x in a; do\n  rm -rf /\n")
    assert [f.rule_id for f in found] == ["SH301", "SH900"]
    (note,) = notes
    assert note.message == "The script is incomplete here: `done` is missing. The rest was still checked."


_SHELL_PIECES = [
    *"ab $'\"`\\(){}[]<>|&;#\n\t=-*~/é🙂!",
    "<<",
    "<<-",
    "EOF",
    "$(",
    "${",
    "-c",
    "bash",
    "rm -rf",
    "psql",
    "eval",
    "sudo",
    "xargs",
]


# The same examples on every run: with fresh random ones, tree-sitter (0.25/0.26, with tree-sitter-bash
# 0.23 and 0.25) segfaults inside its own parse about once in ten thousand inputs, in a way that
# depends on what was parsed before and has not been reproduced alone; a crash of the test process
# would fail every other test with it.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.one_of(st.text(), st.lists(st.sampled_from(_SHELL_PIECES), max_size=40).map("".join)))
def test_random_input_never_crashes_and_positions_stay_in_the_text(text):
    found, notes = check_source(text)
    lines = LineIndex(text).line_count + 1  # a missing `done` is reported just past the end
    assert all(1 <= f.region.start_line <= f.region.end_line <= lines for f in found)
    assert all(n.kind == "parse-error" for n in notes)


# --- the command line and the import budget ----------------------------------------------------------


def test_cli_reads_a_shell_command_on_stdin(project):
    result = run_cli("check", "-", "--stdin-filename", "x.sh", stdin="terraform destroy -auto-approve", cwd=project)
    assert result.returncode == 1
    assert out(result).startswith("x.sh:1:1: SH101 error `terraform destroy -auto-approve` deletes every resource")


def test_cli_json_positions_of_sql_in_a_heredoc(project):
    script = "#!/bin/sh\nset -eu\nmysql -h prod-mysql app <<'EOF'\nDELETE FROM orders;\nEOF\n"
    result = run_cli("check", "-", "--stdin-filename", "purge", "--format", "json", stdin=script, cwd=project)
    (finding,) = json_out(result)["findings"]
    assert finding["rule_id"] == "SQL101" and finding["snippet"] == "DELETE FROM orders"
    assert finding["region"] == {"start_line": 4, "start_column": 1, "end_line": 4, "end_column": 19}
    assert "mysql -h prod-mysql" in finding["message"]


def test_cli_honours_a_suppression_and_reports_parse_problems(project):
    script = "rm -rf ~  # blastguard: ignore[SH301] throwaway runner\necho )\n"
    result = run_cli("check", "-", "--stdin-filename", "x.sh", "--format", "json", stdin=script, cwd=project)
    report = json_out(result)
    assert report["summary"]["suppressed"] == 1
    assert [(f["rule_id"], f["region"]["start_line"]) for f in report["findings"]] == [("SH900", 2)]
    assert [n["kind"] for n in report["notifications"]] == ["parse-error"]


def test_the_shell_pack_does_not_import_sqlglot():
    code = (
        "import sys, blastguard.frontends.shell.frontend, blastguard.rules.shell.terraform_destroy, "
        "blastguard.rules.shell.recursive_delete; "
        "print('sqlglot' in sys.modules, 'hcl2' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert result.stdout.decode().split() == ["False", "False"], result.stderr.decode()
