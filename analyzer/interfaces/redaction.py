"""Secrets taken out of a command or text before it is written anywhere (the audit log's inputs).

Each secret is replaced by `***` and everything around it stays as it was, so the line still says
what was run:

    psql postgresql://app:s3cret@db/prod -c 'DROP TABLE t'   ->  psql postgresql://app:***@db/prod -c 'DROP TABLE t'
    PGPASSWORD=s3cret psql -h db                              ->  PGPASSWORD=*** psql -h db
    mysql -uroot -ps3cret shop                                ->  mysql -uroot -p*** shop
    curl -H 'Authorization: Bearer eyJhbGci…' https://api     ->  curl -H 'Authorization: Bearer ***' https://api

Covered: a URL's password; `PGPASSWORD=`, `MYSQL_PWD=` and any `…_PASSWORD`/`_PASSWD`/`_PWD`/`_TOKEN`/
`_SECRET`/`_KEY` assignment (shell, env files, `--set`/`-e` values); a database client's `-p…`,
`--password=…` and `--password …`; `Authorization:` headers and `bearer`/`token` values; AWS access
and secret keys. Redaction is on the text, not on a parse, so a secret in a form not listed here can
still pass: the log is opt-in for that reason.
"""

from __future__ import annotations

import re

MASK = "***"

# Programs whose `-p` is a password (mysql's `-pSECRET`, `-p SECRET` is a database name there, but
# sqlcmd/bcp/mongo take `-p SECRET`); `-p` of any other program (mkdir -p, ssh -p 22) is left alone.
_DB_CLIENTS = r"(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlpump|mysqlsh|mariadb|mariadb-dump|mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport|sqlcmd|bcp|redis-cli|isql|clickhouse-client|vsql)"

_RULES: list[tuple[re.Pattern, str | None]] = [
    # scheme://user:password@host
    (re.compile(r"(?P<keep>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@'\"]*:)[^\s@'\"/]+(?=@)"), r"\g<keep>" + MASK),
    # Authorization: Bearer xxx / Basic xxx / token xxx
    (
        re.compile(r"(?P<keep>\bAuthorization\s*[:=]\s*(?:Bearer|Basic|Token|Digest)?\s*)[^\s'\",}]+", re.IGNORECASE),
        r"\g<keep>" + MASK,
    ),
    (re.compile(r"(?P<keep>\b(?:bearer|token)\s+)[A-Za-z0-9\-._~+/]{8,}=*", re.IGNORECASE), r"\g<keep>" + MASK),
    # NAME=value where NAME says it holds a secret (PGPASSWORD, MYSQL_PWD, GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY…)
    (
        re.compile(
            r"(?P<keep>\b(?:PGPASSWORD|MYSQL_PWD|[A-Za-z0-9_]*(?:PASSWORD|PASSWD|_PWD|TOKEN|SECRET|(?-i:_KEY)|APIKEY|"
            r"CREDENTIALS?))['\"]?\s*[=:]\s*)(?P<quote>['\"]?)(?!\$)[^\s'\"]+",
            re.IGNORECASE,
        ),
        r"\g<keep>\g<quote>" + MASK,
    ),
    # --password=value, --password value, --passwd, --pass (any program: the option names its value)
    (
        re.compile(r"(?P<keep>--(?:password|passwd|pass|token|secret|api-key)(?:=|\s+)(?P<quote>['\"]?))[^\s'\"]+"),
        r"\g<keep>" + MASK,
    ),
    # a database client's -pSECRET (and -p SECRET for those where it is the password)
    (
        re.compile(r"(?P<keep>\b" + _DB_CLIENTS + r"\b[^|;&\n]*?\s-p)(?P<quote>['\"]?)(?!\s)[^\s'\"]+"),
        r"\g<keep>\g<quote>" + MASK,
    ),
    (
        re.compile(
            r"(?P<keep>\b(?:sqlcmd|bcp|mongo|mongosh|redis-cli)\b[^|;&\n]*?\s-[pPa]\s+(?P<quote>['\"]?))[^\s'\"-][^\s'\"]*"
        ),
        r"\g<keep>" + MASK,
    ),
    # AWS keys that stand alone: access key ids, and a 40-character secret after one
    (re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), MASK),
    (re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"), None),  # see _aws_secret
]


def _aws_secret(match: re.Match) -> str:
    """A 40-character base64 word is an AWS secret key when it mixes cases and digits (a hex digest does not)."""
    word = match.group(0)
    if re.search(r"[a-z]", word) and re.search(r"[A-Z]", word) and re.search(r"[0-9/+]", word):
        return MASK
    return word


def redact(text: str) -> str:
    """`text` with every secret it visibly carries replaced by `***`."""
    for pattern, replacement in _RULES:
        text = pattern.sub(_aws_secret if replacement is None else replacement, text)
    return text
