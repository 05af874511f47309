"""Requests no page or script of ours makes, and errors no route expects, through the HTTP functions.

Too large to be ours (a body, a path, a query string): refused before any route reads it, 413 or 414 with the
security headers; just inside the limits: answered with the headers, never a 5xx. A bug or a transport failure in
the middle of a request: the function answers a 500 or 503 page (JSON for the touch API) with the headers,
saying to try again and showing nothing internal.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from werkzeug.test import TestResponse

from circleback.adapters.store.repository import Repository
from circleback.auth.tokens import Action
from circleback.web.http import MAX_BODY_BYTES, MAX_PATH_CHARS, MAX_QUERY_CHARS, SECURITY_HEADERS
from tests.faults.conftest import World

# Every route of the HTTP API (template.yaml), with a path a digest link or a script would use.
ROUTES: list[tuple[str, Callable[[World], str]]] = [
    ("GET", lambda w: w.link(Action.REACHED_OUT)),
    ("HEAD", lambda w: w.link(Action.REACHED_OUT)),
    ("POST", lambda w: w.link(Action.REACHED_OUT)),
    ("GET", lambda w: w.link(Action.PAUSE, None)),
    ("HEAD", lambda w: w.link(Action.PAUSE, None)),
    ("POST", lambda w: w.link(Action.PAUSE, None)),
    ("POST", lambda w: "/touches"),
    ("GET", lambda w: w.calendar_path()),
    ("HEAD", lambda w: w.calendar_path()),
]
IDS = ["GET a", "HEAD a", "POST a", "GET unsubscribe", "HEAD unsubscribe", "POST unsubscribe", "POST touches"]
IDS += ["GET calendar", "HEAD calendar"]


def request(world: World, method: str, path: str, body: bytes = b"", query: str = "") -> TestResponse:
    headers = {"Authorization": f"Bearer {world.api_token}"} if path == "/touches" else {}
    kind = "application/json" if path == "/touches" else "application/x-www-form-urlencoded"
    return world.http.open(path, method=method, data=body, query_string=query, content_type=kind, headers=headers)


def assert_answered_by_us(response: TestResponse, status: int | None = None) -> None:
    assert SECURITY_HEADERS.items() <= dict(response.headers).items()
    if status is not None:
        assert response.status_code == status
    assert response.status_code < 500


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=IDS)
def test_a_body_larger_than_any_of_ours_is_refused_with_413(
    world: World, method: str, path: Callable[[World], str]
) -> None:
    before = world.state()
    response = request(world, method, path(world), body=b"note=" + b"x" * MAX_BODY_BYTES)
    assert_answered_by_us(response, 413)
    world.assert_unchanged_since(before)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=IDS)
def test_a_path_or_query_longer_than_any_of_ours_is_refused_with_414(
    world: World, method: str, path: Callable[[World], str]
) -> None:
    if path(world) != "/touches":  # a longer /touches is no route of the API: API Gateway's own 404
        long_path = path(world).removesuffix(".ics") + "A" * MAX_PATH_CHARS
        long_path += ".ics" if "/calendar/" in long_path else ""
        assert_answered_by_us(request(world, method, long_path), 414)
    assert_answered_by_us(request(world, method, path(world), query="q=" + "x" * MAX_QUERY_CHARS), 414)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=IDS)
def test_garbage_just_inside_the_limits_is_answered_by_us_never_with_a_5xx(
    world: World, method: str, path: Callable[[World], str]
) -> None:
    before = world.state()
    route = path(world)
    body = ("note=" + "é%00\u202e=" * ((MAX_BODY_BYTES - 5) // 16)).encode()
    attempts = [(route, body), (route, b"\xff\xfe\x00garbage")]
    if route != "/touches":  # a forged token as long as a path may be
        prefix = route.rsplit("/", 1)[0] + "/"
        suffix = ".ics" if "/calendar/" in prefix else ""
        forged = prefix + "Zz9-_." * ((MAX_PATH_CHARS - len(prefix) - len(suffix)) // 6) + suffix
        attempts.append((forged, b""))
    assert all(len(target) <= MAX_PATH_CHARS and len(data) <= MAX_BODY_BYTES for target, data in attempts)
    for target, data in attempts:
        assert_answered_by_us(request(world, method, target, body=data, query="x=" + "%00" * 600))
    world.assert_unchanged_since(before)


# --- errors no route expects ------------------------------------------------------------------------------

TRANSPORT = [
    EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"),
    ConnectTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"),
    ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"),
]


@pytest.mark.parametrize(
    ("error", "status"),
    [(RuntimeError("a bug, with a secret in its message: cbk_xyz"), 500), *((e, 503) for e in TRANSPORT)],
    ids=["bug", "no connection", "connect timeout", "read timeout"],
)
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=IDS)
def test_an_unexpected_error_is_a_5xx_page_with_the_headers_and_nothing_internal(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    path: Callable[[World], str],
    error: Exception,
    status: int,
) -> None:
    target = path(world)
    world.begin()

    def fail(*_: object, **__: object) -> None:
        raise error

    # What every route reads first: the owner, the access token, the calendar links' revocation.
    for read in ("get_owner", "get_access_token", "calendar_links_revoked_at"):
        monkeypatch.setattr(Repository, read, fail)
    body = json.dumps({"contact": "Thomas Becker", "channel": "call"}).encode() if target == "/touches" else b""
    response = request(world, method, target, body=body)

    assert response.status_code == status
    assert SECURITY_HEADERS.items() <= dict(response.headers).items()
    text = response.get_data(as_text=True)
    if method == "HEAD":
        assert text == ""
        return
    assert response.mimetype == ("application/json" if target == "/touches" else "text/html")
    reason = json.loads(text)["message"] if target == "/touches" else text
    assert "try again" in reason.lower()
    for leak in ("Traceback", "cbk_", "Error", target.rsplit("/", 1)[-1]):
        assert leak not in text
