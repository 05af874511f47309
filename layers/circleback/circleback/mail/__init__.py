"""The digest email: rendering (subject, text, HTML) and the raw MIME message handed to SES v2."""

from circleback.mail.mime import build_message
from circleback.mail.render import LinkFactory, RenderedDigest, render_digest

__all__ = ["LinkFactory", "RenderedDigest", "build_message", "render_digest"]
