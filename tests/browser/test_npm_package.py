"""The npm package as users install it: ``npm pack`` tarball (build.py pack) installed offline into a
scratch project, then two pages that denoise in headless Chromium:

* plain: an import map onto ``node_modules/percepnet-wasm/worklet/index.js``, no bundler, default
  ``assetsURL`` (the package root carries worklet/, pyodide/, wheels/, manifest.json);
* bundled: the same page code bundled by esbuild (from npm, package-lock.json) resolving
  ``percepnet-wasm`` from node_modules, with the assets copied by ``npx percepnet-wasm assets``.

Each renders a noisy vowel offline and must equal native ``enhance`` at the node's latency
(the bound of test_offline.py, 1e-4), so the installed package runs the shipped model.
"""
import json
import os
import shutil
import subprocess
import threading

import numpy as np
import pytest

from conftest import ROOT, build
from pagetools import b64, noisy_vowel, unb64

PAGE_JS = """
import { createPercepNetNode } from "percepnet-wasm";

function b64ToF32(s) {
  const b = atob(s);
  const u = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);
  return new Float32Array(u.buffer);
}
function f32ToB64(a) {
  const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = "";
  for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000));
  return btoa(s);
}
window.renderOffline = async (x64) => {
  try {
    const x = b64ToF32(x64);
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: x.length + 4096, sampleRate: 48000 });
    const node = await createPercepNetNode(ctx, window.ASSETS ? { assetsURL: window.ASSETS } : {});
    const ready = await node.ready;
    const buf = ctx.createBuffer(1, x.length, 48000);
    buf.copyToChannel(x, 0);
    const src = ctx.createBufferSource();
    src.buffer = buf;
    src.connect(node).connect(ctx.destination);
    src.start();
    const out = await ctx.startRendering();
    const stats = node.stats();
    node.destroy();
    return { ok: true, ready, model: stats.model, latency: node.latency.samples, y: f32ToB64(out.getChannelData(0)) };
  } catch (e) {
    return { ok: false, error: String(e && e.stack ? e.stack : e) };
  }
};
window.pageReady = true;
"""
PLAIN_HTML = """<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="importmap">{"imports": {"percepnet-wasm": "/node_modules/percepnet-wasm/worklet/index.js"}}</script>
<script type="module" src="/page.js"></script>"""
BUNDLED_HTML = """<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script>window.ASSETS = "/public/percepnet/";</script>
<script type="module" src="/dist/bundle.js"></script>"""


def npm(*args, cwd):
    done = subprocess.run(["npm", *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, npm_config_audit="false", npm_config_fund="false",
                                   npm_config_update_notifier="false"))
    assert done.returncode == 0, f"npm {' '.join(args)}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def scratch(site, tmp_path_factory):
    """A user's project: the tarball installed offline, assets copied, the page bundled."""
    tarball = build.build_npm_package()
    listing = subprocess.run(["tar", "tzf", str(tarball)], capture_output=True, text=True, check=True).stdout.split()
    for path in ("package/worklet/index.js", "package/worklet/index.d.ts", "package/worklet/vendor/ringbuf.js",
                 "package/manifest.json", "package/pyodide/pyodide.asm.wasm", "package/bin/percepnet-wasm.mjs"):
        assert path in listing, path
    assert any(p.startswith("package/wheels/percepnet_wasm-") for p in listing)
    assert not any(p.endswith(".gz") for p in listing)
    root = tmp_path_factory.mktemp("user-project")
    (root / "package.json").write_text(json.dumps({"name": "user-project", "private": True, "type": "module"}))
    npm("install", "--offline", str(tarball), cwd=root)       # no dependencies: nothing to fetch
    installed = root / "node_modules" / "percepnet-wasm"
    assert json.loads((installed / "package.json").read_text()).get("private") is None
    out = subprocess.run(["npx", "--offline", "percepnet-wasm", "assets", "public/percepnet"], cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "matching its sha256" in out.stdout
    (root / "page.js").write_text(PAGE_JS)
    (root / "plain.html").write_text(PLAIN_HTML)
    (root / "bundled.html").write_text(BUNDLED_HTML)
    esbuild = ROOT / "node_modules" / "esbuild" / "bin" / "esbuild"
    done = subprocess.run([str(esbuild), "page.js", "--bundle", "--format=esm", "--outfile=dist/bundle.js"],
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "createPercepNetNode" in (root / "dist" / "bundle.js").read_text()   # the library is inside
    # A damaged copy is refused by the checker.
    bad = root / "damaged"
    shutil.copytree(root / "public" / "percepnet", bad)
    (bad / "worklet" / "node.js").write_text("// tampered\n")
    out = subprocess.run(["npx", "--offline", "percepnet-wasm", "verify", str(bad)], cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "is corrupt" in out.stderr, out.stdout + out.stderr
    return root


@pytest.fixture(scope="module")
def user_server(scratch):
    srv = build.make_server(scratch, 0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}/"
    srv.shutdown()


@pytest.mark.parametrize("kind", ["plain", "bundled"])
def test_installed_package_denoises(page, user_server, kind):
    from percepnet_wasm import Denoiser, enhance

    x = noisy_vowel(np.random.default_rng(5), seconds=1.5)
    page.open(user_server + f"{kind}.html")
    res = page.call("renderOffline", b64(x), timeout_s=240)
    assert res["ready"]["state"] == "processing", res["ready"]
    assert res["model"] == "default"
    y, L = unb64(res["y"]), res["latency"]
    ref = enhance(x, Denoiser(model="default"))
    diff = float(np.max(np.abs(y[L:L + len(x)] - ref)))
    print(json.dumps({"kind": kind, "max_abs_diff": diff}))
    assert diff <= 1e-4
