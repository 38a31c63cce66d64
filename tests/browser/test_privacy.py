"""The no-network guard itself works: a request off 127.0.0.1 is caught and cannot succeed."""


def test_a_request_off_localhost_is_caught_and_fails(page, server):
    page.open(server + "tests/probe.html")
    outcome = page.page.evaluate("""async () => {
        try { await fetch("http://example.com/"); return "reached"; } catch (e) { return "failed"; }
    }""")
    assert outcome == "failed"
    assert page.external == ["http://example.com/"]
    page.external.clear()                      # expected here; any other test would fail on it
