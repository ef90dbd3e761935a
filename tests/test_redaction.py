"""Secrets are taken out of commands before they are logged; the rest of the command stays readable.
Commands here are data for the redaction only: none is ever run."""

import pytest

from blastguard.interfaces.redaction import MASK, redact

# (command, the secret it carries, what must still be readable)
CASES = [
    (
        "psql postgresql://app:s3cretPw@db.internal:5432/prod -c 'DROP TABLE users'",
        "s3cretPw",
        "psql postgresql://app:***@db.internal:5432/prod -c 'DROP TABLE users'",
    ),
    (
        "PGPASSWORD=hunter2x psql -h db -U app -c 'TRUNCATE orders'",
        "hunter2x",
        "PGPASSWORD=*** psql -h db -U app -c 'TRUNCATE orders'",
    ),
    ("MYSQL_PWD='My Pass' mysql shop", "My Pass", None),
    ("MYSQL_PWD=rootpw mysql -e 'DROP DATABASE shop'", "rootpw", "MYSQL_PWD=*** mysql -e 'DROP DATABASE shop'"),
    (
        "mysql -uroot -pTopSecret9 shop -e 'DELETE FROM carts'",
        "TopSecret9",
        "mysql -uroot -p*** shop -e 'DELETE FROM carts'",
    ),
    (
        "mysqldump --user=root --password=Zq8pass shop > dump.sql",
        "Zq8pass",
        "mysqldump --user=root --password=*** shop > dump.sql",
    ),
    ("pg_dump --password Xy12secret prod", "Xy12secret", "pg_dump --password *** prod"),
    (
        "GITHUB_TOKEN=ghp_abcdefghijklmnop1234 gh release delete v1 --yes",
        "ghp_abcdefghijklmnop1234",
        "GITHUB_TOKEN=*** gh release delete v1 --yes",
    ),
    ("export DB_PASSWORD=pa55word && ./migrate.sh", "pa55word", "export DB_PASSWORD=*** && ./migrate.sh"),
    ("STRIPE_SECRET=sk_live_123456 node purge.js", "sk_live_123456", "STRIPE_SECRET=*** node purge.js"),
    ("API_KEY=k-987654321 ./cleanup", "k-987654321", "API_KEY=*** ./cleanup"),
    (
        "curl -X DELETE -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig' https://api.example.com/v1/db",
        "eyJhbGciOiJIUzI1NiJ9.payload.sig",
        "curl -X DELETE -H 'Authorization: Bearer ***' https://api.example.com/v1/db",
    ),
    ("http DELETE api/items token:abc 'authorization:bearer abcdef0123456789'", "abcdef0123456789", None),
    (
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE aws s3 rb s3://logs --force",
        "AKIAIOSFODNN7EXAMPLE",
        "AWS_ACCESS_KEY_ID=*** aws s3 rb s3://logs --force",
    ),
    (
        "aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws configure set aws_secret_access_key ***",
    ),
    ("echo AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", "echo ***"),
]


@pytest.mark.parametrize("command, secret, expected", CASES, ids=[c[0][:30] for c in CASES])
def test_the_secret_is_gone_and_the_rest_is_readable(command, secret, expected):
    redacted = redact(command)
    assert secret not in redacted
    assert MASK in redacted
    if expected is not None:
        assert redacted == expected


@pytest.mark.parametrize(
    "command",
    [
        "mkdir -p build/out && ssh -p 2222 host ls",
        "mysql -uroot -p shop",  # asks for the password: nothing to hide
        "git log --format=%H -n 1 4b825dc642cb6eb9a060e54bf8d69288fbee4904",
        "psql postgresql://app@db/prod -c 'SELECT 1'",
        "TOKEN=$(cat ~/.token) ./deploy",
        "DELETE FROM users WHERE id = 3;",
    ],
)
def test_commands_without_a_literal_secret_are_unchanged(command):
    assert redact(command) == command
