"""A real headless Chromium, driven by Selenium, against the demo: the real handlers on the emulator.

The browser is Debian's chromium and chromedriver (scripts/install-browser.sh). Nothing is downloaded:
the driver's path is given, so Selenium Manager never runs, and the browser is kept off the network
(no proxy, no name resolution, no background services). Every wait is bounded, and a watchdog ends the
browser if a test holds it too long, so a hung browser fails the test instead of hanging the run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from circleback import runtime
from circleback.local import demo

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL_HINT = "bash scripts/install-browser.sh"
PAGE_LOAD_SECONDS = 10
SCRIPT_SECONDS = 5
WATCHDOG_SECONDS = 30  # a test takes ~5 s here; only a hung browser or driver gets near this
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # root in a container: Chromium's sandbox needs user namespaces it may not have
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
    "--disable-extensions",
    "--no-proxy-server",
    # Nothing resolves but 127.0.0.1, where the demo serves: no request can leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--window-size=1280,900",
)
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def missing_browser() -> str | None:
    """Why the browser can't be driven here, or None when both programs are installed."""
    absent = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if not absent:
        return None
    return f"Chromium is not installed ({', '.join(absent)} missing); run `{INSTALL_HINT}` (or `make test`)"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The browser's path. Skipped where it is missing, except in CI, which must run these tests."""
    reason = missing_browser()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {reason}", pytrace=False)
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
def demo_session(tmp_path: Path) -> Iterator[demo.DemoSession]:
    """`make demo` in process: the digest written to tmp_path/out, its links served on a free port."""
    saved = dict(os.environ)
    try:
        with demo.running(tmp_path / "out", "you@example.com", "Europe/London", "GB", port=0) as session:
            yield session
    finally:
        os.environ.clear()
        os.environ.update(saved)
        runtime.reset()


@pytest.fixture
def browser(
    chromium: Path, demo_session: demo.DemoSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[webdriver.Chrome]:
    """A fresh headless Chromium with its own profile; always quit, before the demo's server stops."""
    monkeypatch.setenv("SE_AVOID_STATS", "true")  # Selenium Manager never runs here, and never reports
    monkeypatch.delenv("SE_CHROMEDRIVER", raising=False)  # would override the driver's path below
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name in PROXY_VARIABLES:  # Selenium's client and the browser both talk to loopback only
        monkeypatch.delenv(name, raising=False)

    options = Options()
    options.binary_location = str(chromium)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    options.add_argument(f"--user-data-dir={profile}")
    service = Service(
        executable_path=str(CHROMEDRIVER),
        log_output=str(tmp_path / "chromedriver.log"),
        # Its own process group, so the watchdog and the teardown can end the browser with the driver.
        popen_kw={"start_new_session": True},
    )
    timed_out = threading.Event()

    def end_a_hung_browser() -> None:
        timed_out.set()
        _end_process_group(service)

    watchdog = threading.Timer(WATCHDOG_SECONDS, end_a_hung_browser)
    watchdog.daemon = True
    watchdog.start()
    driver: webdriver.Chrome | None = None
    try:
        driver = webdriver.Chrome(options=options, service=service)
        driver.set_page_load_timeout(PAGE_LOAD_SECONDS)
        driver.set_script_timeout(SCRIPT_SECONDS)
        driver.implicitly_wait(0)  # explicit, bounded waits only (WebDriverWait in the tests)
        yield driver
    finally:
        watchdog.cancel()
        try:
            if driver is not None:
                driver.quit()
        finally:
            _end_process_group(service)
    if timed_out.is_set():
        pytest.fail(f"the browser was still busy after {WATCHDOG_SECONDS} s and was ended", pytrace=False)


def _end_process_group(service: Service) -> None:
    """Kill chromedriver and the browser it started, if any of them is still running."""
    process: subprocess.Popen[bytes] | None = getattr(service, "process", None)
    if process is None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait(timeout=5)
