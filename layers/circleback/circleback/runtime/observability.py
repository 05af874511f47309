"""The one set of Powertools singletons. Logs never carry names, emails, notes or tokens: only ids."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

SERVICE = "circleback"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="circleback", service=SERVICE)
