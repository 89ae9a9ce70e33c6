"""Real Chromium against the live server: Debian's /usr/bin/chromium driven by
the `playwright` package (no browser download). Screenshots go to
test-artifacts/ (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.tenants import PERSONAS

CHROMIUM = Path("/usr/bin/chromium")
# Every persona of tests/tenants.py signs in with this in the browser tests.
PASSWORD = "correct horse battery staple"
WIDTH, HEIGHT = 1366, 900
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, and Django then
    # refuses ORM calls here (SynchronousOnlyOperation). The tests' ORM calls
    # between browser steps are plain synchronous code, so allow them.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _attachments_dir(settings: Any, tmp_path: Path) -> None:
    settings.SUPPORTDESK_ATTACHMENTS_DIR = tmp_path / "attachments"


@pytest.fixture
def sign_in(browser: Browser, live_server: Any) -> Any:
    """A new browser context (its own cookies), signed in through the form."""
    contexts = []

    def open_as(persona: str) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": WIDTH, "height": HEIGHT},
            timezone_id="America/New_York",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(PERSONAS[persona][0])
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#signed-in-user")).to_have_text(PERSONAS[persona][1])
        return page

    yield open_as
    for context in contexts:
        context.close()


def shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
