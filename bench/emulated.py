"""The dispatcher on the embedded emulator (moto), in a process of its own: `python -m bench.emulated`.

N owners in the table built from template.yaml, of whom D are due at the tick (some of them left over from
missed ticks), most of the rest due later today and a few paused (no schedule, so absent from the sparse
index). The dispatch handler runs a first tick (a cold container: it also makes sure the deployment's default
owner exists) and a second, warm one; every DynamoDB and SQS call is counted, and the warm tick's responses
are recorded for the CPU timing (bench.worker dispatch).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TICK = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SQS_BATCH = 10
PAUSED_SHARE = 0.05


def owners(total: int, due: int, seed: int = 4) -> list[Any]:
    from circleback.domain.model import Owner

    rng = random.Random(seed)
    result = []
    for i in range(total):
        if i < due:  # due now; one in four left over from a missed tick
            send_at: datetime | None = TICK - timedelta(minutes=15 * rng.choice((0, 0, 0, 1)))
        elif rng.random() < PAUSED_SHARE:
            send_at = None
        else:  # later today
            send_at = TICK + timedelta(minutes=15 * rng.randint(1, 95))
        result.append(Owner(id=f"{rng.randbytes(8).hex()}-{i}", email=f"owner{i}@example.com", next_send_at=send_at))
    return result


def measure(total: int, due: int, wire_out: Path | None) -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from bench import sizes, wire
    from bench.worker import ENVIRONMENT, Context
    from circleback import runtime
    from circleback.adapters.store.codec import encode_item
    from circleback.adapters.store.items import owner_to_item
    from circleback.local.emulator import LOCAL_REGION, LOCAL_TABLE, create_table, use_loopback_credentials

    use_loopback_credentials()
    with mock_aws():
        session = boto3.session.Session(region_name=LOCAL_REGION)
        dynamodb: Any = session.client("dynamodb")
        create_table(dynamodb, LOCAL_TABLE)
        queue_url = session.client("sqs").create_queue(QueueName="circleback-digests")["QueueUrl"]
        items = [encode_item(owner_to_item(owner)) for owner in owners(total, due)]
        for start in range(0, len(items), 25):
            batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
            dynamodb.batch_write_item(RequestItems={LOCAL_TABLE: batch})
        os.environ.update(ENVIRONMENT)
        os.environ.update(TABLE_NAME=LOCAL_TABLE, QUEUE_URL=queue_url)
        runtime.reset()
        counter, recorder = wire.CallCounter(), wire.Recorder()
        for client in (runtime.repository().client, runtime.digest_queue().client):
            counter.attach(client)
            recorder.attach(client)
        handler = _load_handler()
        event = {"scheduled_time": TICK.isoformat().replace("+00:00", "Z")}
        context = Context(function_name="circleback-DispatchFunction")

        cold = handler.lambda_handler(event, context)
        cold_calls = counter.counts()
        counter.calls.clear()
        recorder.exchanges.clear()
        warm = handler.lambda_handler(event, context)
        warm_calls = counter.counts()
        scans = [name for name, _ in counter.calls if name.endswith(".Scan")]
        pages = [e for e in recorder.exchanges if e.operation == "Query"]
        read_units = sum(
            sizes.read_units(sum(sizes.item_size(item) for item in json.loads(e.body)["Items"]), consistent=False)
            for e in pages
        )
        queued = _queued(session.client("sqs"), queue_url)
        if wire_out is not None:
            wire.save(recorder.exchanges, wire_out)
            wire_out.with_suffix(".tick.json").write_text(json.dumps(event["scheduled_time"]), encoding="utf-8")
    from circleback.domain.schedule import SHARD_COUNT

    expected = SHARD_COUNT + math.ceil(due / SQS_BATCH)
    return {
        "owners": total,
        "due": due,
        "queued_per_tick": warm["queued"],
        "messages_in_queue_after_two_ticks": queued,
        "cold_tick_calls": cold_calls,
        "warm_tick_calls": warm_calls,
        "cold_tick_total": sum(cold_calls.values()),
        "warm_tick_total": sum(warm_calls.values()),
        "scans": len(scans),
        "query_pages": len(pages),
        "query_read_units": read_units,
        "expected_warm_calls": expected,
        "cold_queued": cold["queued"],
    }


def _queued(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def _load_handler() -> Any:
    import importlib

    sys.path.insert(0, str(ROOT / "functions" / "dispatch"))
    return importlib.import_module("dispatch_handler")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.emulated")
    parser.add_argument("--owners", type=int, required=True)
    parser.add_argument("--due", type=int, required=True)
    parser.add_argument("--wire-out", type=Path)
    args = parser.parse_args(argv)
    sys.stdout = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115 - the handler's logs and metrics
    result = measure(args.owners, args.due, args.wire_out)
    sys.__stdout__.write(json.dumps(result) + "\n")  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
