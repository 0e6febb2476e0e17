/*
 * The text is built in pieces of about 16 KB: one string of the whole exposition (190 KB for
 * api-gateway) is a large object for V8, in pages of its own, and writing it out cost about twice as
 * much as writing the same text in pieces (docs/performance.md).
 */
const CHUNK_CHARS = 16 * 1024;

export class ChunkedText {
  private readonly chunks: string[] = [];
  private current = '';
  private chars = 0;

  append(text: string): void {
    this.current += text;
    if (this.current.length >= CHUNK_CHARS) this.endChunk();
  }

  /**
   * The text as UTF-8, written through `scratch` (reused between calls, grown when too small; the
   * writing is synchronous, so no two calls share it at once) and copied out: counting the UTF-8 bytes
   * of a piece built by `+=` first cost three times the writing.
   */
  toBuffer(scratch: { bytes: Buffer }): Buffer {
    if (this.current !== '') this.endChunk();
    // UTF-8 takes at most three bytes per UTF-16 code unit (four per surrogate pair of two units).
    const maxBytes = this.chars * 3;
    if (scratch.bytes.length < maxBytes) scratch.bytes = Buffer.allocUnsafe(maxBytes);
    let offset = 0;
    for (const chunk of this.chunks) offset += scratch.bytes.write(chunk, offset);
    return Buffer.from(scratch.bytes.subarray(0, offset));
  }

  private endChunk(): void {
    this.chunks.push(this.current);
    this.chars += this.current.length;
    this.current = '';
  }
}
