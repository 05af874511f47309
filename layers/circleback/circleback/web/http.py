"""What every response of the HTTP API carries, and the refusals its two functions share.

The actions and calendar functions each own their routes; a refused token, a link whose target is gone,
unreadable keys and unknown paths are answered the same way by both: a clear page and the right status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from circleback.links.secret_keys import KeyUnavailable
from circleback.links.tokens import ExpiredToken, ForeignToken, InvalidToken, RevokedToken, WrongPurpose
from circleback.observability import logger
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
