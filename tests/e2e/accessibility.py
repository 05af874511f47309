"""axe-core, run inside headless Chromium on the page it has open, in light or dark mode.

axe-core is the accessibility engine behind Lighthouse and most browser checkers; scripts/install-axe.sh pins it
in tools/axe. Its script is injected through WebDriver (which a page's Content-Security-Policy does not govern:
the pages here allow no script at all), run on the whole document, and its violations read back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selenium import webdriver

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_HINT = "bash scripts/install-axe.sh"
BLOCKING = frozenset({"serious", "critical"})
# Every WCAG 2.x A and AA rule (contrast included) and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def missing_axe() -> str | None:
    return None if AXE_SCRIPT.is_file() else f"axe-core is not installed ({AXE_SCRIPT} missing); run `{INSTALL_HINT}`"


def color_scheme(driver: webdriver.Chrome, scheme: str) -> None:
    """Emulate `prefers-color-scheme` for the pages loaded from now on (and the one open)."""
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"media": "", "features": [{"name": "prefers-color-scheme", "value": scheme}]}
    )


def violations(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the open page, each with the elements it found them on."""
    driver.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
    found: dict[str, Any] = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => done({violations: r.violations}), e => done({error: String(e)}));",
        TAGS,
    )
    if "error" in found:
        raise RuntimeError(f"axe-core failed on {driver.current_url}: {found['error']}")
    return [
        {"rule": v["id"], "impact": v["impact"], "help": v["help"], "on": [n["html"][:120] for n in v["nodes"][:3]]}
        for v in found["violations"]
        if v["impact"] in BLOCKING
    ]
