"""Fixtures: real Chromium, and a page per test (helpers are in lab.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.lab import NAVIGATION_LIMIT_MS, record_page_errors

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update"],
        )  # fmt: skip
        yield launched
        launched.close()


# A JupyterLab round trip takes 15-20 s on an idle two-core machine, and more beside other
# jobs: every wait polls, with limits that a loaded CI machine stays within.
EXPECT_LIMIT_MS = 30_000


@pytest.fixture(scope="session", autouse=True)
def patient_expectations():
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_LIMIT_MS)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_navigation_timeout(NAVIGATION_LIMIT_MS)
    page = context.new_page()
    record_page_errors(page)
    yield page
    context.close()
