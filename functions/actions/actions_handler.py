"""Actions: the digest's one-click links and the JSON touch API, behind the HTTP API.

Each route parses the request, calls one service and maps the result to a page or a JSON body. GET and HEAD
never write. Every response gets the security headers; the path (which holds the token) is never logged.

The request bodies' models (pydantic) are imported by the routes that read a body: a cold start that opens a
link page, the digest's most common request, does without pydantic's import.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from circleback import runtime
from circleback.adapters.store.repository import ConflictError
from circleback.auth.tokens import Purpose
from circleback.runtime.observability import logger
from circleback.services.actions import ActionLinks, Choice
from circleback.services.touches import InvalidField, LoggedTouch, ReusedKey, Unauthorized, authenticate, log_api_touch
from circleback.web.http import answer_failures, answer_link_refusals, finish, handles, html, log_route, oversized
from circleback.web.pages import Page, link_page, problem_page

if TYPE_CHECKING:
    from circleback.payloads import ActionForm

JSON = "application/json"
JSON_PATHS = ("/touches",)  # the JSON API: its errors are JSON too

app = APIGatewayHttpResolver()
answer_link_refusals(app)
answer_failures(app, JSON_PATHS)

FORM_FIELDS_LIMIT = 10
IDEMPOTENCY_KEY_LIMIT = 255
Parsed = TypeVar("Parsed")


# --- the digest's links -------------------------------------------------------------------------------


@app.route("/a/<token>", method=["GET", "HEAD"])
def show_action(token: str) -> Response[str]:
    return html(link_page(_links().open(token, Purpose.ACTION, runtime.now(), consistent=False)))


@app.post("/a/<token>")
def post_action(token: str) -> Response[str]:
    return html(_act(token, Purpose.ACTION))


@app.route("/unsubscribe/<token>", method=["GET", "HEAD"])
def show_unsubscribe(token: str) -> Response[str]:
    return html(link_page(_links().open(token, Purpose.UNSUBSCRIBE, runtime.now(), consistent=False)))


@app.post("/unsubscribe/<token>")
def post_unsubscribe(token: str) -> Response[str]:
    """RFC 8058 one-click: a mail client posts `List-Unsubscribe=One-Click`; the page's form posts `op`."""
    return html(_act(token, Purpose.UNSUBSCRIBE))


def _act(token: str, purpose: Purpose) -> Page:
    form = _form()
    links = _links()
    if form.op == "undo":
        target, undone = links.undo(token, purpose, runtime.now())
        log_route(app, "undo", target.action.value, "undone" if undone else "nothing_to_undo")
        return link_page(target, notice="Undone: nothing is recorded for this link now." if undone else None)
    target, done = links.perform(token, purpose, Choice(form.channel, form.note), runtime.now())
    log_route(app, "do", target.action.value, "done" if done else "already_done")
    return link_page(target, just_done=done)


def _form() -> ActionForm:
    from circleback.payloads import ActionForm

    try:
        fields = parse_qs(_body(), keep_blank_values=True, max_num_fields=FORM_FIELDS_LIMIT)
    except ValueError:  # more fields than the form has: not from our page
        raise BadBody("the form has more fields than expected") from None
    return _validated(lambda: ActionForm.model_validate({name: values[0] for name, values in fields.items()}))


def _validated(parse: Callable[[], Parsed]) -> Parsed:
    """What `parse` makes of the body; InvalidBody, with pydantic's errors, if the body does not validate."""
    from pydantic import ValidationError

    try:
        return parse()
    except ValidationError as error:
        raise InvalidBody(error.errors(include_url=False, include_input=False)) from None


class BadBody(Exception):
    """A request body that cannot be read at all (not UTF-8, or not the shape of any form of ours)."""


class InvalidBody(Exception):
    """A body that reads but does not validate: each error with its field's location, message and type."""

    def __init__(self, errors: list[Any]) -> None:
        super().__init__(f"{len(errors)} invalid field(s)")
        self.errors = errors


def _body() -> str:
    """The request body as text; API Gateway base64-encodes non-text bodies, forms included."""
    try:
        return app.current_event.decoded_body or ""
    except (UnicodeDecodeError, binascii.Error):
        raise BadBody("the body is not UTF-8 text") from None


# --- the JSON API ---------------------------------------------------------------------------------------


@app.post("/touches")
def post_touch() -> Response[str]:
    from circleback.payloads import TouchBody

    env = runtime.environment()
    repo = runtime.interactive_repository()
    token = authenticate(repo, env.OWNER_ID, _bearer())
    body = _validated(lambda: TouchBody.model_validate_json(_body()))
    key = app.current_event.headers.get("idempotency-key")
    if key is not None and not 1 <= len(key) <= IDEMPOTENCY_KEY_LIMIT:
        raise InvalidField("Idempotency-Key", f"must be 1 to {IDEMPOTENCY_KEY_LIMIT} characters")
    logged = log_api_touch(repo, env.OWNER_ID, token, body, key, runtime.now())
    log_route(app, "api_touch", "touch", "created" if logged.created else "repeat")
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


@handles(app, InvalidBody)
def invalid_input(error: InvalidBody) -> Response[str]:
    details = [
        {"loc": ["body", *(str(part) for part in e["loc"])], "msg": e["msg"], "type": e["type"]} for e in error.errors
    ]
    if app.current_event.path == "/touches":
        return _json(422, {"detail": details})
    field = ".".join(details[0]["loc"][1:]) or "form"
    return html(problem_page(400, "That form didn’t come through", f"{field}: {details[0]['msg']}"))


@handles(app, BadBody)
def unreadable_body(error: BadBody) -> Response[str]:
    if app.current_event.path == "/touches":
        return _json(422, {"detail": [{"loc": ["body"], "msg": str(error), "type": "value_error"}]})
    return html(problem_page(400, "That form didn’t come through", f"form: {error}"))


@handles(app, InvalidField)
def invalid_field(error: InvalidField) -> Response[str]:
    location = ["header", error.field] if error.field[0].isupper() else ["body", error.field]
    return _json(422, {"detail": [{"loc": location, "msg": str(error), "type": "value_error"}]})


@handles(app, ReusedKey)
def reused_key(_: ReusedKey) -> Response[str]:
    message = "this Idempotency-Key was already used for a different touch"
    return _json(422, {"detail": [{"loc": ["header", "Idempotency-Key"], "msg": message, "type": "value_error"}]})


@handles(app, Unauthorized)
def unauthorized(_: Unauthorized) -> Response[str]:
    body = {"message": "a valid personal access token is required (Authorization: Bearer cbk_...)"}
    return Response(401, JSON, json.dumps(body), {"WWW-Authenticate": 'Bearer realm="circleback"'})


@handles(app, ConflictError)
def busy(_: ConflictError) -> Response[str]:
    reason = "It changed while it was being saved. Please try again."
    if app.current_event.path == "/touches":
        return _json(409, {"message": reason})
    return html(problem_page(409, "Please try again", reason))


# --- plumbing ---------------------------------------------------------------------------------------------


def _links() -> ActionLinks:
    return ActionLinks(runtime.interactive_repository(), runtime.signer(), runtime.environment().OWNER_ID)


def _json(status: int, body: dict[str, Any]) -> Response[str]:
    return Response(status, JSON, json.dumps(body))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return finish(event, oversized(event, JSON_PATHS) or app.resolve(event, context))
