"""How a rule reports: one Rule, one Hit, one place that makes a finding; evidence added by the language
packs; options declared by the rules that read them."""

import inspect

import pytest

from blastguard import registry
from blastguard.api import check_text
from blastguard.config import Config, rule_options
from blastguard.context import Context, Production
from blastguard.engine import Engine
from blastguard.filters.changes import introduced
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

_PROTECTED = (
    'resource "aws_db_instance" "orders" {\n  engine              = "postgres"\n  deletion_protection = true\n}\n'
)
_UNPROTECTED = 'resource "aws_db_instance" "orders" {\n  engine              = "postgres"\n}\n'
_LEDGER = 'resource "acme_ledger" "books" {\n  name = "books"\n}\n\nresource "aws_iam_role" "ci" {\n  name = "ci"\n}\n'
_ROLE_ONLY = 'resource "aws_iam_role" "ci" {\n  name = "ci"\n}\n'


def _engine(tmp_path, **settings) -> Engine:
    return Engine(Config(root=str(tmp_path), **settings), str(tmp_path))


# --- evidence is attached by the language pack, never by a rule ---------------------------------------


def test_a_recursive_delete_on_a_production_target_is_raised_like_every_other_shell_finding():
    # SH301 attached no production evidence itself, so a delete of unchecked paths on a production
    # pod stayed a warning while SH101, SH102, SH103 and SH104 were raised on the same evidence.
    command = 'kubectl --context prod exec web -- sh -c "ls /data | xargs rm -rf"'
    [finding] = [f for f in check_text(command, filename="run.sh") if f.rule_id == "SH301"]
    assert finding.severity == Severity.ERROR
    assert finding.message.endswith("The target looks like production (kubectl --context prod).")
    [staging] = [f for f in check_text(command.replace("prod", "staging"), filename="run.sh") if f.rule_id == "SH301"]
    assert staging.severity == Severity.WARNING


def test_found_in_puts_the_units_evidence_ahead_of_the_hits_own():
    hit = Hit(0, 1, "m", production=("deletes prod-bucket", "AWS_PROFILE=prod"))
    assert hit.found_in(("AWS_PROFILE=prod",)).production == ("AWS_PROFILE=prod", "deletes prod-bucket")
    assert hit.found_in(()) is hit


# --- one place makes a finding ------------------------------------------------------------------------


def test_a_change_only_rules_finding_respects_the_severity_floor(tmp_path):
    # A hook's project may raise a rule's severity (`config.tightened` puts it in severity_floor);
    # findings of change-only rules ignored it.
    path = str(tmp_path / "main.tf")
    [plain] = [f for f in introduced(_engine(tmp_path), path, _PROTECTED, _UNPROTECTED) if f.rule_id == "TF109"]
    assert plain.severity == Severity.WARNING
    floored = _engine(tmp_path, severity_floor={"TF109": Severity.ERROR})
    [raised] = [f for f in introduced(floored, path, _PROTECTED, _UNPROTECTED) if f.rule_id == "TF109"]
    assert raised.severity == Severity.ERROR


def test_a_suppression_added_by_a_change_respects_the_severity_floor(tmp_path):
    # BG004 made its findings itself, with the configured severity but never the floor.
    from blastguard.filters import suppression_changes

    path = str(tmp_path / "purge.sql")
    before = "SELECT 1;\nDELETE FROM sessions;\n"
    after = "SELECT 1;\n-- blastguard: ignore[SQL101] sessions are rebuilt nightly\nDELETE FROM sessions;\n"
    for settings, expected in (({}, Severity.WARNING), ({"severity_floor": {"BG004": Severity.ERROR}}, Severity.ERROR)):
        engine = _engine(tmp_path, **settings)
        [finding] = suppression_changes.added(engine, introduced(engine, path, before, after), path, path, after)
        assert (finding.rule_id, finding.severity) == ("BG004", expected)


def test_a_change_only_rule_is_raised_by_the_callers_production_evidence(tmp_path):
    path = str(tmp_path / "main.tf")
    context = Context(production=("TF_WORKSPACE=prod",))
    [finding] = [
        f
        for f in introduced(_engine(tmp_path), path, _PROTECTED, _UNPROTECTED, context=context)
        if f.rule_id == "TF109"
    ]
    assert finding.severity == Severity.ERROR
    assert finding.message.endswith("The target looks like production (TF_WORKSPACE=prod).")


# --- options declared by the rule that reads them -----------------------------------------------------


def test_a_change_only_rule_reads_the_configured_stateful_types(tmp_path):
    path = str(tmp_path / "main.tf")
    assert not [f for f in introduced(_engine(tmp_path), path, _LEDGER, _ROLE_ONLY) if f.rule_id == "TF108"]
    configured = _engine(tmp_path, stateful_types=["acme_ledger"])
    assert [f.rule_id for f in introduced(configured, path, _LEDGER, _ROLE_ONLY) if f.rule_id == "TF108"] == ["TF108"]


def test_every_declared_option_is_a_configuration_key_its_checks_take():
    declaring = [r for r in registry.all_rules() if r.options]
    assert {r.id for r in declaring} >= {"TFP105", "TFP101", "TF108", "SH102"}
    for rule in declaring:
        values = rule_options(Config(), rule.options)
        for check in filter(None, (rule.check, rule.check_change)):
            keyword_only = {name for name, p in inspect.signature(check).parameters.items() if p.kind is p.KEYWORD_ONLY}
            assert keyword_only == set(values), rule.id


def test_the_engine_hands_a_rule_only_the_options_it_declares(tmp_path):
    engine = _engine(tmp_path, max_destroy=3, stateful_types=["acme_ledger"])
    assert engine.options(registry.find_rule("TFP105")) == {"max_destroy": 3, "stateful_types": ["acme_ledger"]}
    assert engine.options(registry.find_rule("TFP101")) == {"stateful_types": ["acme_ledger"]}
    assert engine.options(registry.find_rule("SQL101")) == {}


# --- one Rule: check, check_change, or meta -------------------------------------------------------------


def test_the_registry_lists_change_rules_from_the_rules():
    assert [r.id for r in registry.change_rules("terraform")] == ["TF108", "TF109"]
    assert all(r.check is None for r in registry.change_rules("terraform"))
    assert registry.change_rules("sql") == ()


def test_meta_rules_are_the_ones_marked_meta():
    assert {r.id for r in registry.all_rules() if r.meta} == {r.id for r in registry.meta_rules()}
    assert all(r.check is None and r.check_change is None for r in registry.meta_rules())


@pytest.mark.parametrize(("checks", "meta"), [({}, False), ({"check": lambda unit, document: ()}, True)])
def test_a_rule_must_say_how_it_reports(checks, meta):
    with pytest.raises(ValueError, match="meta rule"):
        Rule(
            id="X1",
            name="x",
            language="sql",
            severity=Severity.NOTE,
            summary="S.",
            rationale="R.",
            flag=("a",),
            clean=("b",),
            meta=meta,
            **checks,
        )


# --- context merged once --------------------------------------------------------------------------------


def test_merge_adds_what_the_other_context_knows_and_keeps_the_configured_names():
    configured = Context(names=Production(("live",)), env={"A": "1"})
    caller = Context(production=("job environment 'live'",), env={"B": "2"}, directory="/srv", agent=True)
    merged = configured.merge(caller)
    assert merged.names == Production(("live",))
    assert (merged.production, merged.env, merged.directory, merged.agent) == (
        ("job environment 'live'",),
        {"A": "1", "B": "2"},
        "/srv",
        True,
    )
