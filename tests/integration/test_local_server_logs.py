"""The stand-in HTTP server (`make demo`, `circleback serve`) never writes a token to its log, however broken the
request that carries it: its log says the method and the status, nothing of the path.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from typing import Any

import pytest

from circleback.local.api_gateway import serving

TOKEN = "eyJhIjoic25vb3plIn0.c2VjcmV0LXNpZ25hdHVyZS1vZi10aGUtbGluaw"


def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def exchange(base_url: str, request: bytes) -> bytes:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(request)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


@pytest.mark.parametrize(
    "request_line",
    [
        f"GET /a/{TOKEN} HTTP/1.1\r\nHost: x\r\n\r\n",  # a good request: logged as "GET -> 200"
        f"GET /a/{TOKEN} HTTP/9.9\r\n\r\n",  # a version the server refuses, quoted in http.server's error
        f"GET /a/{TOKEN} HTTP/1.1 extra\r\n\r\n",  # a last word that is no version
        f"GET /a/{TOKEN} and more HTTP/1.1\r\n\r\n",  # too many words: http.server quotes the whole line
        f"GET /a/{TOKEN}{'x' * 70_000} HTTP/1.1\r\n\r\n",  # a request line too long to read
        f"BREW /a/{TOKEN}\r\n\r\n",  # HTTP/0.9 with a method that is not GET
    ],
)
def test_no_request_puts_its_token_in_the_log(request_line: str, capsys: pytest.CaptureFixture[str]) -> None:
    with serving(app, verbose=True) as base_url:
        answer = exchange(base_url, request_line.encode("latin-1"))

    logged = capsys.readouterr().err
    assert answer  # the server answered (and so logged) each one; a malformed line is answered as HTTP/0.9
    assert logged.strip(), "the verbose server logs every request"
    assert TOKEN not in logged and "/a/" not in logged, logged
