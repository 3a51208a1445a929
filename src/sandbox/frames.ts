/**
 * Worker output is a sequence of frames: a 4-byte big-endian length, then that many bytes of UTF-8 JSON. The decoder
 * never buffers more than one frame, and a frame larger than `maxFrameBytes` is refused before it is read: a worker
 * that writes 700 MB cannot grow the parent's memory or strings past the cap.
 */
export const FRAME_HEADER_BYTES = 4;

export type FrameEvent = { frame: unknown } | { error: string };

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds bytes; returns the complete frames, or an error once (after which everything is ignored). */
  push(chunk: Buffer): FrameEvent[] {
    if (this.failed) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const events: FrameEvent[] = [];
    for (;;) {
      if (this.buffered < FRAME_HEADER_BYTES) return events;
      const head = this.peek(FRAME_HEADER_BYTES);
      const length = head.readUInt32BE(0);
      if (length > this.maxFrameBytes)
        return this.fail(events, `a frame of ${length} bytes exceeds the ${this.maxFrameBytes}-byte cap`);
      if (this.buffered < FRAME_HEADER_BYTES + length) return events;
      const body = this.take(FRAME_HEADER_BYTES + length).subarray(FRAME_HEADER_BYTES);
      try {
        events.push({ frame: JSON.parse(body.toString('utf8')) });
      } catch {
        return this.fail(events, 'a frame is not JSON');
      }
    }
  }

  private fail(events: FrameEvent[], error: string): FrameEvent[] {
    this.failed = true;
    this.chunks = [];
    this.buffered = 0;
    events.push({ error });
    return events;
  }

  private peek(bytes: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= bytes) return first;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  private take(bytes: number): Buffer {
    const joined = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.chunks = joined.length > bytes ? [joined.subarray(bytes)] : [];
    this.buffered -= bytes;
    return joined.subarray(0, bytes);
  }
}

/** Source of the worker-side encoder (`encodeFrame(value)` → Buffer; `stringify` is the worker's own), kept next to the decoder. */
export const FRAME_ENCODER_SOURCE = String.raw`
const encodeFrame = (value, text) => {
  const body = Buffer.from(text ?? stringify(value), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
};
`;
