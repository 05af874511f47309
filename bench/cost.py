"""The monthly AWS bill of one deployment, from the figures `make bench` measures (pure; no I/O).

docs/cost.md explains every price (dated, with its source, and whether an official AWS page confirmed it),
every assumption and how the bill is put together. Prices are us-east-1, USD, taken on PRICES_TAKEN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

PRICES_TAKEN = "2026-11-22"
REGION = "us-east-1"
LAMBDA_FULL_VCPU_MB = 1769  # Lambda gives one full vCPU at 1,769 MB; less memory, a proportional share
GB = 1024**3
SHARDS = 4  # the dispatcher's Queries per tick (circleback.domain.schedule.SHARD_COUNT)


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    source: str
    confirmed: bool  # seen on an official AWS page; False: secondary sources only (see docs/cost.md)


PRICES: Mapping[str, Price] = {
    "lambda_gb_second_arm": Price(
        0.0000133334, "GB-second, arm64 (first 7.5 billion)", "https://cloudchipr.com/blog/aws-lambda-pricing", False
    ),
    "lambda_request": Price(0.20 / 1e6, "request", "https://aws.amazon.com/lambda/pricing/", False),
    "dynamodb_read_unit": Price(
        0.125 / 1e6,
        "read request unit, on-demand",
        "https://airbyte.com/data-engineering-resources/dynamodb-pricing",
        False,
    ),
    "dynamodb_write_unit": Price(
        0.625 / 1e6,
        "write request unit, on-demand",
        "https://airbyte.com/data-engineering-resources/dynamodb-pricing",
        False,
    ),
    "dynamodb_storage_gb_month": Price(
        0.25,
        "GB-month, Standard table class",
        "https://gist.github.com/bluejack/68dd851e8ff1c480d623fc0b09e0423b",
        False,
    ),
    "dynamodb_pitr_gb_month": Price(
        0.20, "GB-month of continuous backup (PITR)", "https://finops.com.py/services/dynamodb/backups", False
    ),
    "ses_email": Price(
        0.10 / 1000,
        "outbound email, pricing plan NONE (a la carte)",
        "https://gist.github.com/Kovah/95575a2904241116389123bb1ba6155d",
        False,
    ),
    "ses_email_essentials": Price(
        0.16 / 1000,
        "outbound email, Essentials plan",
        "https://raw.githubusercontent.com/api-evangelist/amazon-ses/refs/heads/main/plans/amazon-ses-plans-pricing.yml",
        False,
    ),
    "apigw_http_request": Price(
        1.00 / 1e6,
        "HTTP API request (first 300 million)",
        "https://www.learnaws.org/2021/01/10/api-gateway-pricing/",
        False,
    ),
    "scheduler_invocation": Price(
        1.00 / 1e6,
        "schedule invocation (after 14 million free)",
        "https://cloudburn.io/blog/amazon-eventbridge-pricing",
        False,
    ),
    "sqs_request": Price(
        0.40 / 1e6, "standard queue request (per 64 KB chunk)", "https://cloudburn.io/blog/amazon-sqs-pricing", False
    ),
    "logs_ingest_gb": Price(
        0.50,
        "GB ingested, standard log class",
        "https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/",
        False,
    ),
    "logs_storage_gb_month": Price(
        0.03, "GB-month stored", "https://cloudburn.io/blog/amazon-cloudwatch-pricing", False
    ),
    "custom_metric_month": Price(
        0.30, "custom metric-month (first 10,000)", "https://signoz.io/guides/cloudwatch-pricing", False
    ),
    "alarm_month": Price(
        0.10, "standard-resolution alarm-month", "https://cloudburn.io/blog/amazon-cloudwatch-pricing", False
    ),
    "secret_month": Price(
        0.40,
        "secret-month",
        "https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms",
        False,
    ),
    "secrets_api_call": Price(
        0.05 / 10_000,
        "API call",
        "https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms",
        False,
    ),
}

# Always-free monthly allowances (the 12-month offers are left out: a deployment outlives them).
FREE_TIER: Mapping[str, float] = {
    "lambda_requests": 1_000_000,
    "lambda_gb_seconds": 400_000,
    "sqs_requests": 1_000_000,
    "scheduler_invocations": 14_000_000,
    "dynamodb_storage_gb": 25,
    "logs_gb": 5,
    "alarms": 10,
    "custom_metrics": 10,
}


@dataclass(frozen=True)
class Measured:
    """What `make bench` measured, per event (CPU on the bench machine, warm unless said otherwise)."""

    digest_cpu_ms: float  # one digest (500 contacts), the handler fed the recorded wire responses
    digest_dynamodb_calls: int
    digest_ses_calls: int
    digest_read_units: float
    digest_write_units: float
    digest_log_bytes: int
    digest_init_ms: float  # the handler module and its clients imported, as built (no layer bytecode)
    partition_bytes: int  # one owner's items (500 contacts, a year of use)
    partition_items: int
    dispatch_cpu_ms: float  # one tick with the due owners of the measurement
    dispatch_due: int  # the due owners of that tick
    dispatch_read_units: float  # that tick's Query read units
    dispatch_log_bytes: int
    dispatch_init_ms: float
    actions_init_ms: float
    click_cpu_ms: float  # one click: the link's page (GET) and the form's post (POST), together
    click_dynamodb_calls: float  # over the day's mix of links (touch and snooze)
    click_read_units: float
    click_write_units: float
    click_log_bytes: float


@dataclass(frozen=True)
class Assumptions:
    """What is not measured here; docs/cost.md gives the reasoning for each value."""

    # Each function's MemorySize (template.yaml's, as `make bench` reads it; these are its values).
    memory_mb: Mapping[str, int] = field(default_factory=lambda: {"digest": 256, "dispatch": 256, "actions": 512})
    digests_per_owner_month: float = 30
    clicks_per_owner_day: float = 5
    requests_per_click: int = 2  # the link's page (GET), then the form (POST)
    days_per_month: float = 30
    ticks_per_month: int = 96 * 30  # every 15 minutes
    arm_cpu_factor: float = 1.0  # Graviton CPU time over this machine's; unmeasured
    dynamodb_latency_ms: float = 6.0
    ses_latency_ms: float = 80.0
    sqs_latency_ms: float = 10.0
    # One access log line: the template's format with typical values (123 bytes; 143 while it logged the caller's
    # IP) plus the 26 bytes CloudWatch bills per log event.
    apigw_access_log_bytes: int = 149
    # Lambda's START, END and REPORT lines are INFO-level system logs, and the template's SystemLogLevel is WARN:
    # none is written (they were about 350 bytes an invocation).
    platform_log_bytes: int = 0
    log_retention_months: float = 3  # RetentionInDays: 90
    sqs_idle_receives_month: float = 5 * 3 * 60 * 24 * 30  # the event source's 5 long polls of 20 s
    # None reports in normal operation: the digest's metrics are outcomes that call for a look (uncertain, stale,
    # no owner, failed, over quota), and a custom metric is billed only for the hours it reports.
    custom_metrics: int = 0
    alarms: int = 7  # template.yaml's; `make bench` counts them there
    secrets: int = 1
    secret_reads_per_cold_start: int = 2  # AWSCURRENT and AWSPREVIOUS, then cached five minutes
    # The functions that read the signing key: the digest signs its links, the actions function verifies them.
    # The dispatcher never does (a lone owner's ticks are most of the cold starts).
    secret_readers: tuple[str, ...] = ("digest", "actions")
    item_overhead_bytes: int = 100  # storage overhead DynamoDB bills per item
    ses_plan: str = "ses_email"  # or "ses_email_essentials"


def _records_per_digest_invocation(owners: int) -> float:
    """SQS delivers up to 10 records per invocation; a lone owner's request comes alone."""
    return min(10.0, max(1.0, owners / 1000))


def _cold_starts(owners: int, invocations: float, ticks: int) -> float:
    """A lone owner's functions start cold every time; at scale, about one new container per function per
    tick (the 15-minute bursts), never more than the invocations."""
    if owners <= 1:
        return invocations
    return min(invocations, float(ticks))


def monthly_bill(
    owners: int,
    measured: Measured,
    assumptions: Assumptions | None = None,
    *,
    free_tier: bool = False,
    prices: Mapping[str, Price] = PRICES,
) -> dict[str, object]:
    """The deployment's monthly bill, line by line, and its share per owner."""
    a = assumptions or Assumptions()
    p = {name: price.usd for name, price in prices.items()}
    gb = {function: memory / 1024 for function, memory in a.memory_mb.items()}
    # Wall time of CPU-bound work at each function's memory (a full vCPU at 1,769 MB, a share below).
    cpu_share = {function: max(1.0, LAMBDA_FULL_VCPU_MB / memory) for function, memory in a.memory_mb.items()}

    digests = owners * a.digests_per_owner_month
    digest_invocations = digests / _records_per_digest_invocation(owners)
    digest_seconds = (
        measured.digest_cpu_ms * a.arm_cpu_factor * cpu_share["digest"]
        + measured.digest_dynamodb_calls * a.dynamodb_latency_ms
        + measured.digest_ses_calls * a.ses_latency_ms
    ) / 1000
    ticks = a.ticks_per_month
    due_per_tick = digests / ticks
    # The tick's CPU grows with the owners it queues; a tenth of the measured tick stands for its fixed part.
    dispatch_cpu_ms = measured.dispatch_cpu_ms * max(due_per_tick / max(measured.dispatch_due, 1), 0.1)
    dispatch_seconds = (
        dispatch_cpu_ms * a.arm_cpu_factor * cpu_share["dispatch"]
        + SHARDS * a.dynamodb_latency_ms
        + math.ceil(due_per_tick / 10) * a.sqs_latency_ms
    ) / 1000
    clicks = owners * a.clicks_per_owner_day * a.days_per_month
    action_requests = clicks * a.requests_per_click
    click_seconds = (
        measured.click_cpu_ms * a.arm_cpu_factor * cpu_share["actions"]
        + measured.click_dynamodb_calls * a.dynamodb_latency_ms
    ) / 1000
    colds = {
        "digest": _cold_starts(owners, digest_invocations, ticks),
        "dispatch": _cold_starts(owners, ticks, ticks),
        # one container serves a click's page and its form; at scale, about one per tick's worth of clicks
        "actions": _cold_starts(owners, clicks, ticks),
    }
    init_ms = {
        "digest": measured.digest_init_ms,
        "dispatch": measured.dispatch_init_ms,
        "actions": measured.actions_init_ms,
    }
    init_seconds = {f: init_ms[f] * a.arm_cpu_factor * cpu_share[f] / 1000 for f in init_ms}
    gb_seconds = (
        gb["digest"] * digests * digest_seconds
        + gb["dispatch"] * ticks * dispatch_seconds
        + gb["actions"] * clicks * click_seconds
        + sum(gb[f] * colds[f] * init_seconds[f] for f in colds)
    )
    invocations = digest_invocations + ticks + action_requests

    read_units = (
        digests * measured.digest_read_units
        + ticks * max(SHARDS * 0.5, measured.dispatch_read_units * due_per_tick / max(measured.dispatch_due, 1))
        + clicks * measured.click_read_units
    )
    write_units = digests * measured.digest_write_units + clicks * measured.click_write_units
    storage_gb = owners * (measured.partition_bytes + measured.partition_items * a.item_overhead_bytes) / GB

    sqs_requests = (
        math.ceil(due_per_tick / 10) * ticks  # SendMessageBatch
        + 2 * digest_invocations  # the event source's receive and delete of each batch
        + a.sqs_idle_receives_month
    )
    log_bytes = (
        digests * measured.digest_log_bytes
        + digest_invocations * a.platform_log_bytes
        + ticks * (measured.dispatch_log_bytes + a.platform_log_bytes)
        + clicks * measured.click_log_bytes
        + action_requests * (a.platform_log_bytes + a.apigw_access_log_bytes)
    )
    log_gb = log_bytes / GB
    secret_calls = sum(colds[f] for f in a.secret_readers) * a.secret_reads_per_cold_start

    def billable(amount: float, allowance_key: str) -> float:
        return max(0.0, amount - FREE_TIER[allowance_key]) if free_tier else amount

    lines = {
        "lambda_compute": billable(gb_seconds, "lambda_gb_seconds") * p["lambda_gb_second_arm"],
        "lambda_requests": billable(invocations, "lambda_requests") * p["lambda_request"],
        "dynamodb_reads": read_units * p["dynamodb_read_unit"],
        "dynamodb_writes": write_units * p["dynamodb_write_unit"],
        "dynamodb_storage": billable(storage_gb, "dynamodb_storage_gb") * p["dynamodb_storage_gb_month"],
        "dynamodb_pitr": storage_gb * p["dynamodb_pitr_gb_month"],
        "ses": digests * p[a.ses_plan],
        "api_gateway": action_requests * p["apigw_http_request"],
        "scheduler": billable(ticks, "scheduler_invocations") * p["scheduler_invocation"],
        "sqs": billable(sqs_requests, "sqs_requests") * p["sqs_request"],
        "cloudwatch_logs": billable(log_gb, "logs_gb") * p["logs_ingest_gb"]
        + log_gb * a.log_retention_months * p["logs_storage_gb_month"],
        "cloudwatch_metrics": billable(a.custom_metrics, "custom_metrics") * p["custom_metric_month"],
        "cloudwatch_alarms": billable(a.alarms, "alarms") * p["alarm_month"],
        "secrets_manager": a.secrets * p["secret_month"] + secret_calls * p["secrets_api_call"],
    }
    total = sum(lines.values())
    return {
        "owners": owners,
        "free_tier": free_tier,
        "total_usd_month": round(total, 4),
        "per_owner_usd_month": round(total / owners, 6),
        "lines_usd_month": {name: round(value, 6) for name, value in sorted(lines.items(), key=lambda kv: -kv[1])},
        "usage_month": {
            "digests": digests,
            "lambda_gb_seconds": round(gb_seconds, 1),
            "lambda_invocations": round(invocations),
            "cold_starts": {k: round(v) for k, v in colds.items()},
            "dynamodb_read_units": round(read_units),
            "dynamodb_write_units": round(write_units),
            "dynamodb_storage_gb": round(storage_gb, 4),
            "sqs_requests": round(sqs_requests),
            "log_gb": round(log_gb, 4),
            "api_requests": round(action_requests),
        },
    }


def with_essentials_plan(assumptions: Assumptions) -> Assumptions:
    return replace(assumptions, ses_plan="ses_email_essentials")
