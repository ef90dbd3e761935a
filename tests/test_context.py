"""Production names: whole tokens, negations, and paths whose deeper parts name another stage."""

import pytest

from blastguard.context import Production

PRODUCTION = [
    "prod-db",
    "eu_prod",
    "ProdCluster",
    "PRODUCTION",
    "acme-prod-tfstate",
    "prd-eu-1",
    "live/prod",
    "environments/prod/main",
    "staging/live",
    "arn:aws:iam::123:role/prod-admin",
]
NOT_PRODUCTION = [
    "product-images",
    "deliver",
    "liveness",
    "non-prod-cluster",
    "pre-prod",
    "preprod",
    "nonprod",
    "live/staging",
    "live/dev/us-east-1",
    "staging",
    "",
]


@pytest.mark.parametrize("value", PRODUCTION)
def test_production(value):
    assert Production().matches(value)


@pytest.mark.parametrize("value", NOT_PRODUCTION)
def test_not_production(value):
    assert not Production().matches(value)


def test_configured_names_replace_the_defaults():
    names = Production(("critical",))
    assert names.matches("critical-eu") and not names.matches("prod-db")
