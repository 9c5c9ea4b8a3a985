"""Real Chromium (Debian's) through Playwright, and the pages it saw."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def chromium_path() -> str | None:
    found = next((p for p in CHROMIUM_CANDIDATES if Path(p).exists()), None)
    return found or shutil.which("chromium")


@dataclass
class Visit:
    """What Chromium did while it showed one page."""

    console: list[str] = field(default_factory=list)  # "error: ..." lines
    requests: list[str] = field(default_factory=list)
    svg_sizes: list[tuple[float, float]] = field(default_factory=list)
    screenshot: Path | None = None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium. The report is only checked when a browser has drawn it, so a missing
    browser fails these tests with how to install it rather than skipping them."""
    path = chromium_path()
    reason = "Chromium is not installed (apt-get install chromium)" if path is None else ""
    if path is not None:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:  # the test extra not installed
            reason, path = f"playwright is not installed: {exc}", None
    if path is None:
        pytest.fail(f"the HTML report tests need a real browser: {reason}")
    with sync_playwright() as playwright:
        # --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
        launched = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield launched
        launched.close()


def visit(browser: Any, page_file: Path, screenshot: Path) -> Visit:
    """Open `page_file` over file://, record console messages and requests, take a screenshot."""
    seen = Visit(screenshot=screenshot)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda m: seen.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: seen.console.append(f"pageerror: {e}"))
    page.on("request", lambda r: seen.requests.append(r.url))
    page.goto(page_file.resolve().as_uri(), wait_until="load")
    seen.svg_sizes = [
        (float(w), float(h))
        for w, h in page.evaluate(
            "Array.from(document.querySelectorAll('figure svg'))"
            ".map(s => { const r = s.getBoundingClientRect(); return [r.width, r.height]; })"
        )
    ]
    page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    return seen
