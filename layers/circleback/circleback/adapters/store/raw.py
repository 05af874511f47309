"""Query pages as DynamoDB's JSON, without botocore's response parser.

botocore walks every attribute of every item against the service model to build what `json.loads` already
gives: DynamoDB's JSON protocol has the same shape as the parsed response, binary values aside (base64 text on
the wire, which `codec.decode_item` accepts). For an owner with thousands of contacts that walk costs several
times the rest of the digest, so the store reads its big Query raw.

How: a `before-parse` handler, active only inside `raw_pages()`, takes the body of a successful response, hands
its JSON to botocore as the customised part of the response, and leaves the parser an empty object. Serialising,
signing, retries (and their CRC32 check, which reads the HTTP response itself) and error parsing are botocore's
as ever. A client answered by a Stubber never parses, and gives the parsed form: the decoder reads both.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_EVENT = "before-parse.dynamodb.Query"
_HANDLER_ID = "circleback-raw-query-pages"
_state = threading.local()


@contextmanager
def raw_pages(client: Any) -> Iterator[None]:
    """Within the block, this thread's Query responses come back as their JSON (Items left as on the wire)."""
    client.meta.events.register(_EVENT, _keep_raw, unique_id=_HANDLER_ID)  # once per client: the id is unique
    _state.active = True
    try:
        yield
    finally:
        _state.active = False


def _keep_raw(response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any) -> None:
    if not getattr(_state, "active", False) or response_dict["status_code"] >= 300:
        return  # errors go through botocore's parser, which knows their shapes
    body = response_dict["body"]
    if body:
        customized_response_dict.update(json.loads(body))
        response_dict["body"] = b"{}"
