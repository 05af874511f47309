"""No secret and no personal data in the logs: a whole demo run, clicks, the touch API and the feed, at INFO.

Everything printed (the Powertools JSON lines on stdout, anything on stderr) and every record of the standard
logging tree is searched for the link tokens, the access token, the owner's and contacts' emails and names,
and the notes of the sample files.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug.test import Client

from circleback import runtime
from circleback.auth import access_tokens
from circleback.local import demo
from circleback.services.calendar_feed import calendar_link
from tests.integration.actions_support import CurrentStdout, environment_restored, repo
from tests.paths import ROOT

OWNER_EMAIL = "olivia.owner@example.com"
LINK = re.compile(r"http://127\.0\.0\.1:8000(/(?:unsubscribe/)?([A-Za-z0-9_-]{20,}))(?![A-Za-z0-9_/.?-])")
SAMPLES = ROOT / "samples"


def personal_data() -> set[str]:
    """The names, emails and notes of the sample files: none of them may reach a log."""
    found = {OWNER_EMAIL}
    with (SAMPLES / "contacts.csv").open(encoding="utf-8") as contacts:
        for row in csv.DictReader(contacts):
            found |= {row["name"], row["email"], row["notes"]}
    for name in ("touches.csv", "events.csv"):
        with (SAMPLES / name).open(encoding="utf-8") as rows:
            found |= {row["note"] for row in csv.DictReader(rows)}
    return {text for text in found if text and len(text) >= 4}


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Powertools' handler pointed at the captured stdout, everything at INFO."""
    from circleback.runtime.observability import logger

    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous, level = handler.setStream(CurrentStdout()), logger.log_level
    logger.setLevel(logging.INFO)
    caplog.set_level(logging.INFO)
    yield
    if previous is not None:
        handler.setStream(previous)
    logger.setLevel(level)


def test_a_full_run_logs_no_token_and_no_personal_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, everything_logged: None
) -> None:
    secrets: set[str] = set()
    with environment_restored(), demo.running(tmp_path, OWNER_EMAIL, "Europe/London", "GB", serve=False) as session:
        client = Client(demo.api_gateway())
        links = LINK.findall(session.result.txt.read_text(encoding="utf-8"))
        assert links, "the digest has no links"
        secrets |= {token for _, token in links}
        path, _ = links[0]
        assert client.get(path).status_code == 200
        assert (
            client.post(path, data={"channel": "call", "note": "Long lunch, talked about the reorg"}).status_code == 200
        )
        assert client.post(path, data={"op": "undo"}).status_code == 200
        assert client.get(path[:-6] + "AAAAAA").status_code == 400  # a refusal is logged too
        text, record = access_tokens.issue("laptop", datetime.now(UTC))
        repo().add_access_token(demo.OWNER_ID, record)
        secrets.add(text)
        body = {"contact": "Thomas Becker", "channel": "meeting", "note": "Coffee near the old office"}
        response = client.post(
            "/touches",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {text}", "Idempotency-Key": "k-1"},
        )
        assert response.status_code == 201
        feed = calendar_link(runtime.signer(), session.base_url, demo.OWNER_ID, datetime.now(UTC), None)
        secrets.add(feed.rsplit("/", 1)[1].removesuffix(".ics"))
        assert client.get(feed.removeprefix(session.base_url)).status_code == 200
    captured = capsys.readouterr()
    output = "\n".join([captured.out, captured.err, *(r.getMessage() for r in caplog.records)])
    assert '"route"' in output, "nothing was logged: the test would prove nothing"
    leaks = sorted(s for s in {*secrets, *personal_data(), "Long lunch", "Coffee near"} if s in output)
    assert leaks == []
    for token in secrets:  # no part of a token either (a signature or payload logged on its own)
        assert not any(part in output for part in re.split(r"[._]", token) if len(part) >= 12)
        assert not any(token[i : i + 12] in output for i in range(0, len(token) - 11, 6))
