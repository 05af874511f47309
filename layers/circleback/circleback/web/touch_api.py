"""The JSON touch API: `POST /touches` logs a touch from anywhere, with a personal access token.

A Powertools Router, joined with the link pages' in the actions handler. Its routes are registered with
`json_route`, so every answer, errors included, is JSON (web/http.py answers the errors).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from circleback import runtime
from circleback.services.touches import InvalidField, LoggedTouch, Unauthorized, authenticate, log_api_touch
from circleback.web.http import JSON, json_route, log_route, request_body, validated

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # Powertools leaves its __init__ unannotated

IDEMPOTENCY_KEY_LIMIT = 255


@json_route(router, "/touches", "POST")
def post_touch() -> Response[str]:
    from circleback.payloads import TouchBody

    env = runtime.environment()
    repo = runtime.interactive_repository()
    token = authenticate(repo, env.OWNER_ID, _bearer())
    body = validated(lambda: TouchBody.model_validate_json(request_body(router)))
    key = router.current_event.headers.get("idempotency-key")
    if key is not None and not 1 <= len(key) <= IDEMPOTENCY_KEY_LIMIT:
        raise InvalidField("Idempotency-Key", f"must be 1 to {IDEMPOTENCY_KEY_LIMIT} characters")
    logged = log_api_touch(repo, env.OWNER_ID, token, body, key, runtime.now())
    log_route(router, "api_touch", "touch", "created" if logged.created else "repeat")
    return Response(201 if logged.created else 200, JSON, json.dumps(_touch_json(logged)))


def _bearer() -> str:
    scheme, _, credentials = (router.current_event.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthorized()
    return credentials.strip()


def _touch_json(logged: LoggedTouch) -> dict[str, Any]:
    touch = logged.touch
    return {
        "id": touch.id,
        "contact": {"id": logged.contact.id, "name": logged.contact.name},
        "date": touch.date.isoformat(),
        "channel": touch.channel.value,
        "direction": touch.direction.value,
        "note": touch.note,
        "created": logged.created,
    }
