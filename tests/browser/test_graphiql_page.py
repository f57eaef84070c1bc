"""GraphiQL in a real browser, with no internet: it renders, runs a query, and keeps no credential."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import SCREENSHOTS, LiveGateway

pytestmark = pytest.mark.browser

LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}
QUERY = "query Payers { payers { id name protocol } }"

# Every CSP violation the page sees, recorded before any of its own scripts run.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def _editor_value(page: Any, selector: str) -> str:
    # CodeMirror 5 keeps its text on the wrapper element; evaluate runs outside the page's CSP.
    return str(page.eval_on_selector(selector, "element => element.CodeMirror.getValue()"))


def _replace_editor_text(page: Any, selector: str, text: str) -> None:
    page.click(f"{selector} .CodeMirror-lines")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def test_graphiql_works_offline_runs_a_query_and_stores_no_credential(
    chromium: Any, live_gateway: LiveGateway
) -> None:
    context = chromium.new_context()
    outside: list[str] = []

    def only_loopback(route: Any) -> None:
        # The clinic's locked-down network: anything not on this machine fails, and is recorded.
        if urlsplit(route.request.url).hostname in {"127.0.0.1", "localhost", "::1"}:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_loopback)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in {"error", "warning"} else None
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    page.goto(f"{live_gateway.url}/graphql", wait_until="networkidle")
    page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=15_000)

    _replace_editor_text(page, ".graphiql-query-editor", QUERY)
    page.click("button:has-text('Headers')")
    headers = json.dumps({"Authorization": f"Bearer {live_gateway.key}"})
    _replace_editor_text(page, ".graphiql-editor-tool .graphiql-editor:not(.hidden)", headers)
    page.click(".graphiql-execute-button")
    page.wait_for_function(
        "() => document.querySelector('.result-window .CodeMirror')"
        "?.CodeMirror.getValue().includes('\"payers\"')",
        timeout=15_000,
    )
    result = json.loads(_editor_value(page, ".result-window .CodeMirror"))
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "graphiql.png"))

    assert "errors" not in result, result
    assert {payer["id"] for payer in result["data"]["payers"]} == set(live_gateway.payer_ids)
    assert outside == [], "the page tried to reach the internet"
    assert failed == [] and problems == [], (failed, problems)
    assert page.evaluate("window.__violations") == []
    # Nothing typed (the key, the query) reaches the address bar or the browser's storage.
    assert urlsplit(page.url).query == "" and urlsplit(page.url).fragment == ""
    stored = page.evaluate("JSON.stringify([{...localStorage}, {...sessionStorage}])")
    assert stored == "[{},{}]", stored
    assert context.cookies() == []

    # Subscriptions: the policy's connect-src 'self' lets the page open its WebSocket to the gateway.
    opened = page.evaluate(
        """() => new Promise((resolve) => {
            const url = location.origin.replace(/^http/, "ws") + location.pathname;
            const socket = new WebSocket(url, "graphql-transport-ws");
            socket.onopen = () => { socket.close(); resolve("open"); };
            socket.onerror = () => resolve("error");
        })"""
    )
    assert opened == "open" and page.evaluate("window.__violations") == []

    # A reload (or the next person at this computer) finds the headers editor empty.
    page.reload(wait_until="networkidle")
    page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=15_000)
    page.click("button:has-text('Headers')")
    assert live_gateway.key not in page.content()
    context.close()
