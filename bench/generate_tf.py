"""Write a deterministic corpus of Terraform files that looks like a real infrastructure repository.

Usage: python bench/generate_tf.py [--out DIR] [--files N] [--total-kb K] [--seed S]

Each file is a module's worth of resources (databases, buckets, queues, IAM, networking, variables,
outputs), mostly well configured, with a few percent of destructive settings so the analyzers have
real findings to report. Only valid HCL, so every tool parses it.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out" / "tf-corpus"

BLOCKS = [
    """resource "aws_db_instance" "{name}" {{
  identifier              = "{name}-db"
  engine                  = "postgres"
  engine_version          = "16.3"
  instance_class          = "db.t3.medium"
  allocated_storage       = {size}
  storage_encrypted       = true
  deletion_protection     = {protect}
  skip_final_snapshot     = {skip}
  backup_retention_period = {retention}
  vpc_security_group_ids  = [aws_security_group.{name}.id]
  tags = {{
    Name = "{name}"
    Team = "data"
  }}
}}
""",
    """resource "aws_s3_bucket" "{name}" {{
  bucket        = "acme-{name}-${{var.environment}}"
  force_destroy = {force}
  tags = {{
    Name = "{name}"
  }}
}}

resource "aws_s3_bucket_versioning" "{name}" {{
  bucket = aws_s3_bucket.{name}.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}
""",
    """resource "aws_security_group" "{name}" {{
  name        = "{name}-sg"
  description = "Traffic for {name}"
  vpc_id      = var.vpc_id

  ingress {{
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
""",
    """resource "aws_iam_role" "{name}" {{
  name = "{name}-role"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Action    = "sts:AssumeRole"
      Effect    = "Allow"
      Principal = {{ Service = "lambda.amazonaws.com" }}
    }}]
  }})
}}
""",
    """resource "aws_dynamodb_table" "{name}" {{
  name                        = "{name}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = {protect}

  attribute {{
    name = "id"
    type = "S"
  }}

  point_in_time_recovery {{
    enabled = true
  }}
}}
""",
    """resource "aws_sqs_queue" "{name}" {{
  name                      = "{name}-queue"
  message_retention_seconds = 345600
  visibility_timeout_seconds = 60
}}

resource "aws_lambda_function" "{name}" {{
  function_name = "{name}-worker"
  role          = aws_iam_role.{name}.arn
  handler       = "main.handler"
  runtime       = "python3.12"
  filename      = "build/{name}.zip"
  environment {{
    variables = {{
      QUEUE_URL = aws_sqs_queue.{name}.url
    }}
  }}
}}
""",
    """variable "{name}_enabled" {{
  description = "Whether to create {name}"
  type        = bool
  default     = true
}}

locals {{
  {name}_tags = merge(var.common_tags, {{ Component = "{name}" }})
}}

output "{name}_arn" {{
  value = aws_iam_role.{name}.arn
}}
""",
    """module "{name}_cache" {{
  source  = "terraform-aws-modules/elasticache/aws"
  version = "~> 1.2"

  cluster_id               = "{name}-cache"
  engine                   = "redis"
  node_type                = "cache.t3.small"
  snapshot_retention_limit = {snapshots}
}}
""",
]


def block(rng: random.Random, index: int) -> str:
    template = rng.choice(BLOCKS)
    risky = rng.random() < 0.06  # a few percent of destructive settings
    return template.format(
        name=f"svc{index}",
        size=rng.choice([20, 50, 100]),
        protect="false" if risky else "true",
        skip="true" if risky else "false",
        retention=0 if risky and rng.random() < 0.5 else 7,
        force="true" if risky else "false",
        snapshots=0 if risky else 3,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--files", type=int, default=50)
    ap.add_argument("--total-kb", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.tf"):
        old.unlink()
    per_file = args.total_kb * 1024 // args.files
    index = 0
    total = 0
    for n in range(args.files):
        parts: list[str] = []
        size = 0
        while size < per_file:
            text = block(rng, index)
            index += 1
            parts.append(text)
            size += len(text) + 1
        content = "\n".join(parts)
        (args.out / f"module_{n:02}.tf").write_text(content)
        total += len(content)
    print(f"wrote {args.files} files, {total / 1024:.1f} KB, to {args.out}")


if __name__ == "__main__":
    main()
