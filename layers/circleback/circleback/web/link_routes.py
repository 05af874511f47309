"""The digest's one-click links: `GET` shows what a link will do and changes nothing; `POST` does it, once.

A Powertools Router, joined with the JSON API's in the actions handler; errors are answered by web/http.py.
The form's model (pydantic) is imported when a form is posted: a cold start that only opens a link page, the
digest's most common request, does without pydantic's import (docs/design.md, "Cold starts").
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from circleback import runtime
from circleback.auth.tokens import Purpose
from circleback.services.actions import ActionLinks, Choice
from circleback.web.http import BadBody, html, log_route, request_body, validated
from circleback.web.pages import Page, link_page

if TYPE_CHECKING:
    from circleback.payloads import ActionForm

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # Powertools leaves its __init__ unannotated

FORM_FIELDS_LIMIT = 10


# An action link is the API's root and its token (mail/links.py): the shortest link the default address
# allows. `/a/` is where links were before; digests already sent still carry it until their links expire.
@router.route("/<token>", method=["GET", "HEAD"])
@router.route("/a/<token>", method=["GET", "HEAD"])
def show_action(token: str) -> Response[str]:
    links = _links()
    target = links.open(token, Purpose.ACTION, runtime.now(), consistent=False)
    others = links.alternatives(target) if target.record is None else []
    return html(link_page(target, suggested=links.suggested(target), alternatives=others))


@router.post("/<token>")
@router.post("/a/<token>")
def post_action(token: str) -> Response[str]:
    return html(_act(token, Purpose.ACTION))


@router.route("/unsubscribe/<token>", method=["GET", "HEAD"])
def show_unsubscribe(token: str) -> Response[str]:
    return html(link_page(_links().open(token, Purpose.UNSUBSCRIBE, runtime.now(), consistent=False)))


@router.post("/unsubscribe/<token>")
def post_unsubscribe(token: str) -> Response[str]:
    """RFC 8058 one-click: a mail client posts `List-Unsubscribe=One-Click`; the page's form posts `op`."""
    return html(_act(token, Purpose.UNSUBSCRIBE))


# The digest's "Add" beside someone the owner wrote to (mail in): a purpose of its own, so its own route.
@router.route("/add/<token>", method=["GET", "HEAD"])
def show_add(token: str) -> Response[str]:
    return html(link_page(_links().open(token, Purpose.ADD, runtime.now(), consistent=False)))


@router.post("/add/<token>")
def post_add(token: str) -> Response[str]:
    return html(_act(token, Purpose.ADD))


def _act(token: str, purpose: Purpose) -> Page:
    form = _form()
    links = _links()
    if form.op == "undo":
        target, undone = links.undo(token, purpose, runtime.now())
        log_route(router, "undo", target.action.value, "undone" if undone else "nothing_to_undo")
        return link_page(target, notice="Undone: nothing is recorded for this link now." if undone else None)
    choice = Choice(form.channel, form.note, form.relationship, form.follow_up, form.about, form.name)
    target, done = links.perform(token, purpose, choice, runtime.now())
    log_route(router, "do", target.action.value, "done" if done else "already_done")
    return link_page(target, just_done=done)


def _form() -> ActionForm:
    from circleback.payloads import ActionForm

    try:
        fields = parse_qs(request_body(router), keep_blank_values=True, max_num_fields=FORM_FIELDS_LIMIT)
    except ValueError:  # more fields than the form has: not from our page
        raise BadBody("the form has more fields than expected") from None
    return validated(lambda: ActionForm.model_validate({name: values[0] for name, values in fields.items()}))


def _links() -> ActionLinks:
    return ActionLinks(runtime.interactive_repository(), runtime.signer(), runtime.environment().OWNER_ID)
