"""What botocore sends and receives, captured and played back through its own event hooks.

- `Recorder` keeps every HTTP response a client receives (`before-parse`): status, headers and the raw body.
- `Replayer` answers a client's requests from such a recording, in order (`before-send`, the hook moto and
  botocore's Stubber use too): everything else in the client (serialising, signing, retries, parsing) runs as
  in production, only the network is gone. Its own work per call is a list index and an object.
- `CallCounter` counts the calls a client makes (`before-call`), by operation, with the parameters of each.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.awsrequest import AWSResponse


@dataclass(frozen=True)
class Exchange:
    """One call's answer as it came over the wire, plus what DynamoDB would bill for the call."""

    service: str  # botocore's hyphenised service id: "dynamodb", "sesv2", "sqs", "secrets-manager"
    operation: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    read_units: float = 0.0
    write_units: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "operation": self.operation,
            "status": self.status,
            "headers": dict(self.headers),
            "body": self.body.decode("utf-8"),
            "read_units": self.read_units,
            "write_units": self.write_units,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Exchange:
        return cls(
            data["service"],
            data["operation"],
            data["status"],
            dict(data["headers"]),
            data["body"].encode("utf-8"),
            data.get("read_units", 0.0),
            data.get("write_units", 0.0),
        )


def save(exchanges: Sequence[Exchange], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([e.to_json() for e in exchanges], ensure_ascii=False), encoding="utf-8")


def load(path: Path) -> list[Exchange]:
    return [Exchange.from_json(e) for e in json.loads(path.read_text(encoding="utf-8"))]


def json_response(
    service: str, operation: str, payload: Mapping[str, Any], *, status: int = 200, content_type: str
) -> Exchange:
    """An answer as the service sends it: compact JSON, UTF-8, with the headers botocore reads."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    headers = {
        "x-amzn-RequestId": "BENCH0000000000000000000000000000000000000000000000000",
        "Content-Type": content_type,
        "Content-Length": str(len(body)),
    }
    if service == "dynamodb":
        headers["x-amz-crc32"] = str(zlib.crc32(body))  # DynamoDB sends a CRC32 of the body
    return Exchange(service, operation, status, headers, body)


def _operation_of(event_name: str) -> tuple[str, str]:
    _, service, operation = event_name.split(".", 2)
    return service, operation


class Recorder:
    """Keeps what a client receives. Attach with `recorder.attach(client)`."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-parse", self._record)

    def _record(self, event_name: str, response_dict: Mapping[str, Any], **_: Any) -> None:
        service, operation = _operation_of(event_name)
        body = response_dict["body"]
        self.exchanges.append(
            Exchange(service, operation, response_dict["status_code"], dict(response_dict["headers"]), bytes(body))
        )


class RawBody:
    """The raw side of an AWSResponse: what urllib3's response gives botocore to read."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


class Replayer:
    """Answers each request with the next recorded exchange; a request out of order is an error, not a guess."""

    def __init__(self, exchanges: Sequence[Exchange]) -> None:
        self.exchanges = list(exchanges)
        self.position = 0

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-send", self._answer)

    def rewind(self) -> None:
        self.position = 0

    def _answer(self, event_name: str, request: Any, **_: Any) -> AWSResponse:
        if self.position >= len(self.exchanges):
            raise RuntimeError(f"replay: no recorded answer left for {event_name}")
        exchange = self.exchanges[self.position]
        self.position += 1
        if event_name != f"before-send.{exchange.service}.{exchange.operation}":
            raise RuntimeError(f"replay: {event_name} asked, {exchange.service}.{exchange.operation} recorded")
        headers: Any = dict(exchange.headers)
        return AWSResponse(request.url, exchange.status, headers, RawBody(exchange.body))


@dataclass
class CallCounter:
    """Counts a client's calls by "service.Operation", keeping each call's parameters."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-call", self._count)

    def _count(self, event_name: str, params: Mapping[str, Any], **_: Any) -> None:
        service, operation = _operation_of(event_name)
        self.calls.append((f"{service}.{operation}", dict(params)))

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(name for name, _ in self.calls).items()))

    def paginated_queries(self) -> int:
        """Queries started: a page that carries ExclusiveStartKey continues the one before it."""
        return sum(1 for name, params in self.calls if name.endswith(".Query") and "ExclusiveStartKey" not in params)
