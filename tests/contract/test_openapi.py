"""schemathesis against openapi.yaml, with the real actions and calendar handlers in process behind the local HTTP API.

Every generated request, valid or not, must get a documented status, content type and body, and never a
5xx. The routes of openapi.yaml, template.yaml and the handler are the same set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from moto import mock_aws
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance, unsupported_method

from circleback import runtime
from circleback.auth import access_tokens
from circleback.domain.model import Owner
from circleback.local import demo
from circleback.local.api_gateway import http_api_functions, template_routes
from circleback.local.emulator import LOCAL_REGION, use_loopback_credentials
from tests.paths import ROOT

SPEC = ROOT / "openapi.yaml"
DEFAULT_ROUTE = "ANY $default"  # template.yaml: what no other route matches goes to the actions function
OWNER = demo.OWNER_ID


def _spec_routes() -> frozenset[str]:
    spec = yaml.safe_load(Path(SPEC).read_text(encoding="utf-8"))
    methods = {"get", "head", "post", "put", "patch", "delete"}
    return frozenset(f"{m.upper()} {path}" for path, item in spec["paths"].items() for m in item if m in methods)


# schemathesis's own list of the statuses that reject a request against the schema, and the two the functions
# give a request too large to be one of ours (web/http.py): 413 for the body, 414 for the path or query string.
REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "428", "429"]
CONFIG = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REJECTIONS}}})
schema = schemathesis.openapi.from_path(str(SPEC), config=CONFIG)
ROUTES = _spec_routes()


@pytest.fixture(scope="module")
def bearer() -> Iterator[str]:
    """The emulator provisioned, an owner with a personal access token, and the handler behind `schema.app`."""
    saved = dict(os.environ)
    use_loopback_credentials()
    with mock_aws():
        queue_url = demo.provision(boto3.session.Session(region_name=LOCAL_REGION))
        demo.configure(queue_url, "you@example.com", "Europe/London", "GB", "http://127.0.0.1:8000")
        repo = runtime.repository()
        repo.put_owner(Owner(id=OWNER, email="you@example.com", timezone="Europe/London", country="GB"))
        text, record = access_tokens.issue("contract tests", datetime.now(UTC))
        repo.add_access_token(OWNER, record)
        schema.app = demo.api_gateway()
        yield text
    os.environ.clear()
    os.environ.update(saved)
    runtime.reset()


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_response_is_documented_and_never_a_server_error(bearer: str, case: Any) -> None:
    headers = {"Authorization": f"Bearer {bearer}"} if case.path == "/touches" else {}
    # Excluded: schema-valid requests are refused by design (a well-formed token that no key signed is a
    # 400), and a method the API lacks gets API Gateway's own 404, not a 405 (the local gateway mimics it).
    response = case.call_and_validate(
        base_url="http://127.0.0.1",
        app=schema.app,
        headers=headers,
        excluded_checks=[positive_data_acceptance, unsupported_method],
    )
    assert response.status_code < 500
    if f"{case.method.upper()} {case.path}" in ROUTES:  # it reached the handler
        assert response.headers["cache-control"] == ["no-store"]


def test_the_checks_run_include_server_errors_and_conformance() -> None:
    names = {check.__name__ for check in CHECKS.get_all()}
    assert {"not_a_server_error", "status_code_conformance", "response_schema_conformance"} <= names


@pytest.mark.parametrize(("function", "handler"), [("ActionsFunction", "actions"), ("CalendarFunction", "calendar")])
def test_each_handler_serves_exactly_its_template_routes(function: str, handler: str) -> None:
    # $default (any other path or method) is answered by the handler's own 404, not by a route of it.
    template = {route.key for route in template_routes(function)} - {DEFAULT_ROUTE}
    app = demo.load_handler(handler).app
    served = {f"{route.method} {route.path}" for route in app._dynamic_routes + app._static_routes}
    assert served == {key.replace("{", "<").replace("}", ">") for key in template}


def test_openapi_and_template_declare_the_same_routes() -> None:
    assert http_api_functions() == ["ActionsFunction", "CalendarFunction"]
    routes = {route.key for f in http_api_functions() for route in template_routes(f)}
    assert _spec_routes() == routes - {DEFAULT_ROUTE}  # $default is no path of the API's description
