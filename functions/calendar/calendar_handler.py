"""The calendar feed: `GET /calendar/{token}.ics`, the owner's year ahead for any calendar app.

Read-only by construction: this function's role may only read the table and the signing secret. The route
parses the file name, calls the feed service and returns iCalendar text. The path (the token) is never logged.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from circleback import runtime
from circleback.runtime.observability import logger
from circleback.services.calendar_feed import FEED_SUFFIX, CalendarFeed
from circleback.web.http import answer_errors, finish, log_route, oversized

app = APIGatewayHttpResolver()
answer_errors(app)

CALENDAR = "text/calendar; charset=utf-8"
# A calendar app that downloads the file instead of subscribing still gets a sensible name.
DISPOSITION = 'inline; filename="circleback.ics"'


@app.route("/calendar/<file>", method=["GET", "HEAD"])
def calendar_feed(file: str) -> Response[str]:
    # HTTP API path variables are whole segments, so the route is /calendar/{file} and the suffix is checked here.
    if not file.endswith(FEED_SUFFIX):
        raise NotFoundError()
    env = runtime.environment()
    feed = CalendarFeed(runtime.interactive_repository(), runtime.signer(), env.OWNER_ID)
    body = feed.read(file.removesuffix(FEED_SUFFIX), runtime.now())
    log_route(app, "read", "calendar", "served")
    return Response(200, CALENDAR, body.decode("utf-8"), {"Content-Disposition": DISPOSITION})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return finish(event, oversized(event) or app.resolve(event, context))
