"""The `circleback` command line: one module per group of commands, `app` puts them together."""

from circleback.cli.app import main

__all__ = ["main"]
