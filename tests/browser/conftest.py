"""A real browser on the reading site: Playwright drives Debian's Chromium against a real
`quellen serve` on a fresh SQLite database seeded from data/, as `make serve` runs it.

One server (session scope) and one browser (closed after the last browser test) serve
every browser test; each test gets its own browser context, so storage, viewport and
JavaScript can differ per test. Every context routes all requests through a guard that
lets through only 127.0.0.1 and aborts the rest (the issue: no request leaves the host); a
test fails when any was attempted, when a page threw, or when the console reported an
error (a Content-Security-Policy violation shows there: an inline style or script the
strict policy refused).

Chromium comes from Debian (`scripts/ensure-chromium`, run by `make test`), never from
Playwright's own download. Without it the tests fail with a message saying how to get it:
CI must run them, so they do not skip.
"""

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    WebError,
    expect,
    sync_playwright,
)

from api.settings import PROJECT_ROOT
from tests.utils.server import free_port, wait_until_ready

CHROMIUM = Path("/usr/bin/chromium")
HOST = "127.0.0.1"
TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
# Bounded waits: every action and expect() gives up after this long, with its message.
TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

expect.set_options(timeout=TIMEOUT_MS)


@dataclass(frozen=True)
class Site:
    """The running server: ``base`` is what pages are opened against."""

    base: str


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """`quellen serve` on a free port over a fresh SQLite file, which it migrates and seeds
    from data/ on start; the whole run shares it (the browser tests only read)."""
    folder = tmp_path_factory.mktemp("browser")
    port = free_port()
    # The developer's own QUELLEN_* settings (a root path, QUELLEN_READER=false, a read
    # key) must not change what the pages under test are.
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUELLEN_")}
    env.update(
        QUELLEN_DATABASE_URL=f"sqlite:///{folder / 'quellen.sqlite'}",
        QUELLEN_PORT=str(port),
        QUELLEN_LOG_LEVEL="warning",
        QUELLEN_READER="true",
    )
    log = folder / "server.log"
    with log.open("w", encoding="utf-8") as output:
        # The log goes to a file, not a pipe nobody reads: a full pipe would stall the server.
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "quellen"), "serve"],
            cwd=folder,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base = f"http://{HOST}:{port}"
    try:
        try:
            wait_until_ready(process, base)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{log.read_text(encoding='utf-8')}") from None
        yield Site(base=base)
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, launched once for the browser tests and closed after
    the last of them: Playwright's sync API keeps its event loop marked as running in the
    main thread while it is started, and a later test calling ``asyncio.run`` would fail."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium. Run "
            "scripts/ensure-chromium (make test does) or `apt-get install chromium`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Watch:
    """What the pages of one test did that they must not: requests to another host,
    uncaught errors, console errors."""

    offsite: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def guard(self, route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"} or parts.hostname == HOST:
            route.continue_()
            return
        self.offsite.append(url)
        route.abort("blockedbyclient")

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    def web_error(self, error: WebError) -> None:
        self.errors.append(f"uncaught: {error.error}")


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, site: Site) -> Iterator[NewContext]:
    """Make a browser context on the site (keyword arguments go to ``new_context``: a
    viewport, ``java_script_enabled=False``, …); afterwards, fail the test if any request
    left the host or a page reported an error."""
    watch = Watch()
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=site.base, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", watch.guard)
        context.on("console", watch.console)
        context.on("weberror", watch.web_error)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
    assert not watch.offsite, f"requests that tried to leave the host: {watch.offsite}"
    assert not watch.errors, "the pages reported errors:\n" + "\n".join(watch.errors)


@pytest.fixture
def page(new_context: NewContext) -> Page:
    """A desktop-sized page (1280 by 800 pixels) with JavaScript on."""
    return new_context().new_page()


def open_page(page: Page, path: str) -> None:
    """Go to ``path`` on the site and require a 200 answer (a missing page is a failure
    saying which, not a timeout further on)."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == 200, f"{path} answered {response.status}"


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Save ``docs/screenshots/<name>.png`` when QUELLEN_SCREENSHOTS=1: the README shows
    them, and a plain `make test` must not rewrite tracked files."""
    if os.environ.get("QUELLEN_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
