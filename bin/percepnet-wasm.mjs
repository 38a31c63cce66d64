#!/usr/bin/env node
// percepnet-wasm (npm package): copy the browser assets where your site serves them.
//
//   npx percepnet-wasm assets DIR     copy worklet/, pyodide/, wheels/ and manifest.json into DIR,
//                                     checking every file against the sha256 in manifest.json
//   npx percepnet-wasm verify DIR     check DIR's files against its manifest.json
//
// Then pass the URL that serves DIR as `assetsURL` (createPercepNetNode, denoiseTrack,
// PercepNetTrackProcessor). Pages that import the package unbundled (an import map onto
// node_modules/percepnet-wasm/) need no copy: the assets sit beside worklet/ in the package.

import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PARTS = ["worklet", "pyodide", "wheels", "manifest.json"];

function sha256(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Every file of `dir`'s manifest.json is there with its sha256; returns how many, throws naming the first bad one. */
function verify(dir) {
  const manifestPath = join(dir, "manifest.json");
  if (!existsSync(manifestPath)) throw new Error(`no manifest.json in ${dir}`);
  const { files } = JSON.parse(readFileSync(manifestPath, "utf8"));
  for (const [path, { sha256: want }] of Object.entries(files)) {
    const file = join(dir, path);
    if (!existsSync(file)) throw new Error(`${file} is missing (listed in manifest.json)`);
    const got = sha256(file);
    if (got !== want) throw new Error(`${file} is corrupt: sha256 ${got}, manifest.json says ${want}`);
  }
  return Object.keys(files).length;
}

function main([command, dir, ...rest]) {
  if (!["assets", "verify"].includes(command) || !dir || rest.length) {
    console.error("usage: percepnet-wasm assets DIR | percepnet-wasm verify DIR");
    return 2;
  }
  const target = resolve(dir);
  if (command === "assets") {
    verify(PACKAGE);                       // never copy a damaged install
    mkdirSync(target, { recursive: true });
    for (const part of PARTS) cpSync(join(PACKAGE, part), join(target, part), { recursive: true });
  }
  const n = verify(target);
  console.log(`${target}: ${n} files, each matching its sha256 in manifest.json`
    + (command === "assets" ? `; pass assetsURL pointing at where you serve it` : ""));
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(`percepnet-wasm: ${err.message}`);
  process.exitCode = 1;
}
