// AudioWorklet processor `pcm-capture`: sums its input to mono and posts Float32 blocks of
// `blockSize` samples (at the context's sample rate) to the main thread. With no input connected
// (no microphone, the WAV file ended) it posts silence, so the server's VAD sees the end of speech.

declare const sampleRate: number;
declare function registerProcessor(name: string, ctor: unknown): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor(options?: unknown);
}

interface CaptureOptions {
  processorOptions?: { blockSize?: number };
}

class PcmCapture extends AudioWorkletProcessor {
  private block: Float32Array;
  private fill = 0;
  private running = true;

  constructor(options?: CaptureOptions) {
    super(options);
    const size = options?.processorOptions?.blockSize ?? Math.round(sampleRate / 25);
    this.block = new Float32Array(size);
    this.port.onmessage = (e: MessageEvent) => {
      if (e.data === "stop") this.running = false;
    };
  }

  process(inputs: Float32Array[][]): boolean {
    const channels = inputs[0] ?? [];
    const frames = channels[0]?.length ?? 128;
    for (let i = 0; i < frames; i++) {
      let v = 0;
      for (const ch of channels) v += ch[i] ?? 0;
      if (channels.length > 1) v /= channels.length;
      this.block[this.fill++] = v;
      if (this.fill === this.block.length) {
        const out = this.block;
        // Allocate the next block before the transfer detaches this one (its length becomes 0).
        this.block = new Float32Array(out.length);
        this.port.postMessage(out, [out.buffer]);
        this.fill = 0;
      }
    }
    return this.running;
  }
}

registerProcessor("pcm-capture", PcmCapture);
