"""The docs page in a real browser: Debian's Chromium, headless, driven by Playwright.

Playwright's own browser download cannot work on a closed network, so the tests
launch the Chromium that Debian's ``chromium`` package installs; ``.ci/run``
installs it when it may.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import BrowserContext, Page, Request, expect, sync_playwright

from mock_server import MockConfig, create_app
from mock_server.auth import DEFAULT_ADMIN_TOKEN
from tests.serving import served

pytestmark = [pytest.mark.socket, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")

# Chromium reaches out to Google's services at start-up and in the background;
# on a closed network those attempts fail, so the flags turn them off.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

LISTED_OPERATIONS = [
    ("getServiceAccounts", "GET", "/api/admin/service-account"),
    ("createServiceAccount", "POST", "/api/admin/service-account"),
    ("updateServiceAccount", "PUT", "/api/admin/service-account/{id}"),
    ("deleteServiceAccount", "DELETE", "/api/admin/service-account/{id}"),
    ("getServiceAccountTokens", "GET", "/api/admin/service-account/{id}/token"),
    ("createServiceAccountToken", "POST", "/api/admin/service-account/{id}/token"),
    (
        "deleteServiceAccountToken",
        "DELETE",
        "/api/admin/service-account/{id}/token/{tokenId}",
    ),
]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    """Headless Chromium with a fresh profile, failing loudly when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}, which is "
            "missing. Install it with `sudo apt-get install -y chromium "
            "chromium-driver` (.ci/run does so when it runs as root or with "
            "sudo), or leave these tests out with `-m 'not browser'`.",
            pytrace=False,
        )

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "profile",
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        context.set_default_timeout(15_000)

        try:
            yield context
        finally:
            context.close()


def listed_operations(page: Page) -> list[tuple[str, str, str]]:
    """Each operation the page shows: operationId, method and path."""
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    listed = []

    # Swagger UI names each block "operations-<tag>-<operationId>".
    for operation in operations.all():
        block_id = operation.get_attribute("id") or ""
        method = operation.locator(".opblock-summary-method").inner_text()
        path = operation.locator(".opblock-summary-path").get_attribute("data-path")
        listed.append((block_id.rsplit("-", 1)[-1], method, path or ""))

    return listed


def authorize(page: Page, token: str) -> None:
    """Give ``token`` to the Authorize dialog as the ``apiKey`` scheme."""
    page.locator(".auth-wrapper button.authorize").click()
    api_key = page.locator(".auth-container").filter(has_text="apiKey")
    api_key.locator("input").fill(token)
    api_key.locator("button.authorize").click()
    api_key.locator("button.btn-done").click()


def test_the_docs_page_lists_every_operation_and_tries_one_on_the_mock(
    browser: BrowserContext,
) -> None:
    requested: list[Request] = []
    # Playwright marks each handler with an attribute, which a builtin method
    # such as list.append cannot take.
    browser.on("request", lambda call: requested.append(call))

    with served(create_app(MockConfig())) as base_url:
        page = browser.new_page()

        # Given the docs page, loaded from the mock
        page.goto(f"{base_url}/docs")
        operations = listed_operations(page)

        # When a reader authorizes and tries the listing operation
        authorize(page, DEFAULT_ADMIN_TOKEN)
        listing = page.locator("#operations-Service_Accounts-getServiceAccounts")
        listing.locator(".opblock-summary").click()
        listing.locator("button.try-out__btn").click()
        listing.locator("button.execute").click()
        live = listing.locator(".live-responses-table .response")
        expect(live.locator(".response-col_status")).to_have_text("200")
        shown = json.loads(live.locator("pre.microlight").first.inner_text())

        expected = requests.get(
            f"{base_url}/api/admin/service-account",
            headers={"Authorization": DEFAULT_ADMIN_TOKEN},
            timeout=5,
        ).json()

    # Then the page listed all seven, and the call reached the mock with the token
    assert operations == LISTED_OPERATIONS
    assert shown == expected
    assert [account["username"] for account in shown["serviceAccounts"]] == [
        "ci-pipeline",
        "release-bot",
        "metrics-dashboard",
    ]
    api_calls = [call for call in requested if "/api/" in call.url]
    assert [(call.method, call.url) for call in api_calls] == [
        ("GET", f"{base_url}/api/admin/service-account")
    ]
    assert api_calls[0].headers["authorization"] == DEFAULT_ADMIN_TOKEN
    assert {urlsplit(call.url).hostname for call in requested} == {"127.0.0.1"}
