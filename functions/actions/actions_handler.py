"""Actions: the digest's one-click links and the JSON touch API, behind the HTTP API.

Each route parses the request, calls one service and maps the result to a page or a JSON body. GET and HEAD
never write. Every response gets the security headers; the path (which holds the token) is never logged.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from circleback import runtime
from circleback.events import ActionForm, TouchBody
from circleback.links.secret_keys import KeyUnavailable
from circleback.links.tokens import ExpiredToken, ForeignToken, InvalidToken, Purpose, WrongPurpose
from circleback.observability import logger
from circleback.services.actions import ActionLinks, Choice, LinkGone
from circleback.services.touches import InvalidField, LoggedTouch, ReusedKey, Unauthorized, authenticate, log_api_touch
from circleback.store.repository import ConflictError
from circleback.web.pages import Page, link_page, problem_page

app = APIGatewayHttpResolver()

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex",
}
HTML = "text/html; charset=utf-8"
JSON = "application/json"
FORM_FIELDS_LIMIT = 10
IDEMPOTENCY_KEY_LIMIT = 255
TOKEN_STATUS = {InvalidToken: 400, WrongPurpose: 400, ExpiredToken: 410, ForeignToken: 403}


# --- the digest's links -------------------------------------------------------------------------------


@app.route("/a/<token>", method=["GET", "HEAD"])
def show_action(token: str) -> Response[str]:
    return _html(link_page(_links().open(token, Purpose.ACTION, _now())))


@app.post("/a/<token>")
def post_action(token: str) -> Response[str]:
    return _html(_act(token, Purpose.ACTION))


@app.route("/unsubscribe/<token>", method=["GET", "HEAD"])
def show_unsubscribe(token: str) -> Response[str]:
    return _html(link_page(_links().open(token, Purpose.UNSUBSCRIBE, _now())))


@app.post("/unsubscribe/<token>")
def post_unsubscribe(token: str) -> Response[str]:
    """RFC 8058 one-click: a mail client posts `List-Unsubscribe=One-Click`; the page's form posts `op`."""
    return _html(_act(token, Purpose.UNSUBSCRIBE))


def _act(token: str, purpose: Purpose) -> Page:
    form = _form()
    links = _links()
    if form.op == "undo":
        target, undone = links.undo(token, purpose, _now())
        _log("undo", target.action.value, "undone" if undone else "nothing_to_undo")
        return link_page(target, notice="Undone: nothing is recorded for this link now." if undone else None)
    target, done = links.perform(token, purpose, Choice(form.channel, form.note), _now())
    _log("do", target.action.value, "done" if done else "already_done")
    return link_page(target, just_done=done)


def _form() -> ActionForm:
    try:
        fields = parse_qs(_body(), keep_blank_values=True, max_num_fields=FORM_FIELDS_LIMIT)
    except ValueError:  # more fields than the form has: not from our page
        raise BadBody("the form has more fields than expected") from None
    return ActionForm.model_validate({name: values[0] for name, values in fields.items()})


class BadBody(Exception):
    """A request body that cannot be read at all (not UTF-8, or not the shape of any form of ours)."""


def _body() -> str:
    """The request body as text; API Gateway base64-encodes non-text bodies, forms included."""
    try:
        return app.current_event.decoded_body or ""
    except (UnicodeDecodeError, binascii.Error):
        raise BadBody("the body is not UTF-8 text") from None


# --- the JSON API ---------------------------------------------------------------------------------------


@app.post("/touches")
def post_touch() -> Response[str]:
    env = runtime.environment()
    repo = runtime.repository()
    token = authenticate(repo, env.OWNER_ID, _bearer())
    body = TouchBody.model_validate_json(_body())
    key = app.current_event.headers.get("idempotency-key")
    if key is not None and not 1 <= len(key) <= IDEMPOTENCY_KEY_LIMIT:
        raise InvalidField("Idempotency-Key", f"must be 1 to {IDEMPOTENCY_KEY_LIMIT} characters")
    logged = log_api_touch(repo, env.OWNER_ID, token, body, key, _now())
    _log("api_touch", "touch", "created" if logged.created else "repeat")
    return _json(201 if logged.created else 200, _touch_json(logged))


def _bearer() -> str:
    scheme, _, credentials = (app.current_event.headers.get("authorization") or "").partition(" ")
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


# --- errors: a clear page or body and a 4xx; nothing was written -----------------------------------------

Handler = TypeVar("Handler", bound=Callable[..., Response[str]])


def _handles(kind: type[Exception]) -> Callable[[Handler], Handler]:
    """Powertools' exception_handler, typed."""
    decorator: Callable[[Handler], Handler] = app.exception_handler(kind)
    return decorator


@_handles(InvalidToken)
def refused_link(error: InvalidToken) -> Response[str]:
    _log("refused", "link", error.code)
    status = next(s for kind, s in TOKEN_STATUS.items() if type(error) is kind)
    return _html(problem_page(status, "This link can’t be used", error.reason))


@_handles(LinkGone)
def gone(error: LinkGone) -> Response[str]:
    return _html(problem_page(410, "This link points at something that’s gone", str(error)))


@_handles(ValidationError)
def invalid_input(error: ValidationError) -> Response[str]:
    details = [
        {"loc": ["body", *(str(part) for part in e["loc"])], "msg": e["msg"], "type": e["type"]}
        for e in error.errors(include_url=False, include_input=False)
    ]
    if app.current_event.path == "/touches":
        return _json(422, {"detail": details})
    field = ".".join(details[0]["loc"][1:]) or "form"
    return _html(problem_page(400, "That form didn’t come through", f"{field}: {details[0]['msg']}"))


@_handles(BadBody)
def unreadable_body(error: BadBody) -> Response[str]:
    if app.current_event.path == "/touches":
        return _json(422, {"detail": [{"loc": ["body"], "msg": str(error), "type": "value_error"}]})
    return _html(problem_page(400, "That form didn’t come through", f"form: {error}"))


@_handles(InvalidField)
def invalid_field(error: InvalidField) -> Response[str]:
    location = ["header", error.field] if error.field[0].isupper() else ["body", error.field]
    return _json(422, {"detail": [{"loc": location, "msg": str(error), "type": "value_error"}]})


@_handles(ReusedKey)
def reused_key(_: ReusedKey) -> Response[str]:
    message = "this Idempotency-Key was already used for a different touch"
    return _json(422, {"detail": [{"loc": ["header", "Idempotency-Key"], "msg": message, "type": "value_error"}]})


@_handles(Unauthorized)
def unauthorized(_: Unauthorized) -> Response[str]:
    body = {"message": "a valid personal access token is required (Authorization: Bearer cbk_...)"}
    return Response(401, JSON, json.dumps(body), {"WWW-Authenticate": 'Bearer realm="circleback"'})


@_handles(ConflictError)
def busy(_: ConflictError) -> Response[str]:
    reason = "It changed while it was being saved. Please try again."
    if app.current_event.path == "/touches":
        return _json(409, {"message": reason})
    return _html(problem_page(409, "Please try again", reason))


@_handles(KeyUnavailable)
def keys_unavailable(_: KeyUnavailable) -> Response[str]:
    logger.exception("signing keys unavailable")
    return _html(problem_page(503, "circleback is unavailable", "Please try again in a few minutes."))


@_handles(NotFoundError)
def not_found(_: Exception) -> Response[str]:
    return _html(problem_page(404, "Nothing here", "This address doesn’t lead anywhere. Use a link from your digest."))


# --- plumbing ---------------------------------------------------------------------------------------------


def _links() -> ActionLinks:
    return ActionLinks(runtime.repository(), runtime.signer(), runtime.environment().OWNER_ID)


def _now() -> datetime:
    return datetime.now(UTC)


def _html(page: Page) -> Response[str]:
    return Response(page.status, HTML, page.html)


def _json(status: int, body: dict[str, Any]) -> Response[str]:
    return Response(status, JSON, json.dumps(body))


def _log(step: str, action: str, outcome: str) -> None:
    # The route's template, never its path: the path carries the token.
    logger.info(
        "action", extra={"route": app.current_event.route_key, "step": step, "action": action, "outcome": outcome}
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = app.resolve(event, context)
    response.setdefault("headers", {}).update(SECURITY_HEADERS)
    if event.get("requestContext", {}).get("http", {}).get("method") == "HEAD":
        response["body"] = ""
    return response
