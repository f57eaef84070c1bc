"""README screenshots of the portal: every screen this checkout has, at 1280x800, on the demo's data.

Starts the demo's sandbox payers and gateway (as bench/portal.py does), signs in as the practice administrator (who may open every screen) in
Chromium (Playwright, Debian's /usr/bin/chromium), opens the login page and then every page in
``gateway.web.SCREENS`` (ids taken from links on pages already seen), and saves each as
``docs/screenshots/<screen>.png``, reduced to a 256-colour palette so each stays small (< 150 kB).

    .venv/bin/python bench/portal_screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demo_servers import DemoServers
from rig import MEMORY_DIR

from tests.web.page_weight import fill_path, page_links, page_routes

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 800}
MAX_BYTES = 150_000


def screen_name(route: str) -> str:
    """``/`` -> today, ``/patients/{patient_id}`` -> patients-patient (one patient, not the list)."""
    words = [part.strip("{}").removesuffix("_id") for part in route.strip("/").split("/") if part]
    return "-".join(words) or "today"


def save_small(png: bytes, path: Path) -> int:
    """Keep the screenshot as a palette PNG (text and flat colours lose nothing visible)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    path.write_bytes(out.getvalue())
    return len(out.getvalue())


async def settle(page: Any) -> None:
    """Wait until htmx has loaded what the page asks for (badges) and nothing is in flight."""
    await page.wait_for_load_state("networkidle")
    await page.wait_for_timeout(200)


async def shoot(out: Path) -> list[tuple[str, int]]:
    import pyotp
    from playwright.async_api import async_playwright

    from gateway.web import SCREENS

    saved: list[tuple[str, int]] = []
    with tempfile.TemporaryDirectory(dir=MEMORY_DIR) as workdir:
        servers = DemoServers(0, Path(workdir))
        try:
            info = await servers.ready()
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM)
                page = await browser.new_page(viewport=VIEWPORT)

                async def capture(name: str) -> None:
                    await settle(page)
                    size = save_small(await page.screenshot(), out / f"{name}.png")
                    saved.append((name, size))

                await page.goto(f"{servers.url}/login")
                admin = info["admin"]  # the role that may open every screen
                await page.fill("#email", admin["email"])
                await capture("login")
                await page.fill("#password", info["password"])
                await page.click("button:has-text('Continue')")
                await page.wait_for_url("**/login/code")
                await page.fill("#code", pyotp.TOTP(admin["totp_secret"]).now())
                await page.click("button:has-text('Sign in')")
                await page.wait_for_url(lambda url: "/login" not in url)

                ids = {"patient_id": info["patient_id"]}
                links: list[str] = []
                pending = [r for r in page_routes(SCREENS) if r != "/login"]
                for _ in range(3):
                    unresolved = []
                    for route in pending:
                        path = fill_path(route, links, ids)
                        if path is None:
                            unresolved.append(route)
                            continue
                        answer = await page.goto(f"{servers.url}{path}")
                        if answer is None or answer.status == 404:
                            continue  # not in this checkout
                        links += page_links(await page.content())
                        await capture(screen_name(route))
                    pending = unresolved
                await browser.close()
        finally:
            servers.stop()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    saved = asyncio.run(shoot(args.out))
    for name, size in saved:
        flag = "" if size < MAX_BYTES else "  over 150 kB"
        print(f"{args.out / (name + '.png')}  {size:>7} bytes{flag}")
    if any(size >= MAX_BYTES for _, size in saved):
        sys.exit(1)


if __name__ == "__main__":
    main()
