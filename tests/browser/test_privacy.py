"""Privacy and storage: the no-network guard works (a request off 127.0.0.1 is caught and cannot
succeed); the library stores nothing but its Cache API cache of checked assets and of the Python
memory snapshot made on the first visit, which a second visit reads instead of downloading and
starting Python from scratch, and which is checked again on every read."""
import re


def test_a_request_off_localhost_is_caught_and_fails(page, server):
    page.open(server + "tests/probe.html")
    outcome = page.page.evaluate("""async () => {
        try { await fetch("http://example.com/"); return "reached"; } catch (e) { return "failed"; }
    }""")
    assert outcome == "failed"
    assert page.external == ["http://example.com/"]
    page.external.clear()                      # expected here; any other test would fail on it


# Loads a node (model null: the DSP alone) in the page and reports where each asset came from.
LOAD_NODE = """async () => {
    const { createPercepNetNode } = await import("/worklet/index.js");
    const ctx = new OfflineAudioContext(1, 48000, 48000);
    const node = await createPercepNetNode(ctx, { model: null, assetsURL: "/" });
    const ready = await node.ready;
    const assets = node.stats().assets;
    node.destroy();
    return { ready, assets };
}"""

# Everything a page can find stored for its origin.
STORED = """async () => {
    const out = { localStorage: localStorage.length, sessionStorage: sessionStorage.length,
                  cookie: document.cookie, indexedDB: (await indexedDB.databases()).map((d) => d.name),
                  caches: {}, opfs: [] };
    for (const name of await caches.keys()) {
        out.caches[name] = (await (await caches.open(name)).keys()).map((r) => r.url).sort();
    }
    for await (const [name] of (await navigator.storage.getDirectory()).entries()) out.opfs.push(name);
    return out;
}"""

BIG = ("pyodide.asm.wasm", "python_stdlib.zip", ".whl")
SNAPSHOT = "memory snapshot"                    # runtime.js SNAPSHOT_SOURCE: how Python started
SNAPSHOT_URL = re.compile(r"pyodide/memory-snapshot-[0-9a-f-]+\.bin$")


def split_snapshot(urls):
    """The cached URLs without the memory snapshot's, and the snapshot's (exactly one)."""
    snapshots = [u for u in urls if SNAPSHOT_URL.search(u)]
    assert len(snapshots) == 1, urls
    return [u for u in urls if u != snapshots[0]], snapshots[0]


def test_nothing_is_stored_but_the_checked_asset_cache_and_a_second_visit_reads_it(page, server):
    requests = []
    page.page.on("request", lambda r: requests.append(r.url))
    page.open(server + "tests/probe.html")
    first = page.page.evaluate(LOAD_NODE)
    assert first["ready"]["state"] == "processing", first
    downloaded = [u for u in requests if u.endswith(BIG)]
    assert len(downloaded) == 4, downloaded                # wasm, stdlib, numpy, ours: each once
    assert first["assets"].pop(SNAPSHOT) == "made"
    assert set(first["assets"].values()) == {"network"}
    stored = page.page.evaluate(STORED)
    assert page.context.cookies() == []
    checked = sorted(server + path for path in first["assets"])
    cached, _ = split_snapshot(stored["caches"].get("percepnet-wasm-assets", []))
    assert cached == checked
    assert stored == {"localStorage": 0, "sessionStorage": 0, "cookie": "", "indexedDB": [],
                      "caches": {"percepnet-wasm-assets": stored["caches"]["percepnet-wasm-assets"]},
                      "opfs": []}, stored

    # second visit: the big files come from the Cache API, checked again, and are not downloaded
    requests.clear()
    page.open(server + "tests/probe.html")
    second = page.page.evaluate(LOAD_NODE)
    assert second["ready"]["state"] == "processing"
    assert second["assets"] == {path: "cache" for path in [*first["assets"], SNAPSHOT]}
    assert not [u for u in requests if u.endswith(BIG)], requests
    assert page.page.evaluate(STORED) == stored


def test_a_damaged_cached_asset_is_detected_and_fetched_again(page, server):
    page.open(server + "tests/probe.html")
    assert page.page.evaluate(LOAD_NODE)["ready"]["state"] == "processing"
    page.page.evaluate("""async () => {
        const cache = await caches.open("percepnet-wasm-assets");
        await cache.put("/pyodide/pyodide.asm.wasm", new Response(new Uint8Array([0, 97, 115, 109])));
    }""")
    page.open(server + "tests/probe.html")
    again = page.page.evaluate(LOAD_NODE)
    assert again["ready"]["state"] == "processing"
    assert again["assets"]["pyodide/pyodide.asm.wasm"] == "network"
    assert set(v for k, v in again["assets"].items() if k != "pyodide/pyodide.asm.wasm") == {"cache"}


# Replaces the cached memory snapshot by `how`: "flipped" (one byte changed, the stored sha256 kept)
# or "foreign" (bytes Pyodide cannot restore, stored with their own correct sha256).
DAMAGE_SNAPSHOT = """async (how) => {
    const cache = await caches.open("percepnet-wasm-assets");
    const req = (await cache.keys()).find((r) => r.url.includes("/pyodide/memory-snapshot-"));
    const res = await cache.match(req);
    const bytes = new Uint8Array(await res.arrayBuffer());
    let sha = res.headers.get("X-Sha256");
    if (how === "flipped") bytes[bytes.length >> 1] ^= 1;
    else {
        bytes.fill(7);
        sha = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)),
                         (b) => b.toString(16).padStart(2, "0")).join("");
    }
    await cache.put(req, new Response(bytes, { headers: { "X-Sha256": sha } }));
}"""


def test_a_damaged_or_foreign_memory_snapshot_is_replaced_and_python_starts_anyway(page, server):
    page.open(server + "tests/probe.html")
    assert page.page.evaluate(LOAD_NODE)["assets"][SNAPSHOT] == "made"
    for how in ("flipped", "foreign"):
        page.page.evaluate(DAMAGE_SNAPSHOT, how)
        page.open(server + "tests/probe.html")
        again = page.page.evaluate(LOAD_NODE)
        assert again["ready"]["state"] == "processing", (how, again)
        assert again["assets"][SNAPSHOT] == "made", (how, again)     # not used: started from scratch
    page.open(server + "tests/probe.html")
    assert page.page.evaluate(LOAD_NODE)["assets"][SNAPSHOT] == "cache"   # the new one is good
