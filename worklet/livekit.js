// PercepNetTrackProcessor: denoiseTrack in the shape of LiveKit's TrackProcessor.

import { denoiseTrack } from "./track.js";

/**
 * An audio processor with the shape of LiveKit's `TrackProcessor`, for
 * `localAudioTrack.setProcessor(new PercepNetTrackProcessor())`. Structural:
 * no dependency on livekit-client.
 */
export class PercepNetTrackProcessor {
  constructor(options = {}) {
    this.name = "percepnet-wasm";
    this.options = options;
    this.processedTrack = undefined;
    this._session = null;
  }

  /** LiveKit calls this with {kind, track, audioContext, element?}. */
  async init({ track, audioContext }) {
    this._session = await denoiseTrack(track, { ...this.options, context: audioContext });
    this.processedTrack = this._session.track;
  }

  /** Called when the source track changes (device switch): rebuild on the new track. */
  async restart(opts) {
    await this.destroy();
    await this.init(opts);
  }

  async destroy() {
    if (this._session) await this._session.stop();
    this._session = null;
    this.processedTrack = undefined;
  }

  /** The node of the current session (stats, presets), or null. */
  get node() {
    return this._session ? this._session.node : null;
  }
}
