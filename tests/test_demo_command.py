"""The README's demo command really starts sandboxes + gateway and answers the printed example."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _read_banner(process: subprocess.Popen[str], deadline: float) -> str:
    banner = ""
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        banner += line
        if "Press Ctrl+C to stop." in line:
            return banner
    raise AssertionError(f"demo did not print its banner in time:\n{banner}")


def test_demo_starts_and_answers_the_printed_queries(tmp_path: Path) -> None:
    port = _free_port()
    command = Path(sys.executable).with_name("payer-gateway")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYER_GATEWAY_")}
    process = subprocess.Popen(
        [str(command), "demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # The demo first replays months of claim history through the sandboxes (gateway/demo_history.py).
        banner = _read_banner(process, time.monotonic() + 240)
        url = re.search(r"GraphiQL:\s+(\S+)", banner).group(1)  # type: ignore[union-attr]
        key = re.search(r"API key:\s+(\S+)", banner).group(1)  # type: ignore[union-attr]
        patient_id = re.search(r'"id": "([0-9a-f-]{36})"', banner).group(1)  # type: ignore[union-attr]
        assert url == f"http://127.0.0.1:{port}/graphql"
        assert (tmp_path / "payer-gateway-demo.db").exists()

        page = httpx.get(url, headers={"Accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
        # The demo turns GraphiQL on, served from the gateway itself under its page policy.
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        script = re.search(r'<script src="(/static/graphiql/[^"]+\.js)"', page.text).group(1)  # type: ignore[union-attr]
        assert httpx.get(url.removesuffix("/graphql") + script).status_code == 200

        curl = re.search(r"-d '(\{.*\})'", banner).group(1)  # type: ignore[union-attr]
        listed = httpx.post(
            url, json=json.loads(curl), headers={"Authorization": f"Bearer {key}"}
        ).json()
        assert len(listed["data"]["payers"]) >= 3
        assert listed["data"]["patients"]["edges"]

        query = (
            banner.split("Patient summary query", 1)[1]
            .split("\n", 1)[1]
            .rsplit("Press Ctrl+C", 1)[0]
        )
        summary = httpx.post(
            url,
            json={"query": query, "variables": {"id": patient_id}},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        ).json()
        assert "errors" not in summary, summary.get("errors")
        patient = summary["data"]["patient"]
        assert len(patient["coverages"]) >= 2
        assert len(patient["eligibility"]) == len(patient["coverages"])
        assert all(item["active"] for item in patient["eligibility"])
        assert any(item["benefits"] for item in patient["eligibility"])

        # The demo lets webhooks reach a receiver on this machine; nothing else inside.
        register = "mutation($url: String!) { registerWebhook(input: {url: $url, events: [CLAIM_REMITTANCE]}) { errors { code } } }"
        codes = {
            hook: httpx.post(
                url,
                json={"query": register, "variables": {"url": hook}},
                headers={"Authorization": f"Bearer {key}"},
            ).json()["data"]["registerWebhook"]["errors"]
            for hook in ("http://127.0.0.1:9/hooks", "http://169.254.169.254/latest/meta-data/")
        }
        assert codes == {
            "http://127.0.0.1:9/hooks": [],
            "http://169.254.169.254/latest/meta-data/": [{"code": "ADDRESS_NOT_ALLOWED"}],
        }
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        finally:
            if process.stdout is not None:
                process.stdout.close()
