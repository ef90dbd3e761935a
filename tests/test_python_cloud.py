"""Cloud SDK teardowns and cache flushes in Python, through the real command line (PY401, PY402).

The scanned files are written to a temporary project and only analysed, never imported or run.
"""

from conftest import json_out, out, run_cli


def _findings(project, name: str, text: str) -> list[tuple]:
    (project / name).write_text(text)
    result = run_cli("check", name, "--format", "json", cwd=project)
    findings = json_out(result)["findings"]
    assert result.returncode == (1 if findings else 0), out(result)
    return [(f["rule_id"], f["severity"], f["region"]) for f in findings]


def _region(start_line: int, start_column: int, end_line: int, end_column: int) -> dict:
    return {"start_line": start_line, "start_column": start_column, "end_line": end_line, "end_column": end_column}


def test_rds_teardown_without_final_snapshot_is_an_error(project):
    text = (
        "import boto3\n"
        "\n"
        'rds = boto3.client("rds")\n'
        "rds.delete_db_instance(\n"
        '    DBInstanceIdentifier="orders",\n'
        "    SkipFinalSnapshot=True,\n"
        "    DeleteAutomatedBackups=True,\n"
        ")\n"
    )
    assert _findings(project, "teardown.py", text) == [("PY401", "error", _region(4, 1, 8, 2))]
    message = json_out(run_cli("check", "teardown.py", "--format", "json", cwd=project))["findings"][0]["message"]
    assert "'orders'" in message and "no final snapshot" in message and "DeleteAutomatedBackups=True" in message


def test_rds_teardown_keeping_a_final_snapshot_is_clean(project):
    text = (
        "import boto3\n"
        'rds = boto3.client("rds")\n'
        'rds.delete_db_instance(DBInstanceIdentifier="orders", FinalDBSnapshotIdentifier="orders-final")\n'
    )
    assert _findings(project, "teardown.py", text) == []


def test_terminate_instances_is_an_error_only_with_a_production_profile(project):
    production = (
        "import boto3\n"
        "\n"
        'session = boto3.Session(profile_name="prod")\n'
        'ec2 = session.client("ec2")\n'
        'ec2.terminate_instances(InstanceIds=["i-0abc"])\n'
    )
    assert _findings(project, "scale_down.py", production) == [("PY401", "error", _region(5, 1, 5, 48))]

    anywhere = (
        "import boto3\n"
        "\n"
        "session = boto3.Session()\n"
        'ec2 = session.client("ec2")\n'
        'ec2.terminate_instances(InstanceIds=["i-0abc"])\n'
    )
    assert _findings(project, "scale_down.py", anywhere) == []


def test_redis_flushall_is_a_warning(project):
    text = (
        'import redis\n\nr = redis.Redis(host="localhost", port=6379)\nif reset:\n    r.flushall(asynchronous=True)\n'
    )
    assert _findings(project, "reset_cache.py", text) == [("PY402", "warning", _region(5, 5, 5, 34))]


def test_redis_flush_on_a_production_host_is_an_error(project):
    text = 'import redis\nr = redis.Redis(host="redis.prod.internal")\nr.flushdb()\n'
    assert _findings(project, "reset_cache.py", text) == [("PY402", "error", _region(3, 1, 3, 12))]


def test_redis_flush_sent_raw_is_found_through_a_constant(project):
    text = 'import redis\nFLUSH = "FLUSHDB"\nredis.Redis().execute_command(FLUSH)\n'
    assert _findings(project, "reset_cache.py", text) == [("PY402", "warning", _region(3, 1, 3, 37))]
