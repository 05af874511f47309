"""`make demo`: the real dispatch, digest and actions handlers, on the embedded emulator, with the samples.

Everything runs in process against moto: the table (built from template.yaml), the digest queue, SES
and the signing secret. Events are shaped as EventBridge Scheduler and SQS deliver them (events/).
The message SES received is read back and written to out/digest.eml, .html and .txt. Then, unless told
not to, the functions behind the HTTP API are served on 127.0.0.1 (local/api_gateway.py): the digest's links can be
clicked, the calendar feed subscribed to, and `/` shows the next digest as it would be planned now (a click
shows up there at once).
"""

from __future__ import annotations

import email
import email.policy
import importlib.util
import json
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from circleback.domain.model import Owner
from circleback.local.api_gateway import (
    LOOPBACK,
    HttpApiGateway,
    Integration,
    StartResponse,
    http_api_functions,
    serving,
    template_routes,
)
from circleback.local.emulator import (
    LOCAL_REGION,
    LOCAL_TABLE,
    create_table,
    load_template,
    require_checkout,
    use_loopback_credentials,
)
from circleback.runtime import Clock, wall_clock

if TYPE_CHECKING:
    from circleback.adapters.store.repository import Repository

OWNER_ID = "owner"
SENDER_DOMAIN = "circleback.example"
MOTO_ACCOUNT = "123456789012"  # the emulator's account id
SIGNING_SECRET_NAME = "circleback-signing-key"  # noqa: S105 - a secret's name, not its value
DEMO_PORT = 8000
SAMPLE_HOME_CITY = "London"
SAMPLE_TRIP_CITY = "Berlin"
SAMPLE_TRIP_IN_DAYS = 9  # within the two weeks a trip is in the digest before it starts
INBOUND_BUCKET = "circleback-inbound"  # mail in: where SES receiving stores the logging address's mail
LOGGING_ADDRESS = "log@in.circleback.example"


@dataclass(frozen=True)
class DemoResult:
    eml: Path
    html: Path
    txt: Path
    subject: str


@dataclass(frozen=True)
class LambdaContextStub:
    """What the Lambda runtime passes as `context`, enough for Powertools."""

    function_name: str
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"
    aws_request_id: str = "demo"
    log_group_name: str = "demo"
    log_stream_name: str = "demo"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{LOCAL_REGION}:{MOTO_ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def load_handler(name: str) -> ModuleType:
    """A function's handler module, loaded from functions/<name>/<name>_handler.py as Lambda would.

    Handlers read the time through `runtime.now()`: `running` (or a test, with `runtime.clock_set_to`) sets it.
    """
    path = require_checkout() / "functions" / name / f"{name}_handler.py"
    spec = importlib.util.spec_from_file_location(f"{name}_handler", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def event(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((require_checkout() / "events" / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def sqs_event(bodies: list[str], receipt_handles: list[str]) -> dict[str, Any]:
    """The queue's messages in the shape Lambda's SQS integration delivers (events/digest_sqs.json)."""
    template = event("digest_sqs")["Records"][0]
    records = [
        {**template, "messageId": f"demo-{i}", "receiptHandle": handle, "body": body}
        for i, (body, handle) in enumerate(zip(bodies, receipt_handles, strict=True))
    ]
    return {"Records": records}


@dataclass(frozen=True)
class DemoSession:
    result: DemoResult
    base_url: str  # where the digest's links point (served only when the session serves)
    calendar_url: str  # the owner's calendar feed, as `circleback calendar url` would print it


def run(out_dir: Path, owner_email: str, timezone: str, country: str, clock: Clock = wall_clock) -> DemoResult:
    """Send the demo digest and write it out; nothing is served."""
    with running(out_dir, owner_email, timezone, country, clock, serve=False) as session:
        return session.result


@contextmanager
def running(
    out_dir: Path,
    owner_email: str,
    timezone: str,
    country: str,
    clock: Clock = wall_clock,
    *,
    port: int = DEMO_PORT,
    serve: bool = True,
) -> Iterator[DemoSession]:
    """The demo's emulated AWS, alive for the block: the digest sent and written, the links served.

    The handlers read `clock` through `runtime.now()` for the block (tests pass one that starts at a fixed
    instant, so that what is due does not depend on the day they run).
    """
    import boto3
    from moto import mock_aws

    from circleback import runtime

    use_loopback_credentials()
    now = clock()
    site = DemoSite()
    with runtime.clock_set_to(clock), mock_aws(), _maybe_serving(site, port, serve) as base_url:
        queue_url = provision(boto3.session.Session(region_name=LOCAL_REGION))
        configure(queue_url, owner_email, timezone, country, base_url)
        site.api = api_gateway()
        dispatch, digest = load_handler("dispatch"), load_handler("digest")
        # The first tick, just before the owner's latest send, creates the owner from the deployment's settings;
        # the second, now, finds that send due.
        dispatch.lambda_handler(tick_event(_before_latest_send(now)), LambdaContextStub("DispatchFunction"))
        import_samples()
        dispatch.lambda_handler(tick_event(now), LambdaContextStub("DispatchFunction"))
        sqs = boto3.client("sqs", region_name=LOCAL_REGION)
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        batch = sqs_event([m["Body"] for m in messages], [m["ReceiptHandle"] for m in messages])
        response = digest.lambda_handler(batch, LambdaContextStub("DigestFunction"))
        if response.get("batchItemFailures"):
            raise RuntimeError(f"the digest handler reported failures: {response}")
        yield DemoSession(_write(_sent_message(), out_dir), base_url, _calendar_url(base_url, now))


def api_gateway(**loaded: ModuleType) -> HttpApiGateway:
    """Every function template.yaml puts behind the HttpApi, served on the routes the template gives it.

    A handler module already loaded can be passed by its folder's name (`actions=module`), so a test can
    reach into the very module that serves its requests.
    """
    template = load_template()
    integrations = []
    for function in http_api_functions(template):
        name = PurePosixPath(template["Resources"][function]["Properties"]["CodeUri"]).name
        module = loaded.get(name) or load_handler(name)
        routes = tuple(template_routes(function, template))
        integrations.append(Integration(module.lambda_handler, routes, LambdaContextStub(function)))
    return HttpApiGateway(integrations)


@contextmanager
def _maybe_serving(site: DemoSite, port: int, serve: bool) -> Iterator[str]:
    if not serve:
        yield f"http://{LOOPBACK}:{port}"
        return
    with serving(site, port, verbose=True) as base_url:
        yield base_url


class DemoSite:
    """The local API, plus `/`: the owner's next digest planned from the table as it is now."""

    def __init__(self) -> None:
        self.api: HttpApiGateway | None = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.api is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"The demo is still starting.\n"]
        if environ.get("PATH_INFO") in ("", "/") and environ["REQUEST_METHOD"] in ("GET", "HEAD"):
            page = next_digest_html().encode("utf-8")
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")])
            return [page]
        return self.api(environ, start_response)


def next_owner_digest_date() -> date:
    """The local date of the owner's next scheduled digest."""
    return _owner_and_next_digest_date()[1]


def next_digest_html() -> str:
    """The next digest as the owner would get it if it were planned now (the email's HTML part)."""
    from circleback import runtime
    from circleback.domain.schedule import local_send_date
    from circleback.mail.render import render_digest
    from circleback.services.preview import preview

    owner, as_of = _owner_and_next_digest_date()
    now = runtime.now()
    # Its links are signed now, so they belong to today's date at the latest: a link is made from 16 hours before
    # its digest's date begins in UTC (docs/links.md), and tomorrow's digest can be further ahead than that (in
    # the hour after today's send, say). Only the day a click is filed under differs.
    links = runtime.links_for(owner, min(as_of, local_send_date(owner.timezone, now)), now)
    return render_digest(preview(runtime.repository(), OWNER_ID, as_of)[1], owner, links).html


def _owner_and_next_digest_date() -> tuple[Owner, date]:
    from circleback import runtime
    from circleback.domain.schedule import local_send_date

    owner = runtime.repository().get_owner(OWNER_ID)
    if owner is None or owner.next_send_at is None:
        raise RuntimeError("the demo owner has no next digest scheduled")
    return owner, local_send_date(owner.timezone, owner.next_send_at, owner.send_hour)


def _calendar_url(base_url: str, now: datetime) -> str:
    from circleback import runtime
    from circleback.services.calendar_feed import calendar_link

    revoked_at = runtime.repository().calendar_links_revoked_at(OWNER_ID)
    return calendar_link(runtime.signer(), base_url, OWNER_ID, now, revoked_at)


def _before_latest_send(now: datetime) -> datetime:
    """Just before the demo owner's latest send at or before `now`.

    A tick there creates the owner with that send next, and the tick at `now` finds it due, whatever the clocks
    did in between: "a day before now" would miss it in the hour after a send on the day the clocks go back.
    """
    from circleback import runtime
    from circleback.domain.schedule import next_send_at

    owner = runtime.environment().default_owner()
    if owner is None:
        raise RuntimeError("the demo needs an owner email")
    latest = next_send_at(owner, now - timedelta(days=8))  # a weekly owner sends within any eight days
    while latest is not None and (following := next_send_at(owner, latest)) is not None and following <= now:
        latest = following
    if latest is None or latest > now:
        raise RuntimeError("the demo owner has no send in the week before now")
    return latest - timedelta(seconds=1)


def provision(session: Any) -> str:
    """The deployment's AWS resources on the emulator (`session` inside `mock_aws`): the template's table, a
    verified sender domain, the signing secret and the digest queue, whose URL it returns."""
    create_table(session.client("dynamodb"), LOCAL_TABLE)
    session.client("ses").verify_domain_identity(Domain=SENDER_DOMAIN)
    session.client("secretsmanager").create_secret(
        Name="circleback-signing-key", SecretString=secrets.token_urlsafe(48)
    )
    session.client("s3").create_bucket(Bucket=INBOUND_BUCKET)
    url: str = session.client("sqs").create_queue(QueueName="circleback-digests")["QueueUrl"]
    return url


def configure(queue_url: str, owner_email: str, timezone: str, country: str, base_url: str) -> None:
    """The environment the template gives the functions, pointed at the emulator."""
    from circleback import runtime

    os.environ.update(
        TABLE_NAME=LOCAL_TABLE,
        QUEUE_URL=queue_url,
        OWNER_ID=OWNER_ID,
        OWNER_EMAIL=owner_email,
        OWNER_TIMEZONE=timezone,
        OWNER_COUNTRY=country,
        SEND_HOUR="7",
        DIGEST_FREQUENCY="daily",
        SENDER_EMAIL=f"circleback <digest@{SENDER_DOMAIN}>",
        API_BASE_URL=base_url,
        SIGNING_SECRET_ID=SIGNING_SECRET_NAME,
        SES_CONFIGURATION_SET="",
        INBOUND_BUCKET=INBOUND_BUCKET,
        LOGGING_ADDRESS=LOGGING_ADDRESS,
        POWERTOOLS_METRICS_DISABLED="true",
        POWERTOOLS_LOG_LEVEL="WARNING",
        POWERTOOLS_SERVICE_NAME="circleback",
    )
    runtime.reset()


def tick_event(at: datetime) -> dict[str, Any]:
    """The dispatch schedule's event at `at`, shaped as EventBridge Scheduler delivers it (events/)."""
    tick = event("dispatch_tick")
    tick["scheduled_time"] = at.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return tick


def import_samples() -> None:
    """The sample network, imported as of the owner's local date of the coming send."""
    from circleback import runtime
    from circleback.services.importing import import_contacts, import_events, import_file, import_touches

    repo = runtime.repository()
    today = next_owner_digest_date()
    samples = require_checkout() / "samples"
    for importer, name in ((import_contacts, "contacts"), (import_touches, "touches"), (import_events, "events")):
        report = importer(repo, OWNER_ID, (samples / f"{name}.csv").read_text(encoding="utf-8"), today)
        if report.rejected:
            raise RuntimeError(f"the sample {name} were rejected: {report.errors[0]}")
    # LinkedIn's export on top: the people already there are merged, the others come in unsorted, for the
    # digest's Sort section (former colleagues from the owner's own new_job events first).
    connections = samples / "Connections.csv"
    (report,) = import_file(
        repo, OWNER_ID, connections.read_text(encoding="utf-8"), today, filename=connections.name
    ).reports
    if report.rejected:
        raise RuntimeError(f"the sample connections were rejected: {report.errors[0]}")
    add_sample_places(repo, today)
    add_sample_steps(repo, today)


# The demo's next steps (docs/design.md, "Next steps"), dated from the digest's day so that each is due in it.
SAMPLE_SHARE = (
    "https://example.com/essays/org-design-at-scale",
    "Org design at scale, ten years on",
    ["leadership", "architecture", "writing"],
)


def add_sample_steps(repo: Repository, today: date) -> None:
    """A follow-up due today (Daniel), an open ask to check in on (Marcus), a favour to thank for (Fatima) and one
    to tell the outcome of (Rahul), a reconnect with a need whose time to ask has come (Kenji), a reconnect that
    puts Aisha first, and an essay worth sharing with the people whose tags meet it."""
    from circleback.domain.model import Channel, Direction, FollowUp
    from circleback.services.contacts import log
    from circleback.services.loops import Move, MoveDetails, move_favour, queue_share, reconnect

    people = {c.name: c for c in repo.list_contacts(OWNER_ID)}
    now = datetime.combine(today, datetime.min.time()).astimezone()

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    follow_up = FollowUp(today, "how the payments launch went")
    log(repo, OWNER_ID, people["Daniel Kim"], day(-14), Direction.MUTUAL, Channel.CALL,
        "Launching the new payments API next week; nervous about the migration.", now, follow_up)  # fmt: skip
    steps = (
        ("Marcus Johnson", -16, Move.ASK, MoveDetails("a reference for the Staff Engineer role at Globex", day(-2))),
        ("Fatima Al-Sayed", -9, Move.ASK, MoveDetails("a read of my conference talk")),
        ("Fatima Al-Sayed", -1, Move.HELPED, MoveDetails(note="Three pages of notes; the opening is much better.")),
        ("Rahul Mehta", -50, Move.ASK, MoveDetails("advice on the architecture offer")),
        (
            "Rahul Mehta",
            -35,
            Move.HELPED,
            MoveDetails(note="An hour on the phone; he said take it.", outcome_on=day(-3)),
        ),
        ("Rahul Mehta", -34, Move.THANKED, MoveDetails()),
    )
    for name, offset, move, details in steps:
        move_favour(repo, OWNER_ID, people[name], move, day(offset), now, details)
    reconnect(repo, OWNER_ID, people["Kenji Watanabe"], "an intro to the Rakuten platform team", day(-8))
    reconnect(repo, OWNER_ID, people["Aisha Bello"], None, today)
    url, title, tags = SAMPLE_SHARE
    queue_share(repo, OWNER_ID, url, title, tags, day(-2))
    add_sample_new_person(repo, day(-1))


# Someone the owner wrote to the day before the digest who is no contact: the digest offers to add them.
SAMPLE_NEW_PERSON = ("Lena Fischer", "lena.fischer@example.de")


def add_sample_new_person(repo: Repository, written_on: date) -> None:
    """The owner's note to Lena Fischer, BCC'd to the logging address the day before the digest, taken in as any
    mail is (services/inbound.py): she is no contact, so the digest offers to add her."""
    from circleback.formats.messages import read_message
    from circleback.services.inbound import take_in

    owner = repo.get_owner(OWNER_ID)
    if owner is None or not owner.email:
        raise RuntimeError("the demo's owner is missing, or has no email")
    sent_at = datetime.combine(written_on, datetime.min.time().replace(hour=12), ZoneInfo(owner.timezone))
    name, address = SAMPLE_NEW_PERSON
    raw = _sample_bcc(owner.email, name, address, sent_at)
    take_in(repo, owner, [read_message(raw)], sent_at, logging_address=LOGGING_ADDRESS)


def add_sample_places(repo: Repository, today: date) -> None:
    """The owner lives in London (people due there get a coffee suggested, and three from Northwind Analytics,
    the owner's old employer, a lunch together) and goes to Berlin in nine days, where three sample contacts
    live: the digest proposes a lunch there too (docs/design.md, "Places")."""
    from circleback.services.places import add_trip, home

    owner = repo.get_owner(OWNER_ID)
    if owner is None:
        raise RuntimeError("the demo's owner is missing")
    if not repo.replace_owner(home(owner, SAMPLE_HOME_CITY), owner):
        raise RuntimeError("the demo's owner changed while its home city was set")
    start = today + timedelta(days=SAMPLE_TRIP_IN_DAYS)
    add_trip(repo, OWNER_ID, SAMPLE_TRIP_CITY, start, start + timedelta(days=2), None, today)


@dataclass(frozen=True)
class MailDemo:
    """The demo's mail in: a note BCC'd to the logging address, as SES delivers it (events/ses_inbound.json)."""

    contact: str  # whom the owner wrote to
    outcome: str  # what the inbound function made of it ("logged")
    due_before: bool  # in the next digest before the message
    due_after: bool  # and after


def deliver_sample_mail() -> MailDemo:
    """The owner writes to the first person the next digest lists as due (who has an email), BCC'ing the logging
    address: SES stores the message in S3 and invokes the inbound function with its event; the touch is logged,
    and the next digest no longer lists them. Inside `running`."""
    import boto3

    from circleback import runtime
    from circleback.services.preview import preview

    owner, as_of = _owner_and_next_digest_date()
    due = [item.contact for item in preview(runtime.repository(), OWNER_ID, as_of)[1].due if item.contact.email]
    if not due or not owner.email:
        raise RuntimeError("the demo's next digest lists nobody with an email to write to")
    contact = due[0]
    ses_id = "demo-bcc-" + contact.id
    sent_at = runtime.now()
    raw = _sample_bcc(owner.email, contact.name, contact.email or "", sent_at)
    boto3.client("s3", region_name=LOCAL_REGION).put_object(Bucket=INBOUND_BUCKET, Key=f"inbound/{ses_id}", Body=raw)
    received = event("ses_inbound")
    mail = received["Records"][0]["ses"]["mail"]
    mail["messageId"] = ses_id
    mail["commonHeaders"]["from"] = [f"You <{owner.email}>"]
    mail["destination"] = [LOGGING_ADDRESS, contact.email]
    mail["headers"] = [
        h for h in mail["headers"] if h["name"] != "DKIM-Signature"
    ]  # SES's DMARC verdict vouches for the owner here
    received["Records"][0]["ses"]["receipt"]["recipients"] = [LOGGING_ADDRESS]
    response = load_handler("inbound").lambda_handler(received, LambdaContextStub("InboundFunction"))
    after = [item.contact.id for item in preview(runtime.repository(), OWNER_ID, as_of)[1].due]
    return MailDemo(contact.name, response["outcomes"][0], True, contact.id in after)


def _sample_bcc(owner_email: str, name: str, address: str, at: datetime) -> bytes:
    from email.message import EmailMessage as Message
    from email.utils import format_datetime

    message = Message()
    message["From"] = f"You <{owner_email}>"
    message["To"] = f"{name} <{address}>"
    message["Bcc"] = LOGGING_ADDRESS
    message["Subject"] = "Coffee next week?"
    message["Date"] = format_datetime(at)
    message["Message-ID"] = f"<demo-{at.timestamp():.0f}@example.com>"
    message.set_content(f"Hi {name.split()[0]},\n\nIt's been a while: coffee next week?\n")
    return bytes(message)


def _sent_message() -> bytes:
    """The message exactly as SES received it (the emulator keeps the raw data as UTF-8 text)."""
    from moto.ses.models import ses_backends

    sent = ses_backends[MOTO_ACCOUNT][LOCAL_REGION].sent_messages
    if len(sent) != 1:
        raise RuntimeError(f"expected one digest to be sent, SES received {len(sent)}")
    return str(sent[0].raw_data).encode("utf-8")


def _write(raw: bytes, out_dir: Path) -> DemoResult:
    """out/digest.eml holds the bytes SES was given, not a re-serialised copy: re-encoding would fold and
    encode headers (List-Unsubscribe as an encoded word) that the real message carries as they are.
    """
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        raise TypeError("the email policy did not give an EmailMessage")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = DemoResult(out_dir / "digest.eml", out_dir / "digest.html", out_dir / "digest.txt", str(message["Subject"]))
    paths.eml.write_bytes(raw)
    for path, kind in ((paths.html, "html"), (paths.txt, "plain")):
        part = message.get_body((kind,))
        if part is None:
            raise RuntimeError(f"the digest has no text/{kind} part")
        path.write_text(part.get_content(), encoding="utf-8")
    return paths
