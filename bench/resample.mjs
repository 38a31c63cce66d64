// The worklet's own Resampler on a whole signal, for benchmarks in Python:
//   node bench/resample.mjs IN_RATE OUT_RATE [HALF_TAPS BETA CUTOFF] < in.f32 > out.f32
// (raw float32, mono; the optional kernel overrides Resampler's defaults), fed one 10 ms render
// quantum at a time, as the bridge feeds it. The output starts with the
// resampler's delay (Resampler.delaySeconds) and has floor(n * OUT_RATE / IN_RATE) samples.
import { readFileSync, writeSync } from "node:fs";
import { Resampler } from "../worklet/resampler.js";

const [inRate, outRate, halfTaps, beta, cutoff] = process.argv.slice(2).map(Number);
const bytes = readFileSync(0);
const x = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
const quantum = inRate / 100;
const r = new Resampler(inRate, outRate, quantum, halfTaps ? { halfTaps, beta, cutoff } : {});
const y = new Float32Array(Math.ceil((x.length * outRate) / inRate) + 2 * quantum);
let got = 0;
for (let i = 0; i + quantum <= x.length; i += quantum) got += r.process(x.subarray(i, i + quantum), quantum, y.subarray(got));
const n = Math.min(got, Math.floor((x.length * outRate) / inRate));
const out = new Uint8Array(y.buffer, 0, 4 * n);
for (let off = 0; off < out.length;) off += writeSync(1, out, off);   // a pipe may take it in parts
