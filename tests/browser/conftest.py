"""Fixtures for the browser tests: the built site, a local server, headless Debian Chromium.

Every request a page makes is routed: anything that is not 127.0.0.1 is aborted and fails the test
(Playwright does not see AudioWorklet module fetches; host resolution is switched off for those).
Test pages live in ``tests/browser/pages/`` and are served under ``/tests/``; each exposes an async
function on ``window`` that returns ``{ok, ...}`` (see ``pages/common.js``).
"""
import os
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parent / "pages"
sys.path.insert(0, str(ROOT))
import build  # noqa: E402  (build.py: site layout, server, Chromium path)

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required", "--mute-audio",
    # Belt and braces for the routing below, which cannot see AudioWorklet module fetches:
    # no host name resolves, so nothing but 127.0.0.1 is reachable at all.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]



def pytest_collection_modifyitems(items):
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def site():
    """build/site/, rebuilt once per session unless build.py test has just built it."""
    if not os.environ.get("PERCEPNET_SITE_BUILT") or not (build.SITE / "manifest.json").exists():
        build.build_site()
    return build.SITE


@pytest.fixture(scope="session")
def server(site):
    """Base URL of the site (isolated); ``base + 'plain/'`` serves it without COOP/COEP."""
    srv = build.make_server(site, 0, mounts={"/tests/": PAGES})
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}/"
    srv.shutdown()


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        yield pw


def launch(playwright, extra_args=()):
    """Headless Debian Chromium (never a downloaded browser)."""
    if not build.CHROMIUM.exists():
        pytest.fail(f"{build.CHROMIUM} missing: run `python3 build.py test` (installs Debian chromium)")
    return playwright.chromium.launch(executable_path=str(build.CHROMIUM), args=CHROMIUM_ARGS + list(extra_args),
                                      headless=True)


@pytest.fixture(scope="session")
def browser(playwright):
    b = launch(playwright)
    yield b
    b.close()


class Page:
    """A Playwright page whose every request is checked to stay on 127.0.0.1."""

    def __init__(self, browser, service_workers="block"):
        self.context = browser.new_context(service_workers=service_workers)
        self.external = []
        self.routed = 0
        self.console = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    def _route(self, route):
        host = urlparse(route.request.url).hostname
        self.routed += 1
        if host == "127.0.0.1":
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def open(self, url):
        self.page.goto(url)
        self.page.wait_for_function("window.pageReady === true")

    def call(self, fn, *args, timeout_s=120):
        """Await ``window[fn](...args)`` in the page; fail with its error and console on ``ok: false``."""
        self.page.set_default_timeout(timeout_s * 1000)
        res = self.page.evaluate(f"(args) => window[{fn!r}](...args)", list(args))
        assert res["ok"], f"{fn} failed in the page:\n{res.get('error')}\nconsole:\n" + "\n".join(self.console[-30:])
        return res

    def close(self):
        self.context.close()
        assert not self.external, f"requests left 127.0.0.1: {self.external}"


@pytest.fixture
def page(browser):
    p = Page(browser)
    yield p
    p.close()
