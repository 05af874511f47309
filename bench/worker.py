"""The timed part, in a fresh process that never imports the emulator: `python -m bench.worker MODE ...`.

It loads a function's handler module as Lambda does (its folder on sys.path, the layer package importable),
points every boto3 client at a stand-in (`before-send`), invokes the handler once to warm it (secrets, caches,
compiled templates: what a warm container has), records the exchanges of a second, warm invocation, then times
the handler fed those exchanges with `time.process_time()`, min of several runs. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import cProfile
import email
import email.policy
import gc
import importlib
import io
import json
import pstats
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TABLE = "circleback-bench"
SIGNING_SECRET = "circleback-bench-signing-key"  # noqa: S105 - the secret's name
SIGNING_KEY = "k" * 64  # the template's generated secret is 64 characters
ENVIRONMENT = {
    # What template.yaml gives the functions (Globals and each function's own variables).
    "POWERTOOLS_SERVICE_NAME": "circleback",
    "POWERTOOLS_METRICS_NAMESPACE": "circleback",
    "LOG_LEVEL": "INFO",
    "TABLE_NAME": TABLE,
    "SENDER_EMAIL": "digest@circleback.example",
    "API_BASE_URL": "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
    "SIGNING_SECRET_ID": SIGNING_SECRET,
    "SES_CONFIGURATION_SET": "circleback-SesConfigurationSet-BENCH",
    "QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/circleback-DigestQueue-BENCH",
    "OWNER_ID": "owner",
    "OWNER_EMAIL": "owner@example.com",
    "OWNER_TIMEZONE": "Europe/London",
    "OWNER_COUNTRY": "GB",
    "SEND_HOUR": "7",
    "DIGEST_FREQUENCY": "daily",
    "AWS_LAMBDA_FUNCTION_NAME": "circleback-bench",
}


class CountingSink(io.TextIOBase):
    """Stands in for the function's stdout (CloudWatch Logs): counts the bytes the handler logs."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8"))
        return len(text)

    def writable(self) -> bool:
        return True


@dataclass
class Context:
    """What the Lambda runtime passes as `context`, enough for Powertools."""

    function_name: str = "circleback-bench"
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:circleback-bench"
    aws_request_id: str = "bench"
    log_group_name: str = "/aws/lambda/circleback-bench"
    log_stream_name: str = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


class Switch:
    """The one `before-send` handler on the default session; what it delegates to changes between phases."""

    def __init__(self) -> None:
        self.target: Any = None

    def __call__(self, **kwargs: Any) -> Any:
        return self.target._answer(**kwargs)


def prepare(function: str, switch: Switch) -> tuple[ModuleType, CountingSink]:
    """The function's handler module, imported the way Lambda does, with every client routed through `switch`."""
    import os

    from circleback.local.emulator import use_loopback_credentials

    use_loopback_credentials()
    os.environ.update(ENVIRONMENT)
    sink = CountingSink()
    sys.stdout = sink  # before the import: Powertools' logger binds its stream when it is created
    import boto3

    boto3.setup_default_session()
    if boto3.DEFAULT_SESSION is None:
        raise RuntimeError("boto3 has no default session")
    boto3.DEFAULT_SESSION._session.register("before-send", switch)
    sys.path.insert(0, str(ROOT / "functions" / function))
    return importlib.import_module(f"{function}_handler"), sink


def cpu_times(action: Callable[[], object], runs: int, before: Callable[[], object] = lambda: None) -> list[float]:
    """CPU seconds of `action`, one per run, each after a full garbage collection (not timed)."""
    times = []
    for _ in range(runs):
        before()
        gc.collect()
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return times


def summary(times: Sequence[float]) -> dict[str, float]:
    return {
        "min_ms": round(min(times) * 1000, 3),
        "median_ms": round(statistics.median(times) * 1000, 3),
        "runs": len(times),
    }


def profile(action: Callable[[], object], top: int = 25) -> dict[str, Any]:
    """One run under cProfile: the functions with the most own time, and own time by package."""
    profiler = cProfile.Profile()
    profiler.enable()
    action()
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    by_package: dict[str, float] = {}
    for (filename, line, name), (_, ncalls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((tottime, cumtime, ncalls, f"{_short(filename)}:{line}({name})"))
        package = _package(filename)
        by_package[package] = by_package.get(package, 0.0) + tottime
    total = sum(by_package.values()) or 1.0
    rows.sort(reverse=True)
    return {
        "note": "one run under cProfile (which inflates small calls); own time per function and per package",
        "total_ms": round(total * 1000, 1),
        "own_time_by_package_pct": {
            k: round(100 * v / total, 1)
            for k, v in sorted(by_package.items(), key=lambda kv: -kv[1])
            if v / total > 0.005
        },
        "top_own_time": [
            {"function": where, "calls": n, "own_ms": round(t * 1000, 1), "cumulative_ms": round(c * 1000, 1)}
            for t, c, n, where in rows[:top]
        ],
    }


def _short(filename: str) -> str:
    for marker in ("site-packages/", "layers/circleback/", "functions/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def _package(filename: str) -> str:
    if filename.startswith(("~", "<")):
        return "builtins (C: json, re, str, ...)"
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if "layers/circleback/circleback/" in filename:
        return "circleback." + filename.split("layers/circleback/circleback/", 1)[1].split("/", 1)[0].removesuffix(
            ".py"
        )
    if "functions/" in filename:
        return "handler"
    if "/lib/python3" in filename:
        return "stdlib." + filename.split("/lib/python3", 1)[1].split("/", 2)[1].removesuffix(".py")
    return filename


@contextmanager
def traced() -> Iterator[dict[str, float]]:
    result: dict[str, float] = {}
    tracemalloc.start()
    try:
        yield result
        result["peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def _html_part(raw: bytes) -> bytes:
    """The HTML part of a MIME message, decoded from its transfer encoding: the bytes a mail app measures."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload
    raise RuntimeError("the digest has no HTML part")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KB


# --- the digest ----------------------------------------------------------------------------------------------


def digest(
    contacts: int,
    runs: int,
    as_of: date,
    wire_out: Path | None,
    with_profile: bool = True,
    max_due: int | None = None,
) -> dict[str, Any]:
    from bench import scenario, sizes, wire
    from bench.table import FakeAws, Table

    switch = Switch()
    handler, sink = prepare("digest", switch)
    rss_after_import = rss_mb()

    from circleback import runtime
    from circleback.adapters.store.codec import encode_item
    from circleback.domain.occasions import DEFAULT_OCCASION_FINDERS
    from circleback.domain.planner import PlanSettings, plan_digest
    from circleback.domain.schedule import local_send_date
    from circleback.mail.mime import build_message
    from circleback.mail.render import TEMPLATES, digest_view, render_digest
    from circleback.templating import templates

    partition = scenario.generate(contacts, as_of=as_of)
    if max_due is not None:  # the owner's setting, as `settings set --max-due` stores it
        partition = replace(partition, owner=replace(partition.owner, max_due=max_due))
    items = [encode_item(item) for item in scenario.plain_items(partition)]
    fake = FakeAws(Table(TABLE, items), SIGNING_KEY)
    switch.target = fake
    send_at = scenario.send_at(as_of)
    body = json.dumps({"owner_id": partition.owner.id, "send_at": send_at.isoformat()})
    event = {"Records": [_sqs_record(body)]}
    context = Context(function_name="circleback-DigestFunction")

    def morning() -> datetime:  # the scenario's morning, whatever today is
        return send_at + timedelta(minutes=5)

    def invoke() -> None:
        with runtime.clock_set_to(morning):
            response = handler.lambda_handler(event, context)
        if response.get("batchItemFailures"):
            raise RuntimeError(f"the digest handler failed: {response}")

    invoke()  # warm: the signing key, the holiday calendars, the compiled templates
    fake.table = Table(TABLE, items)  # as before the warm-up: this run claims, sends and reschedules again
    fake.exchanges.clear()
    fake.requests.clear()
    logged_before = sink.bytes
    invoke()
    logged = sink.bytes - logged_before
    exchanges = list(fake.exchanges)
    paginated_queries = sum(
        1
        for e, request in zip(exchanges, fake.requests, strict=True)
        if e.operation == "Query" and "ExclusiveStartKey" not in request
    )
    operations = [f"{e.service}.{e.operation}" for e in exchanges]
    if "sesv2.SendEmail" not in operations:
        raise RuntimeError(f"the recorded invocation sent no digest: {operations}")
    if wire_out is not None:
        wire.save(exchanges, wire_out)

    replayer = wire.Replayer(exchanges)
    switch.target = replayer
    pipeline = cpu_times(invoke, runs, replayer.rewind)
    reads = [e.body for e in exchanges if e.service == "dynamodb" and e.operation in ("GetItem", "Query")]
    json_loads = cpu_times(lambda: [json.loads(b) for b in reads], max(runs, 15))

    # Where the time goes, stage by stage, on the same inputs (the handler's own path, cut at its seams).
    runs = min(runs, 3)
    owner = partition.owner
    repo = runtime.repository()
    load_exchanges = _load_subsequence(exchanges)
    load_replayer = wire.Replayer(load_exchanges)
    switch.target = load_replayer
    load = cpu_times(lambda: repo.digest_input(owner), runs, load_replayer.rewind)
    botocore_only = cpu_times(lambda: _parsed_reads(repo, owner.id), runs, load_replayer.rewind)
    lean_load = cpu_times(lambda: _lean_load(load_exchanges), runs)
    load_replayer.rewind()
    data = repo.digest_input(owner)
    if owner.email is None:
        raise RuntimeError("the scenario's owner did not load")
    email = owner.email
    local_date = local_send_date(owner.timezone, send_at, owner.send_hour)
    settings = PlanSettings.of(owner)
    plan = plan_digest(data, local_date, settings, DEFAULT_OCCASION_FINDERS)
    planning = cpu_times(lambda: plan_digest(data, local_date, settings, DEFAULT_OCCASION_FINDERS), runs)
    links = runtime.links_for(owner, local_date, send_at)
    rendered = render_digest(plan, owner, links)
    rendering = cpu_times(lambda: render_digest(plan, owner, links), runs)
    digest_settings = runtime.environment().digest_settings()

    def mime() -> bytes:
        return build_message(
            rendered,
            sender=digest_settings.sender,
            recipient=email,
            unsubscribe_url=links.pause_url(),
            message_id_domain=digest_settings.message_id_domain,
            message_key=f"digest-{owner.id}-{local_date.isoformat()}",
            date=send_at,
        )

    raw = mime()
    mime_times = cpu_times(mime, runs)
    # The whole digest's HTML before the fitter cuts it: the baseline the sent HTML is measured against.
    unfitted_html = templates(TEMPLATES).get_template("digest.html").render(d=digest_view(plan, owner, links))

    estimated_lean = min(pipeline) - min(load) + min(lean_load)
    switch.target = replayer
    replayer.rewind()
    profiled = profile(invoke) if with_profile else None
    plan_profile = (
        profile(lambda: plan_digest(data, local_date, settings, DEFAULT_OCCASION_FINDERS), top=12)
        if with_profile
        else None
    )
    replayer.rewind()
    with traced() as memory:
        invoke()

    needed = [
        sizes.item_size(item)
        for item in items
        if item["SK"]["S"] == "PROFILE" or item["SK"]["S"].split("#", 1)[0] in ("CONTACT", "TOUCH", "EVENT")
    ]
    all_sizes = [sizes.item_size(item) for item in items]
    return {
        "contacts": contacts,
        "as_of": as_of.isoformat(),
        "occasions": len(plan.occasions),
        "due": plan.all_due,
        "partition": partition.describe() | {"items": len(items), "bytes": sum(all_sizes)},
        "pipeline": summary(pipeline),
        "json_loads": summary(json_loads) | {"bytes": sum(len(b) for b in reads), "responses": len(reads)},
        "ratio": round(min(pipeline) / min(json_loads), 2),
        "ratio_with_lean_load_estimate": round(estimated_lean / min(json_loads), 2),
        "stages": {
            "digest_input (Query pages -> domain objects, as the digest reads them)": summary(load),
            "  the same Query pages through botocore's default parser, for comparison": summary(botocore_only),
            "  json.loads + the store's decode alone, no botocore at all": summary(lean_load),
            "plan_digest": summary(planning),
            "render_digest (jinja2: text + HTML)": summary(rendering),
            "build_message (MIME)": summary(mime_times),
        },
        "calls": _call_counts(exchanges),
        "read_units": round(sum(e.read_units for e in exchanges), 2),
        "write_units": round(sum(e.write_units for e in exchanges), 2),
        "query_pages": sum(1 for e in exchanges if e.operation == "Query"),
        "paginated_queries": paginated_queries,
        "query_page_bytes": [len(e.body) for e in exchanges if e.operation == "Query"],
        "floor_read_units": round(sizes.floor_read_units(needed), 3),
        "needed_items_bytes": sum(needed),
        "mime_bytes": len(raw),
        "html_bytes": len(_html_part(raw)),
        "unfitted_html_bytes": len(unfitted_html.encode()),
        "max_due": owner.max_due,
        "log_bytes_per_invocation": logged,
        "memory": {
            "rss_after_import_mb": round(rss_after_import, 1),
            "invocation_peak_alloc_mb": round(memory["peak_mb"], 1),
            "process_peak_rss_mb": round(rss_mb(), 1),
        },
        "profile": profiled,
        "plan_profile": plan_profile,
    }


def _sqs_record(body: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((ROOT / "events" / "digest_sqs.json").read_text(encoding="utf-8"))["Records"][0]
    return {**record, "body": body}


def _load_subsequence(exchanges: Sequence[Any]) -> list[Any]:
    """The Query pages that Repository.digest_input reads, as the digest made them."""
    first_query = next(i for i, e in enumerate(exchanges) if e.operation == "Query")
    last_query = max(i for i, e in enumerate(exchanges) if e.operation == "Query")
    return list(exchanges[first_query : last_query + 1])


def _parsed_reads(repo: Any, owner_id: str) -> None:
    """The same Query through botocore's paginator and parser, without decoding: what the lean path saves."""
    from circleback.adapters.store.keys import DIGEST_RANGE, owner_pk

    first, last = DIGEST_RANGE
    values = {":pk": {"S": owner_pk(owner_id)}, ":first": {"S": first}, ":last": {"S": last}}
    for _ in repo.client.get_paginator("query").paginate(
        TableName=repo.table_name,
        KeyConditionExpression="PK = :pk AND SK BETWEEN :first AND :last",
        ExpressionAttributeValues=values,
    ):
        pass


def _lean_load(exchanges: Sequence[Any]) -> None:
    """What loading costs without botocore's parser: json.loads of the bodies, then the store's own mapping."""
    from circleback.adapters.store.codec import decode_item
    from circleback.adapters.store.items import item_to_contact, item_to_event, item_to_owner, item_to_touch

    mappers = {"CONTACT": item_to_contact, "TOUCH": item_to_touch, "EVENT": item_to_event}
    for exchange in exchanges:
        data = json.loads(exchange.body)
        if "Item" in data:
            item_to_owner(decode_item(data["Item"]))
        for raw in data.get("Items", ()):
            item = decode_item(raw)
            mapper = mappers.get(item["SK"].split("#", 1)[0])
            if mapper is not None:
                mapper(item)


def _call_counts(exchanges: Sequence[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in exchanges:
        name = f"{e.service}.{e.operation}"
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items()))


# --- the digest's peak memory, in a process that holds little else -----------------------------------------------


class _SecretThenReplay:
    """Answers Secrets Manager from the stand-in (a cold container fetches the signing key once, which the
    recorded warm invocation did not) and every other call from the recorded invocation, in order."""

    def __init__(self, secrets: Any, replayer: Any) -> None:
        self.secrets = secrets
        self.replayer = replayer

    def _answer(self, event_name: str, request: Any, **kwargs: Any) -> Any:
        if ".secrets-manager." in event_name or ".secretsmanager." in event_name:
            return self.secrets._answer(event_name, request, **kwargs)
        return self.replayer._answer(event_name, request, **kwargs)


def rss_now_mb() -> float:
    """The process's resident set now (Linux: /proc/self/statm), else its peak so far."""
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    except OSError:
        return rss_mb()
    return pages * resource.getpagesize() / 2**20


def reset_peak_rss() -> bool:
    """Start ru_maxrss afresh from the resident set now (Linux 4.0+: clear_refs 5); False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        return False
    return True


def digest_memory(wire_in: Path, as_of: date) -> dict[str, Any]:
    """The digest handler's peak resident memory for one invocation, its first (cold: the signing key fetched,
    templates compiled, calendars built): ru_maxrss of a fresh process that imported the handler as Lambda does
    and holds nothing else but the invocation's recorded responses (a `bench.worker digest --wire-out` file).

    ru_maxrss, not tracemalloc: it is what Lambda's memory limit holds the process to, and it sees what
    tracemalloc cannot (memory allocated outside Python's allocators, the allocator's unreturned arenas). Its
    peak is reset just before the invocation (where the kernel allows), so reading the recorded responses from
    their file does not count, but holding them does: in Lambda they come one page at a time, so the figure
    over-counts by up to their size (reported), never under-counts.
    """
    from bench import scenario, wire
    from bench.table import FakeAws, Table
    from circleback import runtime

    switch = Switch()
    handler, _ = prepare("digest", switch)
    after_import = rss_now_mb()
    exchanges = wire.load(wire_in)
    held = sum(len(e.body) for e in exchanges)
    replayer = wire.Replayer(exchanges)
    switch.target = _SecretThenReplay(FakeAws(Table(TABLE, []), SIGNING_KEY), replayer)
    send_at = scenario.send_at(as_of)
    body = json.dumps({"owner_id": scenario.OWNER_ID, "send_at": send_at.isoformat()})
    event = {"Records": [_sqs_record(body)]}
    context = Context(function_name="circleback-DigestFunction")

    gc.collect()
    before = rss_now_mb()
    was_reset = reset_peak_rss()
    with runtime.clock_set_to(lambda: send_at + timedelta(minutes=5)):
        response = handler.lambda_handler(event, context)
    peak = rss_mb()
    if response.get("batchItemFailures") or replayer.position != len(exchanges):
        raise RuntimeError(f"the digest did not replay its recorded invocation: {response}, {replayer.position}")
    return {
        "method": "ru_maxrss (getrusage RUSAGE_SELF) of a fresh process: the handler imported as Lambda does, the "
        "recorded responses in memory, the peak reset just before one cold invocation",
        "peak_reset_before_invocation": was_reset,
        "rss_after_import_mb": round(after_import, 1),
        "rss_before_invocation_mb": round(before, 1),
        "recorded_responses_held_mb": round(held / 2**20, 1),
        "peak_rss_mb": round(peak, 1),
        "invocation_growth_mb": round(peak - before, 1),
        "peak_less_recorded_responses_mb": round(peak - held / 2**20, 1),
    }


# --- the action links: a link's page (GET) and its form (POST) ------------------------------------------------


def actions(contacts: int, runs: int, as_of: date) -> dict[str, Any]:
    """One "I reached out" link of a digest: its confirmation page, then the form's post."""
    import base64
    import os
    from datetime import UTC, datetime

    from bench import scenario, wire
    from bench.table import FakeAws, Table

    switch = Switch()
    os.environ["OWNER_ID"] = scenario.OWNER_ID
    ENVIRONMENT["OWNER_ID"] = scenario.OWNER_ID
    handler, sink = prepare("actions", switch)
    from circleback.adapters.store.codec import encode_item
    from circleback.auth.tokens import Action, Purpose, StaticKeyRing, TokenSigner

    partition = scenario.generate(contacts, as_of=as_of)
    items = [encode_item(item) for item in scenario.plain_items(partition)]
    fake = FakeAws(Table(TABLE, items), SIGNING_KEY)
    switch.target = fake
    contact = next(c for c in partition.contacts if c.tier.value == "A" and not c.paused)
    signer = TokenSigner(StaticKeyRing(SIGNING_KEY.encode()))
    context = Context(function_name="circleback-ActionsFunction")

    def call(event: dict[str, Any], status: int) -> None:
        response = handler.lambda_handler(event, context)
        if response["statusCode"] != status:
            raise RuntimeError(f"the actions handler answered {response['statusCode']}: {response.get('body')}")

    results: dict[str, Any] = {}
    # "I reached out" (a touch: the record, the touch and the contact in one transaction) and "Snooze" (the
    # record and the contact): the two kinds of link a digest's reader clicks.
    for link, action, form in (
        ("", Action.REACHED_OUT, b"op=do&channel=email&note=Sent+the+article"),
        ("snooze_", Action.SNOOZE, b"op=do"),
    ):
        now = datetime.now(UTC)  # the handler checks expiry against the real clock: a link of today's digest
        token = signer.sign(partition.owner.id, contact.id, action, now.date().isoformat(), Purpose.ACTION, now)
        get = _http_event("actions_get", token)
        post = _http_event("actions_post", token) | {"body": base64.b64encode(form).decode()}
        fake.table = Table(TABLE, items)
        call(get, 200)  # warm: the signing key, the templates
        call(post, 200)
        for name, event in (("get", get), ("post", post)):
            fake.table = Table(TABLE, items)  # the link not yet used
            fake.exchanges.clear()
            logged_before = sink.bytes
            call(event, 200)
            logged = sink.bytes - logged_before
            exchanges = list(fake.exchanges)
            replayer = wire.Replayer(exchanges)
            switch.target = replayer
            times = cpu_times(lambda event=event: call(event, 200), runs, replayer.rewind)  # type: ignore[misc]
            switch.target = fake
            results[link + name] = {
                "cpu_ms": summary(times),
                "calls": _call_counts(exchanges),
                "read_units": round(sum(e.read_units for e in exchanges), 2),
                "write_units": round(sum(e.write_units for e in exchanges), 2),
                "log_bytes_per_invocation": logged,
            }
    return {"contacts": contacts, **results}


def _http_event(name: str, token: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((ROOT / "events" / f"{name}.json").read_text(encoding="utf-8"))
    path = f"/{token}"
    event["rawPath"] = path
    event["requestContext"]["http"]["path"] = path
    event["pathParameters"] = {"token": token}
    return event


# --- the dispatcher: replay a tick recorded on the emulator ---------------------------------------------------


def dispatch(wire_in: Path, runs: int) -> dict[str, Any]:
    from bench import wire

    exchanges = wire.load(wire_in)
    replayer = wire.Replayer(exchanges)
    switch = Switch()
    switch.target = replayer
    handler, sink = prepare("dispatch", switch)
    handler._Container.owner_ensured = True  # a warm container: the default owner is known to exist
    tick = json.loads((ROOT / "events" / "dispatch_tick.json").read_text(encoding="utf-8"))
    tick["scheduled_time"] = json.loads(wire_in.with_suffix(".tick.json").read_text(encoding="utf-8"))
    context = Context(function_name="circleback-DispatchFunction")

    def invoke() -> None:
        handler.lambda_handler(tick, context)
        if replayer.position != len(exchanges):
            raise RuntimeError("the dispatch tick made fewer calls than recorded")

    invoke()
    logged_before = sink.bytes
    replayer.rewind()
    invoke()
    logged = sink.bytes - logged_before
    times = cpu_times(invoke, runs, replayer.rewind)
    return {"tick": summary(times), "log_bytes_per_invocation": logged, "calls": _call_counts(exchanges)}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    sub = parser.add_subparsers(dest="mode", required=True)
    d = sub.add_parser("digest")
    d.add_argument("--contacts", type=int, required=True)
    d.add_argument("--runs", type=int, default=7)
    d.add_argument("--as-of", type=date.fromisoformat, required=True)
    d.add_argument("--wire-out", type=Path)
    d.add_argument("--no-profile", action="store_true")
    d.add_argument("--max-due", type=int, help="the owner's max_due setting (default: the scenario's)")
    t = sub.add_parser("dispatch")
    t.add_argument("--wire-in", type=Path, required=True)
    t.add_argument("--runs", type=int, default=9)
    m = sub.add_parser("digest-memory")
    m.add_argument("--wire-in", type=Path, required=True)
    m.add_argument("--as-of", type=date.fromisoformat, required=True)
    a = sub.add_parser("actions")
    a.add_argument("--contacts", type=int, default=500)
    a.add_argument("--as-of", type=date.fromisoformat, required=True)
    a.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    if args.mode == "digest":
        result = digest(args.contacts, args.runs, args.as_of, args.wire_out, not args.no_profile, args.max_due)
    elif args.mode == "digest-memory":
        result = digest_memory(args.wire_in, args.as_of)
    elif args.mode == "actions":
        result = actions(args.contacts, args.runs, args.as_of)
    else:
        result = dispatch(args.wire_in, args.runs)
    sys.__stdout__.write(json.dumps(result) + "\n")  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
