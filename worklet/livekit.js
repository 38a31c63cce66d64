// PercepNetTrackProcessor: denoiseTrack in the shape of LiveKit's TrackProcessor.

import { denoiseTrack } from "./track.js";

const VOICE_EVENTS = ["speechstart", "speechend", "noisymicrophone"];

/**
 * An audio processor with the shape of LiveKit's `TrackProcessor`, for
 * `localAudioTrack.setProcessor(new PercepNetTrackProcessor())`. Structural:
 * no dependency on livekit-client. It is an EventTarget that re-dispatches the node's
 * voice-activity events ("speechstart", "speechend", "noisymicrophone"), across restarts.
 */
export class PercepNetTrackProcessor extends EventTarget {
  constructor(options = {}) {
    super();
    this.name = "percepnet-wasm";
    this.options = options;
    this.processedTrack = undefined;
    this._session = null;
    this._forward = (e) => this.dispatchEvent(new CustomEvent(e.type, { detail: e.detail }));
  }

  /** LiveKit calls this with {kind, track, audioContext, element?}. */
  async init({ track, audioContext }) {
    this._session = await denoiseTrack(track, { ...this.options, context: audioContext });
    for (const type of VOICE_EVENTS) this._session.node.addEventListener(type, this._forward);
    this.processedTrack = this._session.track;
  }

  /** Called when the source track changes (device switch): rebuild on the new track. */
  async restart(opts) {
    await this.destroy();
    await this.init(opts);
  }

  async destroy() {
    if (this._session) {
      await this._session.stop();          // the node ends speech (speechend, interrupted) first
      for (const type of VOICE_EVENTS) this._session.node.removeEventListener(type, this._forward);
    }
    this._session = null;
    this.processedTrack = undefined;
  }

  /** The node of the current session (stats, presets), or null. */
  get node() {
    return this._session ? this._session.node : null;
  }

  /** The current node's `speaking` (false without one). */
  get speaking() {
    return this._session ? this._session.node.speaking : false;
  }
}
