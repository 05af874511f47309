"""A real browser: headless Chromium opens the digest the demo wrote, follows "I reached out" for one
contact, submits the form, and the touch is in the table and the contact leaves the next preview.

The digest is the one SES received (out/digest.html, opened as a file, as a mail client would show it);
its links point at the demo's local API, which runs the real actions handler on the emulator.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from circleback import runtime
from circleback.domain.model import Channel, Contact, Direction, Relationship, Tier, Touch
from circleback.local import demo
from circleback.services.preview import preview
from tests.e2e.accessibility import color_scheme, missing_axe, violations

OWNER = demo.OWNER_ID
WAIT_SECONDS = 5
NOTE = "Called about the new role; send him the essay"
DUE_BLOCKS = "//h2[normalize-space()='Due for a note']/following-sibling::table"
SORT_BLOCKS = "//h2[normalize-space()='Sort your network']/following-sibling::table"
STEP_BLOCKS = "//h2[normalize-space()='Next steps']/following-sibling::table"
PHONE = (360, 740)
# Anything a page could load from elsewhere: none of these may appear on any page here.
LOADERS = "script, link, img, iframe, frame, object, embed, video, audio, source, track, picture, [src], [srcset]"


# --- the user's path --------------------------------------------------------------------------------


def test_reached_out_in_the_browser_logs_the_touch_and_the_contact_leaves_the_next_preview(
    browser: webdriver.Chrome, demo_session: demo.DemoSession
) -> None:
    name, contact = open_digest_and_pick_the_first_due_contact(browser, demo_session)
    all_due_before = preview(runtime.repository(), OWNER, demo.next_owner_digest_date())[1].all_due
    assert name in next_preview_names()
    assert name in live_next_digest_names(browser, demo_session)  # so its absence below means something

    browser.get(demo_session.result.html.as_uri())
    log_a_call(browser, name)

    assert link_touches(contact) == [(Direction.OUTBOUND, Channel.CALL, NOTE)]
    plan = preview(runtime.repository(), OWNER, demo.next_owner_digest_date())[1]
    assert name not in [item.contact.name for item in plan.due]
    assert plan.all_due == all_due_before - 1
    assert name not in live_next_digest_names(browser, demo_session)


def test_a_follow_up_chosen_in_the_browser_comes_back_as_a_next_step_on_its_day(
    browser: webdriver.Chrome, demo_session: demo.DemoSession
) -> None:
    """Issue 19: the page of "I reached out" asks when to follow up, and about what."""
    name, contact = open_digest_and_pick_the_first_due_contact(browser, demo_session)
    the_link(browser, name).click()
    wait_for(browser, lambda: heading(browser) == f"You reached out to {first(name)}")

    browser.find_element(By.XPATH, "//label[normalize-space()='2 weeks']").click()
    browser.find_element(By.CSS_SELECTOR, "input[name='about']").send_keys("the reorg")
    browser.find_element(By.CSS_SELECTOR, "form button[type='submit']").click()
    wait_for(browser, lambda: heading(browser) == "Logged")

    [logged] = [t for t in touches_of(contact) if t.source == "link"]
    assert logged.follow_up is not None and logged.follow_up.about == "the reorg"
    on = logged.follow_up.on
    plan = preview(runtime.repository(), OWNER, on)[1]
    assert [(s.contact.name, s.about) for s in plan.steps if s.contact.id == contact.id] == [(name, "the reorg")]


def test_undo_in_the_browser_removes_the_touch_and_the_contact_comes_back(
    browser: webdriver.Chrome, demo_session: demo.DemoSession
) -> None:
    name, contact = open_digest_and_pick_the_first_due_contact(browser, demo_session)
    touches_before = len(touches_of(contact))
    log_a_call(browser, name)
    assert len(link_touches(contact)) == 1
    assert name not in next_preview_names()

    undo = browser.find_element(By.XPATH, "//form//button[normalize-space()='Undo']")
    undo.click()
    wait_for(browser, lambda: notice_text(browser) == "Undone: nothing is recorded for this link now.")
    # The link is usable again: its confirmation form is back.
    assert heading(browser) == f"You reached out to {first(name)}"
    assert browser.find_elements(By.CSS_SELECTOR, "input[name='channel']")
    assert_self_contained(browser)

    assert link_touches(contact) == []
    assert len(touches_of(contact)) == touches_before
    assert name in next_preview_names()
    assert name in live_next_digest_names(browser, demo_session)


def test_the_pages_fit_a_phone_and_load_nothing_from_elsewhere(
    browser: webdriver.Chrome, demo_session: demo.DemoSession, tmp_path: Path
) -> None:
    browser.set_window_size(*PHONE)
    name, _ = open_digest_and_pick_the_first_due_contact(browser, demo_session)
    assert_fits_a_phone(browser, tmp_path / "phone-1-digest.png")

    the_link(browser, name).click()
    wait_for(browser, lambda: heading(browser) == f"You reached out to {first(name)}")
    assert_self_contained(browser)
    assert_fits_a_phone(browser, tmp_path / "phone-2-confirm.png")

    browser.find_element(By.CSS_SELECTOR, "form button[type='submit']").click()
    wait_for(browser, lambda: heading(browser) == "Logged")
    assert_self_contained(browser)
    assert_fits_a_phone(browser, tmp_path / "phone-3-done.png")

    browser.get(f"{demo_session.base_url}/")
    assert_self_contained(browser)
    assert_fits_a_phone(browser, tmp_path / "phone-4-next-digest.png")


def test_a_sort_choice_in_the_browser_sorts_the_person_with_the_relationship_chosen(
    browser: webdriver.Chrome, demo_session: demo.DemoSession
) -> None:
    browser.get(demo_session.result.html.as_uri())
    asked = sort_names(browser)
    assert asked, "the demo digest asks nobody to sort"
    name = asked[0]  # the likely boss from the owner's work history comes first
    assert name in live_next_digest_sort_names(browser, demo_session)

    browser.get(demo_session.result.html.as_uri())
    sort_link(browser, name, "Keep close").click()
    wait_for(browser, lambda: heading(browser) == f"Keep {first(name)} close")
    assert_self_contained(browser)
    relationship = Select(browser.find_element(By.CSS_SELECTOR, "select[name='relationship']"))
    assert relationship.first_selected_option.get_attribute("value") == "boss"  # the digest's suggestion
    relationship.select_by_value("mentor")
    browser.find_element(By.CSS_SELECTOR, "form button[type='submit']").click()

    wait_for(browser, lambda: heading(browser) == "Sorted")
    assert f"{first(name)} is sorted: keep close, a mentor." in browser.find_element(By.TAG_NAME, "main").text
    assert_self_contained(browser)
    (contact,) = [c for c in runtime.repository().list_contacts(OWNER) if c.name == name]
    assert not contact.unsorted and (contact.tier, contact.relationship) == (Tier.A, Relationship.MENTOR)
    assert name not in live_next_digest_sort_names(browser, demo_session)
    assert name not in next_preview_names()  # sorted today, no touch yet: not due today either


def test_they_reached_out_is_one_tap_away_and_logged_once_however_often_its_page_is_opened(
    browser: webdriver.Chrome, demo_session: demo.DemoSession
) -> None:
    name, contact = open_digest_and_pick_the_first_due_contact(browser, demo_session)
    reached_out = the_link(browser, name).get_attribute("href")
    assert not browser.find_elements(By.XPATH, "//a[normalize-space()='They reached out']")  # not in the email

    browser.get(str(reached_out))
    browser.find_element(By.XPATH, "//a[normalize-space()='They reached out']").click()
    wait_for(browser, lambda: heading(browser) == f"{first(name)} reached out to you")
    assert_self_contained(browser)
    browser.find_element(By.CSS_SELECTOR, "form button[type='submit']").click()
    wait_for(browser, lambda: heading(browser) == "Logged")
    # Opened again, the page offers the same link, as the digest would have carried it: it is already done.
    browser.get(str(reached_out))
    browser.find_element(By.XPATH, "//a[normalize-space()='They reached out']").click()
    wait_for(browser, lambda: heading(browser) == "Already logged")

    assert [(d, c) for d, c, _ in link_touches(contact)] == [(Direction.INBOUND, Channel.EMAIL)]


def test_at_phone_size_the_first_person_and_both_their_actions_are_on_the_first_screen(
    browser: webdriver.Chrome, demo_session: demo.DemoSession
) -> None:
    """The first person the digest asks you to act on, a next step's (issue 19) when there is one, else the first
    due, is on the first screen with their links; a due person's are two: a way to write, and the log."""
    browser.set_window_size(*PHONE)
    name, _ = open_digest_and_pick_the_first_due_contact(browser, demo_session)
    block = next(b for b in browser.find_elements(By.XPATH, DUE_BLOCKS) if block_name(b) == name)
    due_actions = block.find_elements(By.XPATH, ".//p[contains(@class, 'cb-actions')]//a")
    assert [a.text for a in due_actions][-1] == "I reached out" and len(due_actions) == 2
    steps = browser.find_elements(By.XPATH, STEP_BLOCKS)
    first_block = steps[0] if steps else block
    actions = first_block.find_elements(By.XPATH, ".//p[contains(@class, 'cb-actions')]//a")
    assert len(actions) >= 2
    height = browser.execute_script("return window.innerHeight")
    for action in actions:
        bottom = browser.execute_script("return arguments[0].getBoundingClientRect().bottom", action)
        assert bottom <= height, f"{action.text!r} is below the first screen ({bottom} > {height} px)"


# --- steps ------------------------------------------------------------------------------------------


def open_digest_and_pick_the_first_due_contact(
    driver: webdriver.Chrome, session: demo.DemoSession
) -> tuple[str, Contact]:
    """Open out/digest.html as a file; the first contact under "Due for a note", by name and in the table."""
    driver.get(session.result.html.as_uri())
    assert driver.title == session.result.subject
    assert_self_contained(driver)
    names = due_names(driver)
    assert names, "the demo digest lists nobody as due"
    data = runtime.repository().load_digest_input(OWNER)
    assert data is not None
    matches = [c for c in data.contacts if c.name == names[0]]
    assert len(matches) == 1, f"{names[0]!r} is not one contact in the table"
    return names[0], matches[0]


def log_a_call(driver: webdriver.Chrome, name: str) -> None:
    """From the open digest: "I reached out" for `name`, by phone, with a note; lands on the done page."""
    the_link(driver, name).click()
    wait_for(driver, lambda: heading(driver) == f"You reached out to {first(name)}")
    assert first(name) in driver.title
    assert_self_contained(driver)

    driver.find_element(By.XPATH, "//label[normalize-space()='Call']").click()
    call = driver.find_element(By.CSS_SELECTOR, "input[name='channel'][value='call']")
    assert call.is_selected()
    driver.find_element(By.CSS_SELECTOR, "textarea[name='note']").send_keys(NOTE)
    driver.find_element(By.CSS_SELECTOR, "form button[type='submit']").click()

    wait_for(driver, lambda: heading(driver) == "Logged")
    assert f"You reached out to {first(name)} by phone today." in driver.find_element(By.TAG_NAME, "main").text
    assert driver.find_element(By.XPATH, "//form//button[normalize-space()='Undo']").is_displayed()
    assert_self_contained(driver)


def the_link(driver: webdriver.Chrome, name: str, label: str = "I reached out") -> WebElement:
    """The `label` link inside `name`'s own block of the due list."""
    for block in driver.find_elements(By.XPATH, DUE_BLOCKS):
        if block_name(block) == name:
            return block.find_element(By.XPATH, f".//a[normalize-space()='{label}']")
    raise AssertionError(f"{name!r} is not in the due list")


def sort_link(driver: webdriver.Chrome, name: str, label: str) -> WebElement:
    """The `label` choice inside `name`'s block of the Sort section."""
    for block in driver.find_elements(By.XPATH, SORT_BLOCKS):
        if block_name(block) == name:
            return block.find_element(By.XPATH, f".//a[normalize-space()='{label}']")
    raise AssertionError(f"{name!r} is not in the Sort section")


def sort_names(driver: webdriver.Chrome) -> list[str]:
    return [block_name(block) for block in driver.find_elements(By.XPATH, SORT_BLOCKS)]


def live_next_digest_sort_names(driver: webdriver.Chrome, session: demo.DemoSession) -> list[str]:
    """Whom the next digest, as the demo's `/` plans it now, asks to sort."""
    driver.get(f"{session.base_url}/")
    assert_self_contained(driver)
    return sort_names(driver)


def due_names(driver: webdriver.Chrome) -> list[str]:
    return [block_name(block) for block in driver.find_elements(By.XPATH, DUE_BLOCKS)]


def block_name(block: WebElement) -> str:
    """The person's name: the first line's text before its occasion ("Thomas Becker · In Berlin 12–14 December")."""
    return str(block.find_element(By.XPATH, ".//td/p[1]").text).split(" · ", 1)[0].strip()


def live_next_digest_names(driver: webdriver.Chrome, session: demo.DemoSession) -> list[str]:
    """Who is due in the next digest as the demo's `/` plans it now."""
    driver.get(f"{session.base_url}/")
    assert_self_contained(driver)
    return due_names(driver)


# --- the table and the planner ------------------------------------------------------------------------


def touches_of(contact: Contact) -> list[Touch]:
    return runtime.repository().contact_with_touches(OWNER, contact.id)[1]


def link_touches(contact: Contact) -> list[tuple[Direction, Channel, str | None]]:
    return [(t.direction, t.channel, t.note) for t in touches_of(contact) if t.source == "link"]


def next_preview_names() -> list[str]:
    plan = preview(runtime.repository(), OWNER, demo.next_owner_digest_date())[1]
    return [item.contact.name for item in plan.due]


# --- page checks --------------------------------------------------------------------------------------


def assert_self_contained(driver: webdriver.Chrome) -> None:
    """No script, stylesheet, image or frame, and nothing fetched: the page is all there is."""
    found = driver.execute_script(f"return Array.from(document.querySelectorAll({LOADERS!r}), e => e.tagName)")
    assert found == [], f"{driver.current_url} has elements that load things: {found}"
    fetched = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    favicon = driver.execute_script("return location.origin") + "/favicon.ico"  # the browser's own ask
    assert [url for url in fetched if url != favicon] == [], f"{driver.current_url} fetched {fetched}"


def assert_fits_a_phone(driver: webdriver.Chrome, screenshot: Path) -> None:
    """At phone width nothing scrolls sideways. The screenshot is for a person debugging a failure."""
    assert driver.save_screenshot(str(screenshot))
    scroll_width, client_width = driver.execute_script(
        "const e = document.documentElement; return [e.scrollWidth, e.clientWidth]"
    )
    assert client_width <= PHONE[0], "the window did not shrink to phone width"
    assert scroll_width <= client_width, f"{driver.title!r} scrolls sideways at {client_width} px: {scroll_width} px"


def heading(driver: webdriver.Chrome) -> str:
    return str(driver.find_element(By.TAG_NAME, "h1").text).strip()


def notice_text(driver: webdriver.Chrome) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, "[role='status']").text).strip()


def first(name: str) -> str:
    return name.split()[0]


def wait_for(driver: webdriver.Chrome, condition: Callable[[], bool]) -> None:
    """Until `condition` holds on the page now loaded, for a few seconds at most."""
    WebDriverWait(
        driver, WAIT_SECONDS, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
    ).until(lambda _: condition(), message=f"waited {WAIT_SECONDS} s on {driver.current_url}")


# --- accessibility ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_digest_and_every_kind_of_link_page_pass_axe(
    browser: webdriver.Chrome, demo_session: demo.DemoSession, scheme: str
) -> None:
    """No serious or critical axe-core violation (WCAG 2.2 AA, contrast included) on the digest, each kind of
    link's confirmation page, a done page and a refusal, in light and in dark mode."""
    reason = missing_axe()
    if reason is not None:
        pytest.fail(reason, pytrace=False)
    color_scheme(browser, scheme)
    found: dict[str, list[dict[str, Any]]] = {}

    def check(page: str) -> None:
        dark = browser.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches")
        assert dark is (scheme == "dark"), f"{page} is not shown in {scheme} mode"
        found[page] = violations(browser)

    browser.get(demo_session.result.html.as_uri())
    check("digest")
    name, _ = open_digest_and_pick_the_first_due_contact(browser, demo_session)
    links = {"I reached out": the_link(browser, name, "I reached out").get_attribute("href")}
    links["Keep close"] = sort_link(browser, sort_names(browser)[0], "Keep close").get_attribute("href")
    pause = browser.find_element(By.XPATH, "//a[starts-with(normalize-space(), 'Pause digests')]").get_attribute("href")
    # The old team's lunch (issue 20); the next steps and the worth-sharing item (issue 19); new people (issue 17)
    for label in (
        "We had lunch",
        "Not now",
        "Done",
        "They helped",
        "Said thanks",
        "Told them",
        "I asked",
        "Shared",
        "Add",
    ):
        found_link = browser.find_elements(By.XPATH, f"//a[normalize-space()='{label}']")[0]
        links[label] = found_link.get_attribute("href")
    browser.get(str(links["I reached out"]))
    for label in ("They reached out", "Snooze 2 weeks"):  # offered by the page "I reached out" opens
        links[label] = browser.find_element(By.XPATH, f"//a[normalize-space()='{label}']").get_attribute("href")
    links["Pause"] = pause  # last: its form is posted below
    for label, url in links.items():
        browser.get(str(url))
        check(f"{label} page")
    browser.find_element(By.CSS_SELECTOR, "form button[type='submit']").click()  # the pause, done
    wait_for(browser, lambda: heading(browser) == "Digests paused")
    check("done page")
    browser.get(f"{demo_session.base_url}/a/not-a-token")
    check("refusal page")

    assert {page: v for page, v in found.items() if v} == {}


def test_axe_finds_what_it_is_there_to_find(browser: webdriver.Chrome, tmp_path: Path) -> None:
    """The check above can fail: the same run flags grey-on-grey text and an image without words."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><title>t</title><p style="color:#aaa;background:#bbb">faint</p>'
        '<input type="image" src="x.png">',
        encoding="utf-8",
    )
    browser.get(page.as_uri())
    assert {v["rule"] for v in violations(browser)} >= {"color-contrast", "input-image-alt"}
