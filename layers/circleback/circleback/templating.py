"""One way to load the package's jinja2 templates, for the email and the web pages alike."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2


@cache
def templates(folder: Path) -> jinja2.Environment:
    """Templates from a folder inside the package, HTML autoescaped, undefined names an error.

    The templates ship inside the package directory, so `sam build` copies them into the layer; loading by
    path needs no import machinery and works the same from the layer, a wheel or a checkout.
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
