"""What every response of the HTTP API carries, and the one place its errors are answered.

The actions and calendar functions each own their routes (link_routes.py, touch_api.py, the calendar handler);
every error any of them raises is answered here (`answer_errors`), as a page or, on the JSON API's routes
(registered with `json_route`), as JSON: a refused token, a link whose target is gone, a body that does not
validate, a missing access token, a conflict, an unknown path. A request too large to be one of ours is refused
before any route runs, and an error no route expected (AWS throttling or failing, a bug) is answered by the
function itself: a 503 or a 500 with the security headers and a body saying to try again, never a stack trace
(left alone, it would fail the invocation and API Gateway would answer a bare 500 without the headers).
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from circleback.adapters.aws_errors import is_transient
from circleback.adapters.secrets import KeyUnavailable
from circleback.adapters.store.repository import ConflictError
from circleback.auth.tokens import ExpiredToken, ForeignToken, InvalidToken, RevokedToken, WrongPurpose
from circleback.runtime.observability import logger
from circleback.services.actions import LinkGone, UndoRefused
from circleback.services.touches import InvalidField, ReusedKey, Unauthorized
from circleback.web.pages import Page, problem_page

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
TOKEN_STATUS = {InvalidToken: 400, WrongPurpose: 400, ExpiredToken: 410, RevokedToken: 410, ForeignToken: 403}

Handler = TypeVar("Handler", bound=Callable[..., Response[str]])


def handles(app: APIGatewayHttpResolver, kind: type[Exception]) -> Callable[[Handler], Handler]:
    """Powertools' exception_handler, typed."""
    decorator: Callable[[Handler], Handler] = app.exception_handler(kind)
    return decorator


def html(page: Page) -> Response[str]:
    return Response(page.status, HTML, page.html)


def log_route(app: APIGatewayHttpResolver | APIGatewayHttpRouter, step: str, action: str, outcome: str) -> None:
    # The route's template, never its path: the path carries the token.
    logger.info(
        "action", extra={"route": app.current_event.route_key, "step": step, "action": action, "outcome": outcome}
    )


# --- the JSON API's routes: their answers, errors included, are JSON --------------------------------------

JSON_ROUTES: set[str] = set()  # API Gateway's route keys, as the template declares them: "POST /touches"


def json_route(router: APIGatewayHttpRouter, rule: str, method: str) -> Callable[[Handler], Handler]:
    """`router.route(rule, method)`, remembering that the route answers in JSON, its errors too."""
    template_path = re.sub(r"<(\w+)>", r"{\1}", rule)  # Powertools' <token> is the template's {token}
    JSON_ROUTES.add(f"{method} {template_path}")
    decorator: Callable[[Handler], Handler] = router.route(rule, method=method)
    return decorator


def answers_json(route_key: str | None) -> bool:
    return route_key in JSON_ROUTES


# --- bodies that do not come through ---------------------------------------------------------------------


class BadBody(Exception):
    """A request body that cannot be read at all (not UTF-8, or not the shape of any form of ours)."""


class InvalidBody(Exception):
    """A body that reads but does not validate: each error with its field's location, message and type."""

    def __init__(self, errors: list[Any]) -> None:
        super().__init__(f"{len(errors)} invalid field(s)")
        self.errors = errors


def request_body(router: APIGatewayHttpRouter) -> str:
    """The request body as text; API Gateway base64-encodes non-text bodies, forms included."""
    try:
        return router.current_event.decoded_body or ""
    except (UnicodeDecodeError, binascii.Error):
        raise BadBody("the body is not UTF-8 text") from None


def validated[Parsed](parse: Callable[[], Parsed]) -> Parsed:
    """What `parse` makes of the body; InvalidBody, with pydantic's errors, if the body does not validate."""
    from pydantic import ValidationError

    try:
        return parse()
    except ValidationError as error:
        raise InvalidBody(error.errors(include_url=False, include_input=False)) from None


# --- errors: a clear page or body and the right status; a 4xx changed nothing ----------------------------


def answer_errors(app: APIGatewayHttpResolver) -> None:
    """Answer every error a route of `app` may raise, as a page or, on a JSON route, as JSON."""

    def json_request() -> bool:
        return answers_json(app.current_event.route_key)

    def problem(status: int, title: str, reason: str, detail: list[dict[str, Any]] | None = None) -> Response[str]:
        return problem_response(status, title, reason, as_json=json_request(), detail=detail)

    @handles(app, InvalidToken)
    def refused_link(error: InvalidToken) -> Response[str]:
        log_route(app, "refused", "link", error.code)
        status = next(s for kind, s in TOKEN_STATUS.items() if type(error) is kind)
        return html(problem_page(status, "This link can’t be used", error.reason))

    @handles(app, LinkGone)
    def gone(error: LinkGone) -> Response[str]:
        return html(problem_page(410, "This link points at something that’s gone", str(error)))

    @handles(app, UndoRefused)
    def undo_refused(error: UndoRefused) -> Response[str]:
        log_route(app, "undo", "link", "refused_changed_since")
        return html(problem_page(409, "This can’t be undone any more", str(error)))

    @handles(app, KeyUnavailable)
    def keys_unavailable(_: KeyUnavailable) -> Response[str]:
        logger.exception("signing keys unavailable")
        return html(problem_page(503, "circleback is unavailable", "Please try again in a few minutes."))

    @handles(app, NotFoundError)
    def not_found(_: Exception) -> Response[str]:
        reason = "This address doesn’t lead anywhere. Use a link from your digest."
        return html(problem_page(404, "Nothing here", reason))

    @handles(app, InvalidBody)
    def invalid_body(error: InvalidBody) -> Response[str]:
        detail = [
            {"loc": ["body", *(str(part) for part in e["loc"])], "msg": e["msg"], "type": e["type"]}
            for e in error.errors
        ]
        field = ".".join(detail[0]["loc"][1:]) or "form"
        return problem(json_status(400), FORM_TROUBLE, f"{field}: {detail[0]['msg']}", detail)

    @handles(app, BadBody)
    def unreadable_body(error: BadBody) -> Response[str]:
        detail = [{"loc": ["body"], "msg": str(error), "type": "value_error"}]
        return problem(json_status(400), FORM_TROUBLE, f"form: {error}", detail)

    @handles(app, InvalidField)
    def invalid_field(error: InvalidField) -> Response[str]:
        location = ["header", error.field] if error.field[0].isupper() else ["body", error.field]
        detail = [{"loc": location, "msg": str(error), "type": "value_error"}]
        return problem(422, FORM_TROUBLE, str(error), detail)

    @handles(app, ReusedKey)
    def reused_key(_: ReusedKey) -> Response[str]:
        message = "this Idempotency-Key was already used for a different touch"
        return problem(422, FORM_TROUBLE, message, [{"loc": IDEMPOTENCY_KEY, "msg": message, "type": "value_error"}])

    @handles(app, Unauthorized)
    def unauthorized(_: Unauthorized) -> Response[str]:
        body = {"message": "a valid personal access token is required (Authorization: Bearer cbk_...)"}
        return Response(401, JSON, json.dumps(body), {"WWW-Authenticate": 'Bearer realm="circleback"'})

    @handles(app, ConflictError)
    def busy(_: ConflictError) -> Response[str]:
        return problem(409, "Please try again", "It changed while it was being saved. Please try again.")

    @handles(app, Exception)
    def failed(error: Exception) -> Response[str]:
        if isinstance(error, ServiceError):  # Powertools' own HTTP errors keep their status
            raise error
        status = failure_status(error)
        # The route's template and the error's type: the path (the token) and the message stay out of the log.
        logger.error(
            "request failed",
            extra={"route": app.current_event.route_key, "status": status, "error": type(error).__name__},
            exc_info=error,
        )
        return problem(status, *(UNAVAILABLE if status == 503 else FAILED))

    def json_status(page_status: int) -> int:
        """A body that does not validate: 422 for the JSON API (as FastAPI and Powertools answer), 400 on a page."""
        return 422 if json_request() else page_status


FORM_TROUBLE = "That form didn’t come through"
IDEMPOTENCY_KEY = ["header", "Idempotency-Key"]


def finish(event: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """The security headers on every response, and no body for a HEAD."""
    response.setdefault("headers", {}).update(SECURITY_HEADERS)
    if event.get("requestContext", {}).get("http", {}).get("method") == "HEAD":
        response["body"] = ""
    return response


# --- failures: the function answers, with its headers ------------------------------------------------------

UNAVAILABLE = ("circleback is busy", "Amazon Web Services is slow to answer right now. Please try again in a minute.")
FAILED = ("Something went wrong", "That did not work, on our side. Please try again: a link does its action once.")


def failure_status(error: Exception) -> int:
    """503 when AWS throttled, was unavailable or did not answer in time; 500 for anything else."""
    return 503 if is_transient(error) else 500


def problem_response(
    status: int, title: str, reason: str, *, as_json: bool, detail: list[dict[str, Any]] | None = None
) -> Response[str]:
    """The one shape of an error: an HTML page, or JSON ({"detail": [...]} where fields are named, else
    {"message": ...}). A 4xx page says that nothing was changed."""
    if as_json:
        body: dict[str, Any] = {"detail": detail} if detail is not None else {"message": reason}
        return Response(status, JSON, json.dumps(body))
    return html(problem_page(status, title, reason, changed_nothing=status < 500))


# --- requests too large to be ours -------------------------------------------------------------------------

# Our forms are a channel and a note of at most 1000 characters (at most 12 bytes each, percent-encoded), and a
# touch in JSON is smaller still; API Gateway lets 10 MB through. Tokens are a few hundred characters.
MAX_BODY_BYTES = 64 * 1024
MAX_PATH_CHARS = 2048
MAX_QUERY_CHARS = 2048


def oversized(event: dict[str, Any]) -> dict[str, Any] | None:
    """The 413 or 414 response for a request larger than any of ours, before a route reads it; else None."""
    path = str(event.get("rawPath") or "")
    body = str(event.get("body") or "")
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode("utf-8", "surrogatepass"))
    if size > MAX_BODY_BYTES:
        status, reason = 413, f"The request is larger than {MAX_BODY_BYTES // 1024} KB; nothing of ours is."
    elif len(path) > MAX_PATH_CHARS or len(str(event.get("rawQueryString") or "")) > MAX_QUERY_CHARS:
        status, reason = 414, "The address is too long to be a link from your digest."
    else:
        return None
    logger.info("refused", extra={"status": status, "route": event.get("routeKey")})
    answer = problem_response(status, "That request is too large", reason, as_json=answers_json(event.get("routeKey")))
    return {"statusCode": status, "headers": {"Content-Type": answer.content_type}, "body": answer.body}
