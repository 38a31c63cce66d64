"""preload(): a worker started before the page asks for a node is taken over by the first node with
the same assets and model (no second worker, and the node says so in stats().preloaded), gives the
same output as a node that loaded its own worker, and is not shared with a later node. Without
cross-origin isolation preload() starts nothing and says why."""

# Renders the same 0.5 s through a node made after preload() and through a node that loads its own
# worker (model null: the DSP alone, deterministic); counts the workers the page made.
PRELOAD_THEN_NODES = """async () => {
    const { countWorkers, renderThrough } = await import("/tests/common.js");
    const workers = countWorkers();   // workers() -> {created, live}
    const { createPercepNetNode, preload } = await import("/worklet/index.js");
    const x = new Float32Array(24000);
    let seed = 1;
    for (let i = 0; i < x.length; i++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        x[i] = 0.3 * Math.sin(i * 0.05) + 0.05 * (seed / 2147483648 - 0.5);
    }
    const loaded = await preload({ assetsURL: "/", model: null });
    const afterPreload = workers().created;
    const out = { loaded, afterPreload, nodes: [] };
    for (let n = 0; n < 2; n++) {
        const ctx = new OfflineAudioContext(1, x.length + 8192, 48000);
        const node = await createPercepNetNode(ctx, { model: null, assetsURL: "/" });
        const ready = await node.ready;
        const { out: y } = await renderThrough(ctx, node, [x]);
        out.nodes.push({ ready, preloaded: node.stats().preloaded, created: workers().created,
                         y: Array.from(y.getChannelData(0)) });
        node.destroy();
    }
    return out;
}"""


def test_a_preloaded_worker_serves_the_next_node_with_the_same_output(page, server):
    page.open(server + "tests/probe.html")
    res = page.page.evaluate(PRELOAD_THEN_NODES)
    assert res["loaded"] == {"loaded": True, "reason": "loaded"}
    assert res["afterPreload"] == 1
    first, second = res["nodes"]
    assert first["ready"]["state"] == second["ready"]["state"] == "processing"
    assert (first["preloaded"], first["created"]) == (True, 1)      # took the preloaded worker
    assert (second["preloaded"], second["created"]) == (False, 2)   # not shared: its own worker
    assert max(abs(v) for v in first["y"]) > 0.01                     # audio came through
    assert first["y"] == second["y"]


def test_preload_without_isolation_starts_nothing(page, server):
    page.open(server + "plain/tests/probe.html")
    res = page.page.evaluate("""async () => {
        const { countWorkers } = await import("/tests/common.js");
        const workers = countWorkers();   // workers() -> {created, live}
        const { preload } = await import("/worklet/index.js");
        return { result: await preload({ assetsURL: "/" }), created: workers().created };
    }""")
    assert res == {"result": {"loaded": False,
                              "reason": "not cross-origin isolated: nodes will pass audio through"}, "created": 0}
