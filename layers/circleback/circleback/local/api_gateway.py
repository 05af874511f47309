"""The HTTP API on 127.0.0.1: requests become API Gateway HTTP API (payload 2.0) events for the real handler.

There is no Docker here, so `sam local start-api` cannot run; this stands in for API Gateway in the demo,
the browser test and the schemathesis run. Only the routes template.yaml declares are served (anything else
gets API Gateway's own 404), so the local API cannot drift from the deployed one.
"""

from __future__ import annotations

import base64
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from circleback.local.emulator import load_template

LOOPBACK = "127.0.0.1"
MAX_BODY_BYTES = 1_048_576  # well under API Gateway's 10 MB; nothing here is that large
HttpHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
StartResponse = Callable[..., Any]
# API Gateway hands text bodies through as they are and base64-encodes the rest (forms included).
_TEXT_TYPES = ("application/json", "text/")


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str  # as the template writes it: /{token}

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method != self.method:
            return None
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        found = re.fullmatch(pattern, path)
        return found.groupdict() if found else None


def template_routes(function: str, template: dict[str, Any] | None = None) -> list[Route]:
    """The HttpApi routes of one function in template.yaml."""
    events = (template or load_template())["Resources"][function]["Properties"].get("Events", {})
    return [
        Route(str(e["Properties"]["Method"]).upper(), str(e["Properties"]["Path"]))
        for e in events.values()
        if e["Type"] == "HttpApi"
    ]


@dataclass(frozen=True, slots=True)
class Integration:
    """One function behind the API: its handler, the routes the template gives it, and its Lambda context."""

    handler: HttpHandler
    routes: tuple[Route, ...]
    context: Any


def http_api_functions(template: dict[str, Any] | None = None) -> list[str]:
    """The template's functions with HttpApi routes, in template order."""
    resources = (template or load_template())["Resources"]
    return [
        name
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
        and any(e["Type"] == "HttpApi" for e in resource["Properties"].get("Events", {}).values())
    ]


class HttpApiGateway:
    """A WSGI application that calls Lambda handlers the way HTTP API integrations would."""

    def __init__(self, integrations: Sequence[Integration]) -> None:
        self._integrations = tuple(integrations)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"].upper(), environ.get("PATH_INFO") or "/"
        matches = [
            (route, integration, parameters)
            for integration in self._integrations
            for route in integration.routes
            if (parameters := route.match(method, path)) is not None
        ]
        if not matches:
            return _reply(start_response, 404, [("Content-Type", "application/json")], b'{"message":"Not Found"}')
        # As API Gateway picks: the most specific route, a literal path (POST /touches) before /{token}.
        route, integration, parameters = min(matches, key=lambda match: len(match[2]))
        return self._call(integration, route, parameters, environ, start_response)

    @staticmethod
    def _call(
        integration: Integration,
        route: Route,
        parameters: dict[str, str],
        environ: dict[str, Any],
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        body = _read_body(environ)
        if body is None:
            return _reply(start_response, 413, [("Content-Type", "application/json")], b'{"message":"Too Large"}')
        result = integration.handler(http_api_event(environ, route, parameters, body), integration.context)
        return _reply(start_response, *_wsgi_response(result))


def http_api_event(environ: dict[str, Any], route: Route, parameters: dict[str, str], body: bytes) -> dict[str, Any]:
    """The payload format 2.0 event API Gateway sends for this request."""
    headers = _headers(environ)
    now = datetime.now(UTC)
    text = headers.get("content-type", "").startswith(_TEXT_TYPES)
    request_id = uuid.uuid4().hex
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.key,
        "rawPath": environ.get("PATH_INFO") or "/",
        "rawQueryString": environ.get("QUERY_STRING", ""),
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": headers.get("host", LOOPBACK),
            "domainPrefix": "local",
            "http": {
                "method": route.method,
                "path": environ.get("PATH_INFO") or "/",
                "protocol": environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                "sourceIp": environ.get("REMOTE_ADDR", LOOPBACK),
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route.key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "pathParameters": parameters,
        "isBase64Encoded": bool(body) and not text,
        "stageVariables": None,
    }
    if body:
        event["body"] = body.decode("utf-8", "replace") if text else base64.b64encode(body).decode("ascii")
    query = environ.get("QUERY_STRING", "")
    if query:  # as API Gateway sends them: decoded, a repeated name's values joined by commas
        values: dict[str, list[str]] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            values.setdefault(name, []).append(value)
        event["queryStringParameters"] = {name: ",".join(found) for name, found in values.items()}
    if "cookie" in headers:
        event["cookies"] = [c.strip() for c in headers.pop("cookie").split(";")]
    return event


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): str(value) for key, value in environ.items() if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = str(environ[key])
    return headers


def _read_body(environ: dict[str, Any]) -> bytes | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return None
    return bytes(environ["wsgi.input"].read(length)) if length > 0 else b""


def _wsgi_response(result: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    status = int(result.get("statusCode", 200))
    headers = [(k, str(v)) for k, v in (result.get("headers") or {}).items()]
    headers += [(k, str(v)) for k, values in (result.get("multiValueHeaders") or {}).items() for v in values]
    headers += [("Set-Cookie", cookie) for cookie in result.get("cookies") or []]
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode("utf-8")
    return status, headers, body


def _reply(start_response: StartResponse, status: int, headers: list[tuple[str, str]], body: bytes) -> list[bytes]:
    start_response(f"{status} {HTTPStatus(status).phrase}", [*headers, ("Content-Length", str(len(body)))])
    return [body]


# --- serving on loopback ----------------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    """Logs the method and status only: the path carries a token, and tokens are never logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.log_message("%s -> %s", self.command, code)

    def log_error(self, format: str, *args: Any) -> None:
        """http.server's errors quote the request line ("Bad request version ('/a/<token> HTTP/9')"): the code only."""
        self.log_message("refused -> %s", args[0] if args else "-")

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:  # type: ignore[attr-defined]
            super().log_message(format, *args)


class _Server(ThreadingMixIn, WSGIServer):
    """One thread per connection: a browser keeps a spare connection open idle, which would otherwise
    block the one-at-a-time server from reading the form post behind it."""

    daemon_threads = True
    verbose = False


@contextmanager
def serving(app: Callable[..., Iterable[bytes]], port: int = 0, *, verbose: bool = False) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 in a background thread; yields the base URL. Stops when the block ends."""
    server = make_server(LOOPBACK, port, app, server_class=_Server, handler_class=_QuietHandler)
    server.verbose = verbose
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def wait_for_interrupt() -> None:
    """Block the foreground until Ctrl-C (the demo's servers run in background threads)."""
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print()
