"""The cost model (bench.cost): each line follows from its usage and price, fixed costs do not scale."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench import cost

MEASURED = cost.Measured(
    digest_cpu_ms=200.0,
    digest_dynamodb_calls=8,
    digest_ses_calls=1,
    digest_read_units=100.0,
    digest_write_units=6.0,
    digest_log_bytes=600,
    digest_init_ms=500.0,
    partition_bytes=1_000_000,
    partition_items=3000,
    dispatch_cpu_ms=30.0,
    dispatch_due=400,
    dispatch_read_units=6.0,
    dispatch_log_bytes=600,
    dispatch_init_ms=400.0,
    actions_init_ms=450.0,
    click_cpu_ms=8.0,
    click_dynamodb_calls=9,
    click_read_units=8.0,
    click_write_units=6.0,
    click_log_bytes=450,
)
PRICE = {name: price.usd for name, price in cost.PRICES.items()}


def _lines(bill: dict[str, object]) -> dict[str, float]:
    lines = bill["lines_usd_month"]
    assert isinstance(lines, dict)
    return lines


def test_the_total_is_the_sum_of_the_lines_and_is_shared_by_the_owners() -> None:
    bill = cost.monthly_bill(10_000, MEASURED)
    assert bill["total_usd_month"] == pytest.approx(sum(_lines(bill).values()), abs=1e-3)
    assert bill["per_owner_usd_month"] == pytest.approx(float(bill["total_usd_month"]) / 10_000, rel=1e-3)  # type: ignore[arg-type]


def test_ses_is_one_email_per_digest() -> None:
    bill = cost.monthly_bill(10_000, MEASURED)
    assert _lines(bill)["ses"] == pytest.approx(10_000 * 30 * PRICE["ses_email"])
    essentials = cost.monthly_bill(10_000, MEASURED, cost.with_essentials_plan(cost.Assumptions()))
    assert _lines(essentials)["ses"] == pytest.approx(1.6 * _lines(bill)["ses"])


def test_dynamodb_reads_and_writes_follow_the_measured_units() -> None:
    a = cost.Assumptions()
    bill = cost.monthly_bill(1, MEASURED, a)
    clicks = a.clicks_per_owner_day * a.days_per_month
    tick_reads = cost.SHARDS * 0.5  # a lone owner's ticks find almost nobody due
    reads = 30 * MEASURED.digest_read_units + a.ticks_per_month * tick_reads + clicks * MEASURED.click_read_units
    writes = 30 * MEASURED.digest_write_units + clicks * MEASURED.click_write_units
    assert _lines(bill)["dynamodb_reads"] == pytest.approx(reads * PRICE["dynamodb_read_unit"], rel=1e-3)
    assert _lines(bill)["dynamodb_writes"] == pytest.approx(writes * PRICE["dynamodb_write_unit"], rel=1e-3)


def test_fixed_costs_do_not_grow_with_owners() -> None:
    one, many = cost.monthly_bill(1, MEASURED), cost.monthly_bill(10_000, MEASURED)
    for line in ("cloudwatch_alarms", "cloudwatch_metrics", "scheduler"):
        assert _lines(one)[line] == _lines(many)[line]
    assert _lines(one)["cloudwatch_alarms"] == pytest.approx(cost.Assumptions().alarms * PRICE["alarm_month"])
    assert _lines(one)["cloudwatch_metrics"] == 0.0  # no custom metric reports in normal operation
    assert _lines(one)["secrets_manager"] >= PRICE["secret_month"]


def test_the_free_tier_removes_the_allowances_only() -> None:
    paid, free = cost.monthly_bill(1, MEASURED), cost.monthly_bill(1, MEASURED, free_tier=True)
    for line in ("lambda_compute", "lambda_requests", "sqs", "cloudwatch_alarms", "scheduler"):
        assert _lines(free)[line] == 0.0
        assert _lines(paid)[line] > 0.0
    metered = cost.Assumptions(custom_metrics=3)
    assert _lines(cost.monthly_bill(1, MEASURED, metered))["cloudwatch_metrics"] > 0.0
    assert _lines(cost.monthly_bill(1, MEASURED, metered, free_tier=True))["cloudwatch_metrics"] == 0.0
    for line in ("ses", "secrets_manager", "dynamodb_reads", "dynamodb_writes", "api_gateway"):
        assert _lines(free)[line] == _lines(paid)[line]


def test_lambda_compute_of_cpu_bound_work_does_not_depend_on_memory_below_one_vcpu() -> None:
    # Only the CPU-bound digest: no calls waiting on AWS, no clicks, no ticks of note.
    quiet = replace(MEASURED, digest_dynamodb_calls=0, digest_ses_calls=0, click_cpu_ms=0.0, click_dynamodb_calls=0)
    small = cost.Assumptions(
        memory_mb={"digest": 256, "dispatch": 256, "actions": 256},
        clicks_per_owner_day=0,
        dynamodb_latency_ms=0,
        sqs_latency_ms=0,
    )
    large = replace(small, memory_mb={"digest": 1024, "dispatch": 1024, "actions": 1024})
    cold = replace(quiet, digest_init_ms=0.0, dispatch_init_ms=0.0, actions_init_ms=0.0, dispatch_cpu_ms=0.0)
    a = cost.monthly_bill(10_000, cold, small)
    b = cost.monthly_bill(10_000, cold, large)
    assert _lines(a)["lambda_compute"] == pytest.approx(_lines(b)["lambda_compute"], rel=1e-6)
    gb_seconds = 10_000 * 30 * 0.200 * cost.LAMBDA_FULL_VCPU_MB / 1024
    assert _lines(a)["lambda_compute"] == pytest.approx(gb_seconds * PRICE["lambda_gb_second_arm"], rel=1e-6)


def test_a_lone_owner_starts_every_function_cold() -> None:
    bill = cost.monthly_bill(1, MEASURED)
    usage = bill["usage_month"]
    assert isinstance(usage, dict)
    assert usage["cold_starts"] == {"digest": 30, "dispatch": 96 * 30, "actions": 150}


def test_every_price_is_dated_and_sourced() -> None:
    assert cost.PRICES_TAKEN
    for price in cost.PRICES.values():
        assert price.source.startswith("https://")
        assert price.usd > 0


def test_only_the_functions_that_use_the_signing_key_read_the_secret() -> None:
    """The digest signs its links and the actions function verifies them; the dispatcher never reads the secret
    (its environment has no SIGNING_SECRET_ID), though a lone owner's ticks start it cold 2,880 times a month."""
    a = cost.Assumptions()
    bill = cost.monthly_bill(1, MEASURED, a)
    clicks = a.clicks_per_owner_day * a.days_per_month
    reads = (30 + clicks) * a.secret_reads_per_cold_start  # cold starts of the digest and the actions function
    expected = a.secrets * PRICE["secret_month"] + reads * PRICE["secrets_api_call"]
    assert _lines(bill)["secrets_manager"] == pytest.approx(expected, rel=1e-6)


def test_a_lone_owner_pays_for_fixed_costs_the_alarms_the_secret_and_the_queues_polling() -> None:
    """What one owner's $1.4 a month is: the template's alarms, the secret and the event source's idle polling."""
    bill = cost.monthly_bill(1, MEASURED)
    lines = _lines(bill)
    fixed = lines["cloudwatch_alarms"] + lines["secrets_manager"] + lines["sqs"]
    assert fixed > 0.95 * float(bill["total_usd_month"])  # type: ignore[arg-type]
    assert lines["cloudwatch_alarms"] == pytest.approx(7 * PRICE["alarm_month"])
    free = _lines(cost.monthly_bill(1, MEASURED, free_tier=True))
    assert free["cloudwatch_alarms"] == 0.0  # 7 alarms, within the 10 free ones


def test_the_access_log_line_carries_no_caller_address() -> None:
    """template.yaml's access log format with typical values, plus the 26 bytes CloudWatch bills per event."""
    import re

    from circleback.local.emulator import load_template

    log_format = load_template()["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]
    typical = {
        "requestId": "Jc8VhhYfIAMEMpA=",
        "routeKey": "POST /a/{token}",
        "status": "200",
        "responseLength": "1834",
        "responseLatency": "41",
    }
    line = re.sub(r"\$context\.(\w+)", lambda m: typical[m.group(1)], log_format.strip())
    assert cost.Assumptions().apigw_access_log_bytes == len(line.encode()) + 26
