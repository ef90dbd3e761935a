"""Python: strings that reach an executor, with exact positions inside the literals; folding of
constants; processes handed to the shell rules; production context; what is never a finding; and
files that do not parse. Samples are only ever parsed, never run."""

from blastguard.api import check_text
from blastguard.context import Context
from blastguard.frontends.python.chunks import split
from blastguard.frontends.python.frontend import PythonFrontend
from blastguard.sources import Source
from conftest import json_out, run_cli


def findings(code, filename="job.py"):
    return [
        (
            f.rule_id,
            f.severity.label,
            f.region.start_line,
            f.region.start_column,
            f.region.end_line,
            f.region.end_column,
        )
        for f in check_text(code, filename=filename)
        if f.suppression is None
    ]


def rules(code, filename="job.py"):
    return sorted(f.rule_id for f in check_text(code, filename=filename) if f.suppression is None)


def parse(code):
    return PythonFrontend().parse(Source("job.py", code, "python", Context()))


# --- positions inside string literals ----------------------------------------------------------


def test_sql_in_execute_points_inside_the_literal():
    assert findings('cur.execute("DELETE FROM users")\n') == [("SQL101", "error", 1, 14, 1, 31)]


def test_escapes_and_implicit_concatenation_keep_positions():
    code = 'cur.execute(\n    "SELECT 1;\\n"\n    "DELETE FROM users"\n)\n'
    assert findings(code) == [("SQL101", "error", 3, 6, 3, 23)]


def test_triple_quoted_dedented_sql_keeps_positions():
    code = (
        'import textwrap\nconn.executescript(textwrap.dedent("""\n    CREATE TABLE t (id int);\n'
        '    DROP TABLE audit;\n"""))\n'
    )
    assert findings(code) == [("SQL202", "error", 4, 5, 4, 21)]


def test_constant_used_whole_is_reported_where_the_sql_is_written():
    code = 'STALE = "DELETE FROM users"\n\ndef purge(cur):\n    cur.execute(STALE)\n    cur.execute(STALE)\n'
    assert findings(code) == [("SQL101", "error", 1, 10, 1, 27)]


def test_constant_spliced_into_an_f_string_is_reported_at_its_use():
    code = 'TABLE = "sessions"\ncur.execute(f"DELETE FROM {TABLE}")\n'
    [finding] = check_text(code, filename="job.py")
    assert (finding.rule_id, finding.region.start_line, finding.region.start_column, finding.region.end_column) == (
        "SQL101",
        2,
        15,
        34,
    )
    assert "sessions" in finding.message


def test_percent_format_and_str_format_and_concatenation_fold():
    assert rules('cur.execute("DELETE FROM %s" % "carts")\n') == ["SQL101"]
    assert rules('cur.execute("DELETE FROM %(t)s" % {"t": "carts"})\n') == ["SQL101"]
    assert rules('cur.execute("TRUNCATE {}".format("events"))\n') == ["SQL201"]
    assert rules('cur.execute("TRUNCATE {name}".format(name="events"))\n') == ["SQL201"]
    assert rules('cur.execute("UPDATE accounts SET " + "balance = 0")\n') == ["SQL102"]
    assert rules('q = "DELETE FROM carts"\nq2 = q + " WHERE id = 1"\ncur.execute(q2)\n') == []


def test_a_name_bound_twice_or_a_parameter_is_not_a_constant():
    assert rules('q = "DELETE FROM a WHERE id = 1"\nq = "DELETE FROM b"\ncur.execute(q)\n') == []
    assert rules('TABLE = "users"\ndef purge(TABLE):\n    cur.execute(f"DELETE FROM {TABLE} WHERE id = 1")\n') == [
        "SQL901"
    ]


def test_class_attribute_through_self():
    code = (
        'class Repo:\n    table = "users"\n    def wipe(self):\n        self.cur.execute(f"DELETE FROM {self.table}")\n'
    )
    assert rules(code) == ["SQL101"]


# --- values and structure --------------------------------------------------------------------------


def test_values_in_value_positions_and_parameters_are_fine():
    for code in (
        'cur.execute(f"DELETE FROM t WHERE id = {uid}")\n',
        'cur.execute("DELETE FROM t WHERE id = %s", (uid,))\n',
        'cur.execute("DELETE FROM t WHERE id = %(uid)s", {"uid": uid})\n',
        'cur.execute("DELETE FROM t WHERE id = ?", (uid,))\n',
        'cur.execute("DELETE FROM t WHERE id = :uid", {"uid": uid})\n',
        "cur.execute(f\"DELETE FROM t WHERE name = '{name}'\")\n",
    ):
        assert rules(code) == [], code


def test_run_time_table_or_predicate_is_unverifiable():
    assert findings('def f(cond):\n    cur.execute(f"DELETE FROM t WHERE {cond}")\n') == [
        ("SQL901", "warning", 2, 33, 2, 45)
    ]
    assert rules('def f(table):\n    cur.execute(f"DELETE FROM {table} WHERE id = %s", (1,))\n') == ["SQL901"]
    assert rules('def f(table):\n    cur.execute(f"DROP TABLE {table}")\n') == ["SQL202"]


# --- execution points ---------------------------------------------------------------------------------


def test_every_execution_point_is_read():
    cases = {
        'session.execute(text("DELETE FROM users"))\n': "sqlalchemy text()",
        'conn.exec_driver_sql("DELETE FROM users")\n': "exec_driver_sql",
        'User.objects.raw("DELETE FROM users")\n': "Django raw",
        'migrations.RunSQL("DELETE FROM users")\n': "RunSQL",
        'migrations.RunSQL(["SELECT 1", ("DELETE FROM users", [])])\n': "RunSQL list",
        'op.execute("DELETE FROM users")\n': "Alembic",
        'pd.read_sql("DELETE FROM users", con)\n': "pandas",
        'cur.executemany("DELETE FROM users", rows)\n': "executemany",
    }
    for code, what in cases.items():
        prefix = "from sqlalchemy import text\n" if "text(" in code else ""
        assert rules(prefix + code) == ["SQL101"], what


def test_strings_that_do_not_reach_an_executor_are_never_findings():
    code = (
        '"""Run DELETE FROM users to reset."""\nimport logging\nlog = logging.getLogger()\n'
        'print("DELETE FROM users")\nlog.warning("DROP TABLE users would be bad")\n'
        'HELP = "terraform destroy -auto-approve"\nraise SystemExit("rm -rf /")\n'
        '# cur.execute("DELETE FROM users")\n'
    )
    assert rules(code) == []


def test_reverse_sql_of_a_migration_is_not_run_forward():
    code = 'migrations.RunSQL(sql="CREATE TABLE t (id int)", reverse_sql="DROP TABLE t")\n'
    assert rules(code) == []


# --- processes --------------------------------------------------------------------------------------------


def test_argv_list_is_rebuilt_for_the_shell_rules():
    code = 'import subprocess\nsubprocess.run(["terraform", "destroy", "-auto-approve"], check=True)\n'
    assert findings(code) == [("SH101", "error", 2, 18, 2, 55)]  # from `terraform` to `-auto-approve`


def test_shell_strings_and_their_sql():
    assert rules('import os\nos.system("terraform destroy -auto-approve")\n') == ["SH101"]
    assert rules("import subprocess\nsubprocess.check_call(\"psql -c 'DROP TABLE users'\", shell=True)\n") == ["SQL202"]
    assert rules('import subprocess\nsubprocess.run(["psql", "-c", "DELETE FROM users"])\n') == ["SQL101"]
    assert rules('import subprocess, shlex\nsubprocess.run(shlex.split("rm -rf /"))\n') == ["SH301"]
    assert rules('import asyncio\nasyncio.create_subprocess_exec("rm", "-rf", "/")\n') == ["SH301"]
    assert rules('from invoke import task\n@task\ndef down(c):\n    c.run("terraform destroy -auto-approve")\n') == [
        "SH101"
    ]


def test_disguised_commands_flag():
    assert rules('import subprocess\nsubprocess.run(["bash", "-c", "terraform destroy -auto-approve"])\n') == ["SH101"]
    assert rules('import subprocess\nsubprocess.run(["sudo", "rm", "-rf", "/"])\n') == ["SH301"]
    code = 'import subprocess\nARGS = ["terraform", "destroy", "-auto-approve"]\nsubprocess.run(ARGS)\n'
    assert rules(code) == ["SH101"]


def test_clean_processes():
    for code in (
        'import subprocess\nsubprocess.run(["terraform", "plan"])\n',
        'import subprocess\nsubprocess.run(["git", "commit", "-m", "terraform destroy -auto-approve"])\n',
        'import os\nos.system("rm -rf /tmp/build-cache")\n',
        'import subprocess, sys\nsubprocess.run([sys.executable, "-m", "pip", "install", "."])\n',
        "import subprocess\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n",
        'import os\ndef show(cmd, path):\n    os.system(cmd + " " + path)\n',
        'import subprocess\nsubprocess.run(["echo", "rm -rf /"])\n',
    ):
        assert rules(code) == [], code


def test_run_that_is_not_a_process():
    assert rules('import asyncio\nasyncio.run(main("terraform destroy -auto-approve"))\n') == []
    assert rules('app.run("terraform destroy -auto-approve")\n') == []


# --- production context ----------------------------------------------------------------------------------


def test_connection_to_production_raises_a_finding():
    code = (
        'from sqlalchemy import create_engine, text\nengine = create_engine("postgresql://app@prod-db.internal/app")\n'
        'with engine.begin() as conn:\n    conn.execute(text("DELETE FROM users WHERE last_login IS NULL"))\n'
    )
    [finding] = check_text(code, filename="job.py")
    assert (finding.rule_id, finding.severity.label) == ("SQL104", "error")  # a warning, raised for production
    assert "prod-db.internal" in finding.message


def test_constant_url_and_profile_name_are_evidence():
    url = 'import psycopg2\nDSN = "postgresql://app@db.prod.example.com/app"\nconn = psycopg2.connect(DSN)\nconn.execute("x")\n'
    assert parse(url).production == ("connect()'db.prod.example.com' in this file",)
    profile = 'import boto3\nsession = boto3.Session(profile_name="production")\nsession.client("s3").delete_bucket(Bucket="b")\n'
    assert parse(profile).production == ("profile_name='production' in this file",)
    environment = 'import os\nos.environ["APP_ENV"] = "production"\nos.remove("x")\n'
    assert parse(environment).production


def test_environment_gate_is_not_evidence():
    code = (
        'import os, sys\nif os.environ.get("APP_ENV") == "production":\n    sys.exit("refusing to run in production")\n'
        'cur.execute("DELETE FROM sessions WHERE expires_at < now()")\n'
    )
    assert parse(code).production == ()
    assert rules(code) == []


def test_staging_connection_is_not_production():
    code = 'import psycopg2\nconn = psycopg2.connect(host="staging-db", dbname="app")\nconn.cursor().execute("DELETE FROM t WHERE x IS NULL")\n'
    [finding] = check_text(code, filename="job.py")
    assert finding.severity.label == "warning"


# --- suppressions ------------------------------------------------------------------------------------------


def test_python_comment_suppresses_with_a_reason():
    code = 'cur.execute("DELETE FROM scratch")  # blastguard: ignore[SQL101] scratch table emptied nightly\n'
    [finding] = check_text(code, filename="job.py")
    assert finding.suppression is not None
    assert rules('cur.execute("DELETE FROM scratch")  # blastguard: ignore[SQL101]\n') == ["BG001", "SQL101"]


def test_a_hash_inside_a_string_is_not_a_comment():
    assert rules('cur.execute("DELETE FROM t # blastguard: ignore[SQL101] nope")\n') == ["SQL101"]


# --- parsing ---------------------------------------------------------------------------------------------------


def test_only_statements_that_can_execute_are_parsed():
    code = 'import os\n\ndef harmless():\n    return 1 +\n\ndef wipe():\n    os.system("rm -rf /")\n'
    document = parse(code)
    assert document.problems == []  # the broken statement has no execution point, so it was never parsed
    assert rules(code) == ["SH301"]


def test_a_broken_statement_that_matters_is_reported_and_the_rest_still_checked():
    code = 'import os\n\ndef broken():\n    os.system("rm -rf /") +\n\ndef wipe():\n    os.system("rm -rf /")\n'
    result_rules = rules(code)
    document = parse(code)
    assert len(document.problems) == 1 and "syntax error" in document.problems[0].message
    assert result_rules == ["SH301"]


def test_python2_is_skipped_with_a_notice(project):
    path = project / "legacy.py"
    path.write_text('import os\nprint "cleaning"\nos.system("rm -rf /")\n')
    result = run_cli("check", "--format", "json", path.name, cwd=project)
    report = json_out(result)
    assert report["findings"] == []
    assert any("Python 2" in n["message"] for n in report["notifications"])


def test_python_files_are_found_by_extension_and_shebang(project):
    (project / "tool").write_text('#!/usr/bin/env python3\nimport os\nos.system("rm -rf /")\n')
    (project / "job.py").write_text('import os\nos.system("rm -rf ~")\n')
    result = run_cli("check", "--format", "json", ".", cwd=project)
    assert sorted(f["path"] for f in json_out(result)["findings"]) == ["job.py", "tool"]


def test_chunks_cover_the_file_and_start_at_top_level_statements():
    code = (
        'import os\n@decorator\n# note\ndef f():\n    x = """\ndef not_a_start():\n"""\n    return (\n1)\n'
        "if x:\n    pass\nelse:\n    pass\nclass C:\n    pass\n"
    )
    chunks = split(code)
    assert "".join(code[c.start : c.end] for c in chunks) == code
    starts = [code[c.start : c.end].split("\n", 1)[0] for c in chunks]
    assert starts == ["import os", "@decorator", "if x:", "class C:"]
    assert [c.kind for c in chunks] == ["simple", "definition", "compound", "definition"]


def test_python_run_inline_by_a_shell_script_is_read_as_python():
    script = (
        "python3 -c 'import shutil; shutil.rmtree(\"/var/lib/postgresql\")'\n"
        "python3 - <<'PY'\nimport os\nos.system(\"terraform destroy -auto-approve\")\nPY\n"
        "python3 -u -c 'print(\"DROP TABLE users\")'\npython3 tool.py\n"
    )
    assert findings(script, filename="run.sh") == [("PY301", "error", 1, 28, 1, 64), ("SH101", "error", 4, 12, 4, 43)]


def test_a_program_whose_name_is_only_known_at_run_time_is_not_judged():
    for code in (
        'import subprocess, os, sys\nsubprocess.run([os.path.join(os.path.dirname(sys.executable), name), "-E"])\n',
        "import os\ndef f(vcvars, arch):\n    os.popen('\"%s\" %s & set' % (vcvars, arch))\n",
    ):
        assert rules(code) == [], code
    assert rules('import subprocess\nsubprocess.run([venv / "bin" / "rm", "-rf", "/"])\n') == ["SH301"]


def test_very_long_and_deeply_nested_code_does_not_exhaust_the_stack():
    concatenated = "cur.execute(\n" + '    "SELECT 1;"\n' * 1500 + '    "DELETE FROM users"\n)\n'
    assert rules(concatenated) == ["SQL101"]
    nested = "import os\nx = " + "[" * 900 + "]" * 900 + "\nos.system('rm -rf /')\n"
    assert rules(nested) == ["SH301"]


def test_a_command_built_by_a_call_is_not_judged_and_loses_nothing_else():
    code = (
        'import subprocess\nsubprocess.run(get_cmd())\nsubprocess.run(build("x"))\nsubprocess.run(["rm", "-rf", "/"])\n'
    )
    assert findings(code) == [("SH301", "error", 4, 18, 4, 32)]


def test_a_delete_verb_followed_only_by_run_time_values_is_another_tools_command():
    # A debugger's `delete 3` (a breakpoint), not SQL: SQL names its table after DELETE FROM.
    assert rules('def clear(bp):\n    gdb.execute("delete %s" % bp)\n') == []
    assert rules('def clear(table):\n    cursor.execute("DELETE FROM %s" % table)\n') == ["SQL101"]
    assert rules('cursor.execute("DELETE users")\n') == ["SQL101"]
