// AudioWorkletProcessor "percepnet-wasm-bridge": the Web Audio glue around Bridge.
//
// Audio thread: it downmixes the input to mono, hands one render quantum (128
// samples, or the context's renderSizeHint) to Bridge
// (which talks to the worker through two ringbuf.js rings), and copies the
// result to every output channel. It never imports Pyodide, never waits on
// Python and allocates nothing in process(), except one message on a state
// change (rare, off the steady-state path); a restart's new rings are made in
// the message handler, not in process().

import { RingBuffer } from "./vendor/ringbuf.js";
import { RENDER_QUANTUM } from "./constants.js";
import { Bridge, STATE } from "./bridge.js";

class PercepNetBridgeProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions;
    const quantum = o.quantum ?? RENDER_QUANTUM;         // the context's render quantum, samples
    this.quantum = quantum;
    this.mono = new Float32Array(quantum);
    this.out = new Float32Array(quantum);
    this.running = true;
    this.port.onmessage = (e) => {
      const msg = e.data;
      if (msg.type === "stop") this.running = false;
      // restart(): a new worker on new rings. Runs between two process() calls.
      if (msg.type === "rebind" && this.bridge) {
        this.bridge.rebind(new RingBuffer(msg.inSab, Float32Array), new RingBuffer(msg.outSab, Float32Array),
          msg.generation);
      }
    };
    if (o.mode === "fallback") {
      // No SharedArrayBuffer (page not cross-origin isolated): plain pass-through.
      this.bridge = null;
      this.port.postMessage({ type: "state", state: STATE.PASS_THROUGH });
      return;
    }
    this.ctrl = new Int32Array(o.ctrlSab);
    this.bridge = new Bridge({
      inRing: new RingBuffer(o.inSab, Float32Array),
      outRing: new RingBuffer(o.outSab, Float32Array),
      ctrl: this.ctrl,
      rate: sampleRate,
      offline: o.offline,
      bridgeDelay: o.bridgeDelay,
      quantum,
    });
    this.state = this.bridge.state;
    this.port.postMessage({ type: "latency", samples: this.bridge.latency, rate: sampleRate });
  }

  process(inputs, outputs) {
    const input = inputs[0];
    const mono = this.mono;
    const n = this.quantum;
    const channels = input.length;
    if (channels === 0) {
      mono.fill(0);                          // nothing connected (yet): silence in
    } else {
      const c0 = input[0];
      for (let j = 0; j < n; j++) mono[j] = c0[j];
      for (let c = 1; c < channels; c++) {
        const ch = input[c];
        for (let j = 0; j < n; j++) mono[j] += ch[j];
      }
      if (channels > 1) {
        const scale = 1 / channels;
        for (let j = 0; j < n; j++) mono[j] *= scale;
      }
    }
    let out = mono;
    if (this.bridge) {
      const starting = this.bridge.streamStart < 0;
      const state = this.bridge.process(mono, this.out);
      if (starting && this.bridge.streamStart >= 0) {
        // The worker's first input sample is this quantum's first: say when, on the context's clock.
        this.port.postMessage({ type: "stream", contextFrame: currentFrame });
      }
      out = this.out;
      if (state !== this.state) {
        this.state = state;
        this.port.postMessage({ type: "state", state });
      }
    }
    const output = outputs[0];
    for (let c = 0; c < output.length; c++) output[c].set(out);
    return this.running;
  }
}

registerProcessor("percepnet-wasm-bridge", PercepNetBridgeProcessor);
