"""Actions: the digest's one-click links and the JSON touch API, behind the HTTP API.

Two Powertools Routers, one per API (web/link_routes.py, web/touch_api.py), joined here; web/http.py answers
every error, as a page or as JSON. GET and HEAD never write. Every response gets the security headers; the path
(which holds the token) is never logged.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from circleback.runtime.observability import logger
from circleback.web import link_routes, touch_api
from circleback.web.http import answer_errors, finish, oversized

app = APIGatewayHttpResolver()
app.include_router(link_routes.router)
app.include_router(touch_api.router)
answer_errors(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return finish(event, oversized(event) or app.resolve(event, context))
