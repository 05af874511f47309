"""Fixtures shared by the integration tests."""

from tests.integration.actions_support import logs

__all__ = ["logs"]
