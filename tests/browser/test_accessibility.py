"""Every kind of page of the reading site passes axe-core without a serious or critical
violation (the issue's accessibility bar), in Chromium with the site's real CSS, its
Content-Security-Policy and its JavaScript.

axe-core comes inside axe-playwright-python (no download); Playwright injects it through
the DevTools protocol, so the page's strict policy does not have to allow it. With
QUELLEN_SCREENSHOTS=1 the same visits save the README's screenshots (docs/screenshots/).
"""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import TELEGRAM, open_page, screenshot

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
EVENT = "yalta-conference"
# Each kind of page once, by the name its screenshot takes.
PAGES = {
    "home": "/",
    "document": f"/documents/{TELEGRAM}",
    "search": "/search?q=Moyne",
    "entity": "/entities/w-averell-harriman",
    "events": "/events",
    "event": f"/events/{EVENT}",
    "collection": "/collections/frus-1944-v04",
}

AXE = Axe()


def blocking_violations(page: Page) -> list[dict[str, Any]]:
    """The violations axe-core finds on the page as it is now, serious or critical only."""
    violations: list[dict[str, Any]] = AXE.run(page).response["violations"]
    return [violation for violation in violations if violation["impact"] in BLOCKING]


def report(violations: list[dict[str, Any]]) -> str:
    """Each violation's id, impact and help, then its nodes (selector and HTML), so a
    failing run says what to fix without opening a browser."""
    lines: list[str] = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            lines.extend(f"        {line}" for line in node.get("failureSummary", "").splitlines())
    return "\n".join(lines)


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violation(page: Page, name: str) -> None:
    open_page(page, PAGES[name])
    violations = blocking_violations(page)
    assert not violations, f"axe-core on {PAGES[name]}:\n{report(violations)}"
    screenshot(page, name)


def test_document_with_a_note_open_and_mentions_shown_stays_accessible(page: Page) -> None:
    """The states the document page's script adds (an open note, highlighted mentions)
    keep their contrast and roles too."""
    open_page(page, PAGES["document"])
    toggle = page.locator("#toggle-mentions")
    toggle.click()
    expect(toggle, "the mentions toggle did not turn on").to_have_attribute("aria-pressed", "true")
    page.locator('sup.note-ref a[data-marker="66"]').click()
    expect(page.locator(".note-popover"), "note 66 did not open").to_be_visible()
    violations = blocking_violations(page)
    assert not violations, f"axe-core on the open note:\n{report(violations)}"
