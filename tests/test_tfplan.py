"""Terraform plan JSON (`terraform show -json`): the rules on realistic plans, through the real command line."""

import json
import shutil
from pathlib import Path

import pytest

from blastguard.context import Context, Production
from blastguard.frontends.terraform.plan import PlanFrontend
from blastguard.rules.tfplan._examples import change, plan, prior
from blastguard.sources import Source
from conftest import json_out, out, run_cli

DATA = Path(__file__).parent / "data" / "tfplan"


def _check(project, name: str, text: str | None = None, config: str | None = None):
    """Check one plan in a fresh project: the CLI's result and its JSON report."""
    path = project / name
    if text is None:
        shutil.copy(DATA / name, path)
    else:
        path.write_text(text, encoding="utf-8")
    if config is not None:
        (project / "blastguard.toml").write_text(config)
    result = run_cli("check", name, "--format", "json", cwd=project)
    assert result.returncode != 2, result.stderr.decode()
    return result, json_out(result)


def _found(report) -> list[tuple]:
    return [
        (f["rule_id"], f["severity"], f["region"]["start_line"], f["region"]["start_column"])
        for f in report["findings"]
    ]


def _messages(report, rule_id: str) -> list[str]:
    return [f["message"] for f in report["findings"] if f["rule_id"] == rule_id]


def _parse(text: str, **context):
    return PlanFrontend().parse(Source("plan.json", text, "terraform-plan", Context(**context)))


# --- the rules on realistic plans ------------------------------------------------------------------


def test_rds_instance_replaced_because_its_identifier_changed(project):
    result, report = _check(project, "rds_replaced.json")
    assert result.returncode == 1
    assert _found(report) == [("TFP102", "error", 86, 18)]
    finding = report["findings"][0]
    assert finding["region"]["end_column"] == 18 + len('"aws_db_instance.orders"')
    assert finding["snippet"] == '"aws_db_instance.orders"'
    message = finding["message"]
    assert message.startswith(
        "The plan replaces aws_db_instance.orders because an argument that cannot change in "
        "place changed (replace_because_cannot_update): the old one is destroyed before"
    )
    assert "Forced by: identifier." in message
    assert "holds data" in message
    assert "production" not in message  # its profile, acme-staging, is not production


def test_bucket_deleted_because_its_block_was_removed(project):
    result, report = _check(project, "bucket_removed.json")
    assert result.returncode == 1
    assert _found(report) == [
        ("TFP101", "error", 69, 18),
        ("TFP103", "warning", 69, 18),
        ("TFP101", "warning", 96, 18),
        ("TFP103", "warning", 96, 18),
    ]
    stateful, other = _messages(report, "TFP101")
    assert stateful.startswith(
        "The plan deletes aws_s3_bucket.assets because its resource block is no longer in "
        "the configuration (delete_because_no_resource_config). Its type, aws_s3_bucket, holds data"
    )
    assert other.startswith("The plan deletes aws_s3_bucket_public_access_block.assets because")
    accident = _messages(report, "TFP103")[0]
    assert "aws_s3_bucket.assets" in accident and "delete_because_no_resource_config" in accident
    assert "`prevent_destroy`" in accident and "`removed` block" in accident


def test_protection_turned_off_in_a_production_account(project):
    result, report = _check(project, "protection_off.json")
    assert result.returncode == 1
    # Escalated from warning: the provider assumes a production role. The bastion keeps
    # disable_api_termination false -> false, which is no change of protection.
    assert _found(report) == [("TFP104", "error", 75, 18)]
    message = report["findings"][0]["message"]
    assert message.startswith(
        "The plan turns off protection on aws_db_instance.billing in place: deletion_protection "
        "goes from true to false, so it can be deleted; skip_final_snapshot goes from false to true"
    )
    assert message.endswith(
        "The target looks like production (provider aws assume_role.role_arn = "
        '"arn:aws:iam::111122223333:role/prod-terraform-deployer").'
    )


def test_destroy_plan_of_a_whole_production_stack(project):
    result, report = _check(project, "destroy_stack.json")
    assert result.returncode == 1
    assert _found(report) == [
        ("TFP101", "error", 14, 18),
        ("TFP101", "error", 39, 18),
        ("TFP101", "error", 60, 18),  # a security group: a warning, escalated by `environment`
        ("TFP101", "error", 81, 18),
        ("TFP101", "error", 104, 18),
        ("TFP101", "error", 127, 18),
        ("TFP105", "error", 148, 3),
    ]
    assert report["findings"][-1]["snippet"] == '"prior_state"'
    radius = _messages(report, "TFP105")[0]
    # The data source in prior_state is not deleted by a destroy plan and does not count.
    assert radius.startswith(
        "The plan deletes all 6 managed resources in its prior state, as `terraform destroy` "
        "does. Counts by action: delete 6."
    )
    assert radius.endswith('The target looks like production (variable environment = "production").')
    security_group = _messages(report, "TFP101")[2]
    assert security_group.startswith("The plan deletes aws_security_group.db. Make sure the delete is meant.")
    assert security_group.endswith('(variable environment = "production").')


def test_clean_plan_of_creates_and_tag_updates(project):
    # Production evidence alone (environment, a shop-prod profile) is not a finding.
    result, report = _check(project, "clean.json", config="max-destroy = 1\n")
    assert result.returncode == 0
    assert report["findings"] == [] and report["notifications"] == []


def test_compact_one_line_plan_maps_escapes_deposed_objects_and_code_points(project):
    result, report = _check(project, "compact.json")
    assert result.returncode == 1
    # One line; columns count code points (a "Zoë" tag comes earlier on the line).
    assert _found(report) == [("TFP101", "error", 1, 1502), ("TFP101", "error", 1, 2602), ("TFP103", "error", 1, 2602)]
    line = (DATA / "compact.json").read_text(encoding="utf-8")
    assert line.index("Zoë") < 1502
    # The address appears four times; the finding is on the deposed object's entry.
    assert line[1501:].startswith(
        '"aws_db_instance.reports","mode":"managed","type":"aws_db_instance","name":"reports",'
        '"provider_name":"registry.terraform.io/hashicorp/aws","deposed":"7f3c2a1b"'
    )
    deposed, tenant = _messages(report, "TFP101")
    assert deposed.startswith("The plan deletes aws_db_instance.reports (deposed object 7f3c2a1b).")
    assert tenant.startswith(
        'The plan deletes aws_s3_bucket.tenant["müller&co"] because its key is no longer in '
        "`for_each` (delete_because_each_key)."
    )
    snippet = report["findings"][1]["snippet"]
    assert snippet == '"aws_s3_bucket.tenant[\\"müller\\u0026co\\"]"'
    assert report["findings"][1]["region"]["end_column"] == 2602 + len(snippet)
    # `forget` of aws_iam_role.legacy and the drifted queue's delete are no findings; the workspace
    # variable is production evidence, so the accidental delete is raised to an error.
    assert not any("legacy" in f["message"] or "retired" in f["message"] for f in report["findings"])
    assert _messages(report, "TFP103")[0].endswith('(variable workspace = "prod-eu").')


def test_plan_without_planned_values(project):
    result, report = _check(project, "no_planned_values.json")
    assert result.returncode == 1
    assert _found(report) == [("TFP102", "warning", 6, 18), ("TFP104", "warning", 75, 18)]
    replace, protection = (f["message"] for f in report["findings"])
    assert "aws_elasticache_replication_group.sessions" in replace
    assert "the new one is created before the old one is destroyed" in replace
    assert "Forced by: at_rest_encryption_enabled." in replace
    assert "aws_lb.public" in protection and "enable_deletion_protection goes from true to false" in protection


def test_plans_are_found_by_content_in_a_folder_and_on_stdin(project):
    shutil.copy(DATA / "rds_replaced.json", project / "tfplan-orders.out.json")
    result = run_cli("check", ".", cwd=project)
    assert out(result).startswith("tfplan-orders.out.json:86:18: TFP102 error The plan replaces aws_db_instance.orders")
    result = run_cli("check", "-", "--format", "json", stdin=(DATA / "rds_replaced.json").read_text(), cwd=project)
    assert _found(json_out(result)) == [("TFP102", "error", 86, 18)]


# --- configuration ---------------------------------------------------------------------------------


def test_max_destroy_from_blastguard_toml(project):
    _, report = _check(project, "destroy_stack.json", config="max-destroy = 5\n")
    radius = _messages(report, "TFP105")
    assert len(radius) == 2
    assert radius[0].startswith("The plan deletes 6 resources, more than max-destroy = 5. Counts by action: delete 6.")
    changes_key = [f for f in report["findings"] if f["rule_id"] == "TFP105"][0]
    assert (changes_key["snippet"], changes_key["region"]["start_line"]) == ('"resource_changes"', 12)
    _, report = _check(project, "destroy_stack.json", config="max-destroy = 6\n")
    assert len(_messages(report, "TFP105")) == 1  # only the destroy-equivalent plan


def test_max_destroy_counts_replaces(project):
    text = plan(
        change("aws_instance.web", ["delete", "create"], before={"ami": "ami-1"}, after={"ami": "ami-2"}),
        change("aws_instance.worker", ["create", "delete"], before={"ami": "ami-1"}, after={"ami": "ami-2"}),
        change("aws_security_group.old", ["delete"], before={"name": "old"}),
        change("aws_iam_role.ci", ["forget"], before={"name": "ci"}),
        change("aws_s3_bucket.logs", ["update"], before={"tags": {}}, after={"tags": {"a": "b"}}),
        prior_state=prior(
            "aws_instance.web", "aws_instance.worker", "aws_security_group.old", "aws_iam_role.ci", "aws_s3_bucket.logs"
        ),
    )
    _, report = _check(project, "plan.json", text, config="max-destroy = 2\n")
    assert _messages(report, "TFP105") == [
        "The plan deletes 3 resources (2 of them replaced), more than max-destroy = 2. Counts by action: update 1, "
        "delete 1, forget 1, delete-then-create 1, create-then-delete 1. Split it into smaller plans, or raise "
        "max-destroy if this is meant."
    ]


def test_no_blast_radius_finding_without_max_destroy(project):
    _, report = _check(project, "bucket_removed.json")
    assert _messages(report, "TFP105") == []


def test_stateful_types_from_configuration(project):
    text = plan(change("aws_lightsail_database.app", ["delete"], before={"relational_database_name": "app"}))
    _, report = _check(project, "plan.json", text)
    assert _found(report) == [("TFP101", "warning", 5, 17)]
    _, report = _check(project, "plan.json", text, config='stateful-types = ["aws_lightsail_database"]\n')
    assert _found(report) == [("TFP101", "error", 5, 17)]


# --- resources that hold no data --------------------------------------------------------------------


def _by_address(report) -> list[tuple]:
    return sorted((f["snippet"].strip('"'), f["rule_id"], f["severity"]) for f in report["findings"])


def test_plan_deleting_only_bookkeeping_resources_is_clean(project):
    removed = "delete_because_no_resource_config"
    text = plan(
        change("null_resource.migrate", ["delete"], before={"triggers": {"v": "3"}}, reason=removed),
        change("terraform_data.bootstrap", ["delete"], before={"input": "v3"}, reason=removed),
        change("random_password.admin", ["delete"], before={"length": 32}, reason=removed),
        change("time_sleep.settle", ["delete"], before={"create_duration": "30s"}, reason=removed),
        prior_state=prior(
            "null_resource.migrate", "terraform_data.bootstrap", "random_password.admin", "time_sleep.settle"
        ),
    )
    result, report = _check(project, "plan.json", text, config="max-destroy = 1\n")
    assert (result.returncode, report["findings"]) == (0, [])


def test_replacing_security_group_rules_is_clean(project):
    text = plan(
        change(
            "aws_security_group_rule.https",
            ["delete", "create"],
            before={"from_port": 443, "cidr_blocks": ["10.0.0.0/16"]},
            after={"from_port": 443, "cidr_blocks": ["10.0.0.0/8"]},
            reason="replace_because_cannot_update",
            replace_paths=[["cidr_blocks"]],
        ),
        change("aws_vpc_security_group_ingress_rule.ssh", ["create", "delete"], before={"from_port": 22}),
        change("google_compute_firewall.allow_lb", ["delete", "create"], before={"name": "allow-lb"}),
        change("null_resource.deploy", ["delete", "create"], before={"triggers": {"sha": "a1"}}),
    )
    result, report = _check(project, "plan.json", text)
    assert (result.returncode, report["findings"]) == (0, [])


def test_data_destruction_is_still_reported_beside_data_free_changes(project):
    text = plan(
        change("aws_security_group_rule.https", ["delete", "create"], before={"from_port": 443}),
        change("null_resource.migrate", ["delete"], before={"triggers": {"v": "3"}}),
        change("aws_db_instance.orders", ["delete"], before={"identifier": "orders"}),
        change("aws_s3_bucket.assets", ["delete", "create"], before={"bucket": "a"}, after={"bucket": "b"}),
        change("aws_iam_role.app", ["delete"], before={"name": "app"}),
        change("aws_instance.web", ["delete", "create"], before={"ami": "ami-1"}, after={"ami": "ami-2"}),
    )
    _, report = _check(project, "plan.json", text)
    assert _by_address(report) == [
        ("aws_db_instance.orders", "TFP101", "error"),
        ("aws_iam_role.app", "TFP101", "warning"),
        ("aws_instance.web", "TFP102", "warning"),
        ("aws_s3_bucket.assets", "TFP102", "error"),
    ]


def test_a_removed_block_of_a_data_free_type_is_not_an_accidental_delete(project):
    removed = "delete_because_no_resource_config"
    text = plan(
        change("aws_security_group_rule.office", ["delete"], before={"from_port": 22}, reason=removed),
        change("aws_s3_bucket_policy.assets", ["delete"], before={"bucket": "a"}, reason=removed),
    )
    _, report = _check(project, "plan.json", text)
    assert _by_address(report) == [
        ("aws_s3_bucket_policy.assets", "TFP101", "warning"),
        ("aws_s3_bucket_policy.assets", "TFP103", "warning"),
    ]


def test_stateful_types_overrides_the_data_free_lists(project):
    text = plan(
        change("random_password.ledger", ["delete"], before={"length": 32}),
        change("aws_security_group_rule.https", ["delete", "create"], before={"from_port": 443}),
    )
    config = 'stateful-types = ["random_password", "aws_security_group_rule"]\n'
    _, report = _check(project, "plan.json", text, config=config)
    assert _by_address(report) == [
        ("aws_security_group_rule.https", "TFP102", "error"),
        ("random_password.ledger", "TFP101", "error"),
    ]


def test_max_destroy_counts_what_exists_outside_the_state(project):
    bookkeeping = [change(f"null_resource.step{n}", ["delete"], before={"triggers": {}}) for n in range(3)]
    one = plan(change("aws_db_instance.orders", ["delete"], before={"identifier": "o"}), *bookkeeping)
    _, report = _check(project, "plan.json", one, config="max-destroy = 1\n")
    assert _messages(report, "TFP105") == []
    two = plan(
        change("aws_db_instance.orders", ["delete"], before={"identifier": "o"}),
        change("aws_security_group_rule.https", ["delete"], before={"from_port": 443}),
        *bookkeeping,
    )
    _, report = _check(project, "plan.json", two, config="max-destroy = 1\n")
    assert [m.split(",")[0] for m in _messages(report, "TFP105")] == ["The plan deletes 2 resources"]


def test_destroying_a_stack_is_reported_when_it_holds_more_than_bookkeeping(project):
    text = plan(
        change("aws_security_group_rule.https", ["delete"], before={"from_port": 443}),
        change("null_resource.migrate", ["delete"], before={"triggers": {}}),
        prior_state=prior("aws_security_group_rule.https", "null_resource.migrate"),
    )
    _, report = _check(project, "plan.json", text)
    [message] = _messages(report, "TFP105")
    assert message.startswith("The plan deletes all 2 managed resources in its prior state")


# --- production evidence ---------------------------------------------------------------------------


def test_provider_setting_from_a_variable_is_production_evidence():
    text = plan(
        change("aws_instance.web", ["delete"], before={"ami": "ami-1"}),
        variables={"aws_profile": {"value": "acme-prod"}, "env": {"value": "product-demo"}},
        configuration={
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"profile": {"references": ["var.aws_profile"]}}},
                "google": {"name": "google", "expressions": {"project": {"constant_value": "acme-live-4711"}}},
                "module.legacy:aws": {"name": "aws", "expressions": {"profile": {"references": ["var.aws_profile"]}}},
            }
        },
    )
    # `product-demo` holds no production token, and a module's `var.` is not the root variable.
    assert _parse(text).production == (
        'provider aws profile (from var.aws_profile) = "acme-prod"',
        'provider google project = "acme-live-4711"',
    )


def test_production_names_come_from_the_context():
    text = plan(change("aws_instance.web", ["delete"], before={}), variables={"stage": {"value": "live"}})
    assert _parse(text).production == ('variable stage = "live"',)
    assert _parse(text, names=Production(("prd",))).production == ()


# --- positions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.json")))
@pytest.mark.parametrize(
    "layout", [None, {"indent": 2}, {"indent": "\t", "ensure_ascii": True}, {"separators": (",", ":")}]
)
def test_every_address_span_decodes_to_its_address(name, layout):
    text = (DATA / name).read_text(encoding="utf-8")
    if layout is not None:
        text = json.dumps(json.loads(text), **layout).replace("\n", "\r\n")
    document = _parse(text)
    expected = json.loads(text)["resource_changes"]
    assert [c.address for c in document.changes] == [e["address"] for e in expected]
    for item in document.changes:
        assert json.loads(text[item.start : item.end]) == item.address
    assert document.problems == []


def test_an_entry_without_an_address_is_pointed_at_whole():
    text = '{"format_version":"1.2","terraform_version":"1.9.5","resource_changes":[ {"type":"aws_s3_bucket","change":{"actions":["delete"]}} ]}'
    (item,) = _parse(text).changes
    assert text[item.start : item.end] == '{"type":"aws_s3_bucket","change":{"actions":["delete"]}}'
    assert item.address == "resource_changes[0]" and item.deletes


# --- input that is not a usable plan ---------------------------------------------------------------


def test_truncated_plan_is_a_parse_notice_and_checks_what_was_read(project):
    text = (DATA / "bucket_removed.json").read_text()
    cut = text[: text.index('"aws_s3_bucket_public_access_block.assets"') + 10]
    result, report = _check(project, "plan.json", cut, config="max-destroy = 1\n")
    assert result.returncode == 1
    assert [n["kind"] for n in report["notifications"]] == ["parse-error"]
    notice = report["notifications"][0]
    assert notice["message"] == (
        "The plan could not be read as JSON (Unterminated string starting at: line 96 column 18), so only the 2 "
        "resource changes before this point were checked."
    )
    assert notice["region"]["start_line"] == 96
    # The bucket's delete was read; the plan-wide blast radius is not judged from part of a plan.
    assert _found(report) == [("TFP101", "error", 69, 18), ("TFP103", "warning", 69, 18)]


@pytest.mark.parametrize(
    "text",
    [
        '{"format_version": "1.2", "terraform_version": "1.9.5", "resource_changes": [',
        '{"format_version": "1.2", "terraform_version": "1.9.5", oops}',
        '{"format_version": "1.2", "terraform_version": "1.9.5", "x": ' + "[" * 100_000,
        '{"format_version": "1.2", "terraform_version": "1.9.5"}\n{"second": "document"}',
    ],
)
def test_malformed_json_is_a_notice_not_a_crash(project, text):
    result, report = _check(project, "plan.json", text)
    assert result.returncode == 0
    assert report["findings"] == []
    assert [n["kind"] for n in report["notifications"]] == ["parse-error"]
    assert report["notifications"][0]["message"].endswith(".")


def test_state_instead_of_a_plan_is_a_notice(project):
    state = {
        "format_version": "1.0",
        "terraform_version": "1.9.5",
        "values": {"root_module": {"resources": [{"address": "aws_s3_bucket.logs", "mode": "managed"}]}},
    }
    result, report = _check(project, "state.json", json.dumps(state, indent=2))
    assert result.returncode == 0
    assert [n["message"] for n in report["notifications"]] == [
        "This is Terraform state (`terraform show -json` without a plan file), not a plan, so there are no changes to check."
    ]


def test_plan_without_resource_changes_is_quietly_clean(project):
    text = json.dumps(
        {
            "format_version": "1.2",
            "terraform_version": "1.9.5",
            "planned_values": {"root_module": {}},
            "configuration": {"root_module": {}},
            "applyable": False,
            "complete": True,
            "errored": False,
        }
    )
    result, report = _check(project, "plan.json", text)
    assert result.returncode == 0
    assert report["findings"] == [] and report["notifications"] == []


def test_odd_types_are_skipped_without_a_crash(project):
    text = json.dumps(
        {
            "format_version": "1.2",
            "terraform_version": "1.9.5",
            "variables": {"env": "prod", "environment": {"value": ["prod"]}},
            "configuration": {"provider_config": {"aws": {"expressions": {"assume_role": {"role_arn": 1}}}, "x": []}},
            "prior_state": {
                "values": {"root_module": {"resources": "none", "child_modules": [None, {"resources": [1]}]}}
            },
            "resource_changes": [
                42,
                {"address": 7, "change": "delete"},
                {"address": "aws_s3_bucket.a", "type": ["aws_s3_bucket"], "change": {"actions": "delete"}},
                {
                    "address": "aws_db_instance.b",
                    "type": "aws_db_instance",
                    "action_reason": 3,
                    "change": {
                        "actions": ["update"],
                        "before": "x",
                        "after": {"deletion_protection": False},
                        "replace_paths": "x",
                    },
                },
                {"address": "aws_db_instance.c", "type": "aws_db_instance", "change": {"actions": ["delete", None]}},
                {
                    "address": "aws_ebs_volume.d",
                    "type": "aws_ebs_volume",
                    "change": {"actions": ["delete", "create"], "replace_paths": [["size"], "x", [0, "a b"]]},
                },
            ],
        },
        indent=1,
    )
    result, report = _check(project, "plan.json", text, config="max-destroy = 1\n")
    assert [n["kind"] for n in report["notifications"]] == ["parse-error"]  # resource_changes[0] is not an object
    assert [n["message"] for n in report["notifications"]] == [
        "resource_changes[0] is not an object, so it was not checked."
    ]
    assert [(f["rule_id"], f["severity"]) for f in report["findings"]] == [("TFP102", "error")]
    assert 'Forced by: size, [0]["a b"].' in report["findings"][0]["message"]


def test_resource_changes_that_is_not_a_list_is_a_notice(project):
    text = '{"format_version": "1.2", "terraform_version": "1.9.5", "resource_changes": {"a": 1}}'
    result, report = _check(project, "plan.json", text)
    assert result.returncode == 0
    assert [n["message"] for n in report["notifications"]] == [
        "`resource_changes` is not a list, so no resource change was checked."
    ]
