"""What every response of the HTTP API carries, and the refusals and failures its two functions share.

The actions and calendar functions each own their routes; a refused token, a link whose target is gone,
unreadable keys and unknown paths are answered the same way by both: a clear page and the right status.
A request too large to be one of ours is refused before any route runs, and an error no route expected (AWS
throttling or failing, a bug) is answered by the function itself: a 503 or a 500 with the security headers and
a page or JSON body saying to try again, never a stack trace (left alone, it would fail the invocation and
API Gateway would answer a bare 500 without the headers).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError

from circleback.adapters.aws_errors import is_transient
from circleback.adapters.secrets import KeyUnavailable
from circleback.auth.tokens import ExpiredToken, ForeignToken, InvalidToken, RevokedToken, WrongPurpose
from circleback.runtime.observability import logger
from circleback.services.actions import LinkGone
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


def log_route(app: APIGatewayHttpResolver, step: str, action: str, outcome: str) -> None:
    # The route's template, never its path: the path carries the token.
    logger.info(
        "action", extra={"route": app.current_event.route_key, "step": step, "action": action, "outcome": outcome}
    )


def answer_link_refusals(app: APIGatewayHttpResolver) -> None:
    """Register the refusals every link route shares on `app`."""

    @handles(app, InvalidToken)
    def refused_link(error: InvalidToken) -> Response[str]:
        log_route(app, "refused", "link", error.code)
        status = next(s for kind, s in TOKEN_STATUS.items() if type(error) is kind)
        return html(problem_page(status, "This link can’t be used", error.reason))

    @handles(app, LinkGone)
    def gone(error: LinkGone) -> Response[str]:
        return html(problem_page(410, "This link points at something that’s gone", str(error)))

    @handles(app, KeyUnavailable)
    def keys_unavailable(_: KeyUnavailable) -> Response[str]:
        logger.exception("signing keys unavailable")
        return html(problem_page(503, "circleback is unavailable", "Please try again in a few minutes."))

    @handles(app, NotFoundError)
    def not_found(_: Exception) -> Response[str]:
        reason = "This address doesn’t lead anywhere. Use a link from your digest."
        return html(problem_page(404, "Nothing here", reason))


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


def problem_response(status: int, title: str, reason: str, *, as_json: bool) -> Response[str]:
    if as_json:
        return Response(status, JSON, json.dumps({"message": reason}))
    return html(problem_page(status, title, reason, changed_nothing=status < 500))


def answer_failures(app: APIGatewayHttpResolver, json_paths: Collection[str] = ()) -> None:
    """Answer any error no other handler of `app` takes: 503 or 500, a page (JSON on `json_paths`), logged."""

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
        title, reason = UNAVAILABLE if status == 503 else FAILED
        return problem_response(status, title, reason, as_json=app.current_event.path in json_paths)


# --- requests too large to be ours -------------------------------------------------------------------------

# Our forms are a channel and a note of at most 1000 characters (at most 12 bytes each, percent-encoded), and a
# touch in JSON is smaller still; API Gateway lets 10 MB through. Tokens are a few hundred characters.
MAX_BODY_BYTES = 64 * 1024
MAX_PATH_CHARS = 2048
MAX_QUERY_CHARS = 2048


def oversized(event: dict[str, Any], json_paths: Collection[str] = ()) -> dict[str, Any] | None:
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
    answer = problem_response(status, "That request is too large", reason, as_json=path in json_paths)
    return {"statusCode": status, "headers": {"Content-Type": answer.content_type}, "body": answer.body}
