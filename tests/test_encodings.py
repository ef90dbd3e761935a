"""Files that are not plain UTF-8 are read, not skipped: byte-order marks (UTF-8, UTF-16, UTF-32), and a
CP-1252 / Latin-1 fallback, with findings at the line and column an editor shows. What is not text at
all, in a file whose name blastguard reads, is BG005 (a warning, so the default fail-on fails); a file
whose name blastguard does not read stays silent. Every entry point gets the same treatment. Nothing
here is ever run."""

import codecs
import json

import pytest

from blastguard.config import Config
from blastguard.sources import Undecodable, decode
from conftest import err, git, json_out, out, run_cli
from hook_calls import CLEAN_ENV, claude

# Accented characters before the statement on its line: in Latin-1 each is one byte and one column.
LATIN1_SQL = "-- nettoyage du café\nSELECT 1;\nSELECT 'été'; DELETE FROM users;\n"
DELETE_AT = (3, 15, 3, 32)  # `DELETE FROM users`, columns as an editor counts characters
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" + bytes(range(256))


def regions(report: dict, rule: str) -> list[tuple]:
    return [
        (f["path"], *(f["region"][k] for k in ("start_line", "start_column", "end_line", "end_column")))
        for f in report["findings"]
        if f["rule_id"] == rule
    ]


def check_json(project, *args, stdin=None):
    result = run_cli("check", *args, "--format", "json", cwd=project, stdin=stdin)
    assert "Traceback" not in err(result)
    return result, json_out(result)


# --- check PATH ---------------------------------------------------------------------------------------


def test_latin1_sql_is_flagged_at_the_column_an_editor_shows(project):
    (project / "purge.sql").write_bytes(LATIN1_SQL.encode("latin-1"))
    result, report = check_json(project, "purge.sql")
    assert result.returncode == 1
    assert regions(report, "SQL101") == [("purge.sql", *DELETE_AT)]
    assert report["notifications"] == []
    assert [f["snippet"] for f in report["findings"]] == ["DELETE FROM users"]


@pytest.mark.parametrize(
    "codec, bom",
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-32-be", codecs.BOM_UTF32_BE),
        ("utf-8", codecs.BOM_UTF8),
    ],
)
def test_a_file_with_a_byte_order_mark_is_decoded_by_it(project, codec, bom):
    # SQL Server Management Studio exports UTF-16 LE with a BOM, with CRLF line ends.
    text = LATIN1_SQL.replace("\n", "\r\n")
    (project / "export.sql").write_bytes(bom + text.encode(codec))
    result, report = check_json(project, ".")
    assert result.returncode == 1
    assert regions(report, "SQL101") == [("export.sql", *DELETE_AT)]
    assert report["notifications"] == []


def test_a_cp1252_shell_script_with_smart_quotes_is_read(project):
    # 0x93 and 0x94 are “ and ” in CP-1252 and invalid in UTF-8.
    script = "#!/bin/sh\necho \u201cd\u00e9ploiement termin\u00e9\u201d; rm -rf /\n"
    (project / "deploy.sh").write_bytes(script.encode("cp1252"))
    (project / "cleanup").write_bytes(script.encode("cp1252"))  # no extension: read by its `#!` line
    result, report = check_json(project, ".")
    assert result.returncode == 1
    assert sorted(regions(report, "SH301")) == [("cleanup", 2, 29, 2, 37), ("deploy.sh", 2, 29, 2, 37)]


def test_utf16_script_without_extension_is_recognised_by_its_shebang(project):
    script = "#!/bin/bash\nrm -rf /\n"
    (project / "wipe").write_bytes(codecs.BOM_UTF16_LE + script.encode("utf-16-le"))
    _, report = check_json(project, ".")
    assert regions(report, "SH301") == [("wipe", 2, 1, 2, 9)]


def test_a_binary_file_named_sql_is_a_finding_not_a_notice(project):
    (project / "dump.sql").write_bytes(PNG)
    result, report = check_json(project, ".")
    assert result.returncode == 1  # the default fail-on is warning
    assert [(f["rule_id"], f["severity"], f["path"]) for f in report["findings"]] == [("BG005", "warning", "dump.sql")]
    assert "not text" in report["findings"][0]["message"]
    text = run_cli("check", "dump.sql", cwd=project)
    assert text.returncode == 1 and "BG005" in out(text)


def test_bytes_without_a_nul_that_are_no_text_are_binary_too(project):
    (project / "blob.sh").write_bytes(bytes(range(1, 256)) * 8)
    result, report = check_json(project, "blob.sh")
    assert result.returncode == 1
    assert [f["rule_id"] for f in report["findings"]] == ["BG005"]


def test_a_png_and_other_files_blastguard_does_not_read_stay_silent(project):
    (project / "logo.png").write_bytes(PNG)
    (project / "program").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
    (project / "ok.sql").write_text("SELECT 1;\n")
    result, report = check_json(project, ".")
    assert result.returncode == 0
    assert report["findings"] == [] and report["notifications"] == []
    named, report = check_json(project, "logo.png")  # named on the command line: a note, as any other type
    assert named.returncode == 0 and report["findings"] == []


def test_python_follows_its_coding_line(project):
    source = "import shutil\n# r\u00e9pertoire\nshutil.rmtree('/')\n"
    (project / "declared.py").write_bytes(b"# -*- coding: latin-1 -*-\n" + source.encode("latin-1"))
    (project / "undeclared.py").write_bytes(source.encode("latin-1"))  # Python itself refuses to run it
    _, report = check_json(project, ".")
    found = {(f["rule_id"], f["path"], f["region"]["start_line"]) for f in report["findings"]}
    assert ("BG005", "undeclared.py", 1) in found
    assert any(rule != "BG005" and path == "declared.py" and line == 4 for rule, path, line in found)
    assert not any(path == "undeclared.py" and rule != "BG005" for rule, path, _ in found)


def test_a_latin1_file_a_script_runs_is_read_too(project):
    (project / "purge.sql").write_bytes(LATIN1_SQL.encode("latin-1"))
    (project / "run.sh").write_text("psql -f purge.sql\n")
    _, report = check_json(project, "run.sh")
    assert [f["rule_id"] for f in report["findings"]] == ["SQL101"]
    assert "line 3" in report["findings"][0]["message"]


# --- stdin -------------------------------------------------------------------------------------------


def test_stdin_latin1_bytes_are_read(project):
    data = LATIN1_SQL.encode("latin-1")
    result, report = check_json(project, "-", "--stdin-filename", "purge.sql", stdin=data)
    assert result.returncode == 1
    assert regions(report, "SQL101") == [("purge.sql", *DELETE_AT)]
    unnamed, report = check_json(project, "-", stdin=b"DELETE FROM users; -- \xe9t\xe9\n")
    assert unnamed.returncode == 1 and [f["rule_id"] for f in report["findings"]] == ["SQL101"]


def test_stdin_binary_data_is_a_finding(project):
    result, report = check_json(project, "-", "--stdin-filename", "dump.sql", stdin=PNG)
    assert result.returncode == 1
    assert [(f["rule_id"], f["path"]) for f in report["findings"]] == [("BG005", "dump.sql")]


# --- --staged and --diff -----------------------------------------------------------------------------


def test_staged_files_are_decoded_and_binary_sql_is_a_finding(repo):
    (repo / "seed.sql").write_text("SELECT 1;\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "seed")
    (repo / "purge.sql").write_bytes(codecs.BOM_UTF16_LE + LATIN1_SQL.encode("utf-16-le"))
    (repo / "latin.sql").write_bytes(LATIN1_SQL.encode("latin-1"))
    (repo / "dump.sql").write_bytes(PNG)
    (repo / "logo.png").write_bytes(PNG)
    git(repo, "add", ".")
    for mode in ("--staged", "--diff"):
        result = run_cli("check", mode, "--format", "json", cwd=repo)
        assert "Traceback" not in err(result)
        report = json_out(result)
        assert result.returncode == 1
        assert sorted(regions(report, "SQL101")) == [("latin.sql", *DELETE_AT), ("purge.sql", *DELETE_AT)]
        assert [f["path"] for f in report["findings"] if f["rule_id"] == "BG005"] == ["dump.sql"]
        assert not any("logo.png" in (n["path"] or "") for n in report["notifications"])


def test_a_change_to_a_file_that_was_latin1_is_compared_with_its_old_text(repo):
    (repo / "purge.sql").write_bytes(LATIN1_SQL.encode("latin-1"))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "purge")
    (repo / "purge.sql").write_bytes(("-- caf\u00e9 ouvert\n" + LATIN1_SQL).encode("latin-1"))
    result = run_cli("check", "--diff", "--format", "json", cwd=repo)
    assert result.returncode == 0, out(result)  # the DELETE was already there: nothing new
    assert json_out(result)["findings"] == []


# --- the agent hook, the MCP server, the action -----------------------------------------------------


def hook(payload, project):
    home = project / "home"
    home.mkdir(exist_ok=True)
    result = run_cli("hook", stdin=json.dumps(payload), cwd=project, env={**CLEAN_ENV, "HOME": str(home)})
    assert result.returncode == 0 and "Traceback" not in err(result)
    return out(result)


def test_hook_edit_of_a_latin1_file_on_disk(project):
    script = project / "purge.sql"
    script.write_bytes(
        "-- purge des sessions expir\u00e9es\nDELETE FROM sessions\nWHERE expires_at < now();\n".encode("latin-1")
    )
    removes_where = claude(
        "Edit", {"file_path": str(script), "old_string": "\nWHERE expires_at < now();", "new_string": ";"}, project
    )
    answer = json.loads(hook(removes_where, project))["hookSpecificOutput"]
    assert answer["permissionDecision"] == "deny"
    assert "[SQL101 unbounded-delete, line 2]" in answer["permissionDecisionReason"]
    harmless = claude(
        "Edit",
        {"file_path": str(script), "old_string": "expir\u00e9es", "new_string": "p\u00e9rim\u00e9es"},
        project,
    )
    assert hook(harmless, project) == ""  # the accented old text is found in the decoded file


def test_mcp_check_file_reads_a_latin1_file_its_script_runs(project):
    from blastguard.interfaces.mcp_server import Checker

    (project / "purge.sql").write_bytes(LATIN1_SQL.encode("latin-1"))
    checker = Checker(Config(), root=str(project))
    result = checker.check_file(str(project / "run.sh"), "psql -f purge.sql\n")
    assert result["decision"] == "deny"
    assert [f["rule_id"] for f in result["findings"]] == ["SQL101"]


def test_the_action_scan_reads_encodings_and_reports_binary_sql(project, monkeypatch):
    from blastguard.interfaces import action

    monkeypatch.chdir(project)
    (project / "export.sql").write_bytes(codecs.BOM_UTF16_BE + LATIN1_SQL.encode("utf-16-be"))
    (project / "dump.sql").write_bytes(PNG)
    report, _, session = action.scan([str(project)], None, "the tree")
    found = sorted((f.rule_id, f.path) for f in report.findings)
    assert found == [("BG005", "dump.sql"), ("SQL101", "export.sql")]
    assert session.failing(report.findings)


# --- decoding itself ---------------------------------------------------------------------------------


def test_one_byte_is_one_character_in_the_fallbacks():
    data = bytes(range(0x20, 0x7F)) + bytes(range(0xA0, 0x100)) + b"\x80\x93\x94\x81\x8d"
    text = decode(data + b"\n" * 4000, "sql")
    assert len(text) == len(data) + 4000
    assert text[: len(data)] == data.decode("latin-1")  # 0x81 and 0x8d are not CP-1252: Latin-1 throughout
    assert decode(b"echo \x93done\x94 \x80", "shell") == "echo \u201cdone\u201d \u20ac"  # CP-1252 where it applies


def test_an_invalid_byte_after_a_bom_is_undecodable():
    with pytest.raises(Undecodable):
        decode(codecs.BOM_UTF16_LE + b"S\x00\x00\xd8", "sql")  # a lone surrogate
    with pytest.raises(Undecodable):
        decode(b"\x00\x01\x02binary", "sql")


def test_hook_bash_reads_a_latin1_script_it_runs(project):
    (project / "clean.sh").write_bytes("echo 'caf\u00e9 pr\u00eat'\nrm -rf /\n".encode("latin-1"))
    answer = json.loads(hook(claude("Bash", {"command": "sh clean.sh"}, project), project))["hookSpecificOutput"]
    assert answer["permissionDecision"] == "deny" and "SH301" in answer["permissionDecisionReason"]


def test_with_bg005_ignored_for_the_path_a_binary_sql_is_a_notice_not_an_error(project):
    (project / "blastguard.toml").write_text('[per-path-ignores]\n"dumps/*" = ["BG005"]\n')
    (project / "dumps").mkdir()
    (project / "dumps" / "prod.sql").write_bytes(PNG)
    result, report = check_json(project, ".")
    assert result.returncode == 0  # switched off on purpose: not a crash, not a failure
    assert report["findings"] == []
    assert [(n["path"], n["kind"]) for n in report["notifications"]] == [("dumps/prod.sql", "skipped")]


def test_a_patch_to_a_latin1_file_applies_to_its_decoded_text(project):
    (project / "purge.sql").write_bytes("-- caf\u00e9\nDELETE FROM sessions WHERE expired;\n".encode("latin-1"))
    patch = (
        "--- a/purge.sql\n+++ b/purge.sql\n@@ -1,2 +1,2 @@\n -- caf\u00e9\n"
        "-DELETE FROM sessions WHERE expired;\n+DELETE FROM sessions;\n"
    )
    result = run_cli("check", "--diff-file", "-", "--format", "json", cwd=project, stdin=patch)
    assert "Traceback" not in err(result)
    assert result.returncode == 1
    assert regions(json_out(result), "SQL101") == [("purge.sql", 2, 1, 2, 21)]
