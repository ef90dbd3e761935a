"""Terraform HCL: exact spans, literal evaluation, files python-hcl2 cannot parse, production context."""

from blastguard.api import check_text
from blastguard.context import Context
from blastguard.frontends.terraform.hcl import Expr, TerraformFrontend
from blastguard.sources import Source
from conftest import err, json_out, out, run_cli

RDS = """resource "aws_db_instance" "main" {
  identifier          = "app"
  deletion_protection = false
  skip_final_snapshot = true
}
"""


def findings(hcl, filename="main.tf"):
    return [
        (
            f.rule_id,
            f.severity.label,
            f.region.start_line,
            f.region.start_column,
            f.region.end_line,
            f.region.end_column,
        )
        for f in check_text(hcl, filename=filename)
        if f.suppression is None
    ]


def parse(hcl):
    return TerraformFrontend().parse(Source("main.tf", hcl, "terraform", Context()))


def test_findings_point_at_the_exact_attribute():
    assert findings(RDS) == [("TF101", "error", 3, 3, 3, 30), ("TF102", "error", 4, 3, 4, 29)]


def test_literal_values_and_expressions():
    doc = parse(
        'resource "x" "y" {\n  a = true\n  b = 0\n  c = "it\\"s"\n  d = "app-${var.env}"\n  e = var.f\n'
        '  g = ["a", 1]\n  h = -1\n}\n'
    )
    values = {name: a.value for name, a in doc.blocks[0].attributes.items()}
    assert values["a"] is True and values["b"] == 0 and values["c"] == 'it"s'
    assert values["d"] == Expr('"app-${var.env}"') and values["e"] == Expr("var.f")
    assert values["g"] == ["a", 1] and values["h"] == Expr("-1")


def test_non_literal_protection_is_not_judged():
    assert findings('resource "aws_db_instance" "m" {\n  deletion_protection = var.protect\n}\n') == []


def test_module_inputs_are_checked():
    hcl = 'module "db" {\n  source              = "terraform-aws-modules/rds/aws"\n  deletion_protection = false\n}\n'
    assert findings(hcl) == [("TF101", "error", 3, 3, 3, 30)]


def test_non_stateful_resource_is_a_warning_not_an_error():
    assert findings('resource "aws_lb" "api" {\n  enable_deletion_protection = false\n}\n') == [
        ("TF101", "warning", 2, 3, 2, 37)
    ]


def test_configured_stateful_types_extend_the_list(project):
    (project / "blastguard.toml").write_text('stateful-types = ["acme_ledger"]\n')
    (project / "main.tf").write_text(
        'resource "acme_ledger" "l" {\n  lifecycle {\n    prevent_destroy = false\n  }\n}\n'
    )
    result = run_cli("check", ".", "--format", "json", cwd=project)
    assert [f["rule_id"] for f in json_out(result)["findings"]] == ["TF105"]


def test_comments_and_strings_are_not_settings():
    hcl = (
        '# deletion_protection = false\n/* skip_final_snapshot = true */\nresource "aws_db_instance" "m" {\n'
        '  tags = { note = "deletion_protection = false" }\n}\n'
    )
    assert findings(hcl) == []


def test_suppression_in_an_hcl_comment():
    hcl = (
        'resource "aws_s3_bucket" "scratch" {\n'
        "  force_destroy = true # blastguard: ignore[TF104] scratch bucket, emptied every night\n}\n"
    )
    assert findings(hcl) == []


def test_production_backend_raises_severity_and_is_noted():
    hcl = (
        'terraform {\n  backend "s3" {\n    bucket = "acme-prod-state"\n  }\n}\n'
        'resource "aws_db_instance" "m" {\n  lifecycle {\n    prevent_destroy = false\n  }\n}\n'
    )
    found = check_text(hcl, filename="main.tf")
    by_rule = {f.rule_id: f for f in found}
    assert by_rule["TF107"].severity.label == "note"
    assert by_rule["TF105"].severity.label == "error"  # a warning, raised by the production backend
    assert 'The target looks like production (backend s3 bucket = "acme-prod-state")' in by_rule["TF105"].message


def test_production_names_are_whole_tokens():
    hcl = (
        'provider "aws" {\n  profile = "product-team"\n}\n'
        'variable "env" {\n  description = "production-grade settings"\n  default = "staging"\n}\n'
    )
    assert findings(hcl) == []


def test_production_evidence_from_a_sibling_file(project):
    (project / "backend.tf").write_text('terraform {\n  backend "gcs" {\n    bucket = "tf-state-live"\n  }\n}\n')
    (project / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  force_destroy = true\n}\n')
    data = json_out(run_cli("check", "main.tf", "--format", "json", cwd=project))
    (finding,) = data["findings"]
    assert finding["rule_id"] == "TF104"
    assert '(backend gcs bucket = "tf-state-live" (in backend.tf))' in finding["message"]


def test_production_names_are_configurable(project):
    (project / "blastguard.toml").write_text('production-names = ["critical"]\n')
    (project / "main.tf").write_text(
        'provider "aws" {\n  profile = "prod"\n}\nprovider "google" {\n  project = "critical-1"\n}\n'
    )
    found = json_out(run_cli("check", ".", "--format", "json", "--fail-on", "note", cwd=project))["findings"]
    assert [(f["rule_id"], f["region"]["start_line"]) for f in found] == [("TF107", 5)]


def test_unparsable_file_falls_back_to_line_level_and_says_so(project):
    broken = 'resource "aws_db_instance" "m" {\n  deletion_protection = false\n  oops = = 1\n}\n# skip_final_snapshot = true\n'
    (project / "main.tf").write_text(broken)
    result = run_cli("check", ".", cwd=project)
    assert result.returncode == 1
    assert "main.tf:2:3: TF101 error Deletion protection is switched off on a resource in this unparsable file" in out(
        result
    )
    assert "SQL" not in out(result) and "TF102" not in out(result)  # the commented-out line stays clean
    assert "main.tf:" in err(result) and "could not be parsed as HCL" in err(result)


def test_heredoc_end_marker_with_trailing_spaces_and_non_ascii_identifiers_still_parse():
    hcl = (
        'locals {\n  café = 1\n  policy = <<EOT\n{"a": 1}\nEOT   \n}\n'
        'resource "aws_s3_bucket" "b" {\n  force_destroy = true\n}\n'
    )
    doc = parse(hcl)
    assert doc.problems == []
    assert findings(hcl) == [("TF104", "error", 8, 3, 8, 23)]


def test_bom_does_not_shift_columns(project):
    (project / "main.tf").write_bytes("\ufeff".encode() + RDS.encode())
    data = json_out(run_cli("check", ".", "--format", "json", cwd=project))
    assert [(f["rule_id"], f["region"]["start_line"], f["region"]["start_column"]) for f in data["findings"]] == [
        ("TF101", 3, 3),
        ("TF102", 4, 3),
    ]


def test_removed_block_span_and_severity():
    hcl = "removed {\n  from = aws_iam_role.ci\n}\nremoved {\n  from = aws_db_instance.old\n  lifecycle {\n    destroy = true\n  }\n}\n"
    assert findings(hcl) == [("TF106", "warning", 1, 1, 1, 8), ("TF106", "error", 7, 5, 7, 19)]


def test_degenerate_inputs_do_not_crash():
    for text in ["", "{", "resource", 'resource "a" {', "}}}}", "\x00\x01", "a = <<EOT\nno end"]:
        assert all(f.rule_id.startswith("TF") for f in check_text(text, filename="main.tf"))
