"""(f) The demo page: its main controls are there and it processes audio; a screenshot is kept.

The screenshot is written to build/test-artifacts/demo.png (not committed).
"""
import numpy as np
import soundfile as sf

import build
from pagetools import TOTAL_LATENCY_ALIGNED, noisy_vowel


def test_demo_page_shows_controls_and_processes_the_example(page, server, tmp_path):
    p = page.page
    p.set_viewport_size({"width": 1280, "height": 900})
    p.goto(server)
    for sel in ["#play-example", "#use-mic", "#upload", "#before", "#after", "#preset", "#attenuation",
                "#spec-before", "#spec-after", "#stats", "#state"]:
        assert p.locator(sel).count() == 1, f"{sel} missing"
    assert p.evaluate("crossOriginIsolated") is True
    p.click("#play-example")
    p.wait_for_function("document.querySelector('#state').classList.contains('processing')", timeout=120_000)
    p.wait_for_function("window.demo.node.stats().frames > 150", timeout=60_000)   # 1.5 s of audio
    # the example is speech: the voice-activity events reach the log and the stats
    p.wait_for_function("document.querySelector('#log').textContent.includes('speech started')", timeout=30_000)
    assert "speaking" in p.text_content("#stat-vad")
    p.select_option("#preset", "conservative")
    assert p.input_value("#attenuation") == "12"
    p.check("#before")
    p.wait_for_timeout(700)
    stats = p.evaluate("window.demo.node.stats()")
    assert stats["state"] == "processing"
    latency_ms = stats["latency"]["ms"]
    # the demo makes its context with createAudioContext (render quanta of one frame at the
    # device's rate: 441 samples at headless Chromium's 44.1 kHz), so the smallest bridge delay
    assert stats["latency"]["quantum"] == p.evaluate("window.demo.context.sampleRate") / 100
    assert stats["latency"]["samples"] == TOTAL_LATENCY_ALIGNED
    assert TOTAL_LATENCY_ALIGNED / 48 <= latency_ms < TOTAL_LATENCY_ALIGNED / 48 + 3   # plus resampling (2.9 ms at 44.1 kHz)
    assert f"{latency_ms:.1f} ms" in p.text_content("#stat-latency")
    out = build.ROOT / "build" / "test-artifacts"
    out.mkdir(parents=True, exist_ok=True)
    png = p.screenshot(path=str(out / "demo.png"), full_page=True)
    assert len(png) > 20_000                          # not a blank page
    for sel in ["#play-example", "#use-mic", "#attenuation", "#preset", "#spec-after", "#stats"]:
        assert p.locator(sel).is_visible(), f"{sel} not visible"
    assert page.routed > 10 and not page.external    # every request went through the route, none left

    # an uploaded file replaces the example
    wav = tmp_path / "upload.wav"
    sf.write(wav, noisy_vowel(np.random.default_rng(2), seconds=1.0, sr=44100), 44100)
    p.set_input_files("#upload", str(wav))
    p.wait_for_function("document.querySelector('#source-info').textContent.includes('upload.wav')")
    errors = [m for m in page.console if m.startswith(("error", "pageerror"))]
    assert not errors, errors


def test_demo_from_static_hosting_gets_isolation_from_the_service_worker(browser, server):
    """Served with no COOP/COEP (as by a static host), the page's coi-serviceworker adds the headers,
    reloads once, and the node then processes instead of falling back."""
    from conftest import Page
    page = Page(browser, service_workers="allow")
    try:
        p = page.page
        p.goto(server + "plain/")
        p.wait_for_function("window.crossOriginIsolated === true", timeout=30_000)   # after its reload
        p.click("#play-example")
        p.wait_for_function("document.querySelector('#state').classList.contains('processing')", timeout=120_000)
        assert p.evaluate("window.demo.node.state") == "processing"
    finally:
        page.close()
