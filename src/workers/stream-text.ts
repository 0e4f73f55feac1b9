/** Reading a byte stream (a command's output, a target's answer) as text, never more of it than a bound. */

/**
 * The stream's text up to `max` bytes (whole chunks only); `overflow` when there was more. Past
 * the bound the rest is read and dropped with `drain` (a child process must be able to finish
 * writing), or the stream is cancelled (nothing more is wanted from a remote answer).
 */
export async function readCapped(stream: ReadableStream<Uint8Array>, max: number, o: { drain: boolean }): Promise<{ text: string; overflow: boolean }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let overflow = false;
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    if (size + value.length > max) {
      overflow = true;
      if (!o.drain) {
        await reader.cancel().catch(() => {});
        break;
      }
    } else {
      chunks.push(value);
    }
    size += value.length;
  }
  return { text: Buffer.concat(chunks).toString("utf8"), overflow };
}

/** The last `max` characters of the stream's text, reading it to its end. */
export async function readTail(stream: ReadableStream<Uint8Array>, max: number): Promise<string> {
  let tail = "";
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return tail;
    tail = (tail + decoder.decode(value, { stream: true })).slice(-max);
  }
}
