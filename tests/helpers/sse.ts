/** A small server-sent events client over fetch: reads messages one by one, with a deadline, and can hang up. */

export type SseMessage = { id: string | null; event: string | null; data: any; comment: string | null };

export class SseClient {
  private readonly controller = new AbortController();
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private buffer = "";
  private readonly decoder = new TextDecoder();
  status = 0;
  headers: Headers | null = null;

  constructor(
    private readonly url: string,
    private readonly requestHeaders: Record<string, string> = {},
  ) {}

  async open(): Promise<this> {
    const res = await fetch(this.url, { headers: { accept: "text/event-stream", ...this.requestHeaders }, signal: this.controller.signal });
    this.status = res.status;
    this.headers = res.headers;
    if (res.body) this.reader = res.body.getReader();
    return this;
  }

  /** The next message (comments included unless skipped); throws after `timeoutMs`. */
  async next(timeoutMs = 3000, skipComments = true): Promise<SseMessage> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end !== -1) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const message = parseBlock(block);
        if (message.comment !== null && skipComments) continue;
        if (message.comment === null && message.event === null && message.data === null) continue;
        return message;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw new Error(`no event within ${timeoutMs} ms`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), remaining);
      });
      try {
        const { value, done } = await Promise.race([this.reader!.read(), timeout]);
        if (done) throw new Error("the stream ended");
        this.buffer += this.decoder.decode(value, { stream: true });
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** The next `n` messages. */
  async take(n: number, timeoutMs = 3000): Promise<SseMessage[]> {
    const out: SseMessage[] = [];
    while (out.length < n) out.push(await this.next(timeoutMs));
    return out;
  }

  close(): void {
    this.controller.abort();
  }
}

function parseBlock(block: string): SseMessage {
  const message: SseMessage = { id: null, event: null, data: null, comment: null };
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) message.comment = line.slice(1).trim();
    else if (line.startsWith("id: ")) message.id = line.slice(4);
    else if (line.startsWith("event: ")) message.event = line.slice(7);
    else if (line.startsWith("data: ")) data.push(line.slice(6));
  }
  if (data.length > 0) message.data = JSON.parse(data.join("\n"));
  return message;
}
