/** Raw HTTP over a loopback socket, for requests fetch would tidy up: `..` in paths, duplicate headers, HTTP/1.0, odd methods. */
import { connect } from "node:net";

export type RawAnswer = { status: number | null; headers: Record<string, string>; body: string };

/**
 * Sends `request` as written and reads until the server closes (ask for `Connection: close`)
 * or `timeoutMs` passes. A connection closed without an answer gives status null.
 */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, "127.0.0.1");
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(Buffer.concat(chunks).toString("latin1")));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on("data", (d) => chunks.push(d));
    socket.on("end", done);
    socket.on("error", done);
    socket.write(request);
  });
}

function parseAnswer(text: string): RawAnswer {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (!match) return { status: null, headers: {}, body: text };
  const split = text.indexOf("\r\n\r\n");
  const head = split < 0 ? text : text.slice(0, split);
  const headers: Record<string, string> = {};
  for (const line of head.split("\r\n").slice(1)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = split < 0 ? "" : text.slice(split + 4);
  if (headers["transfer-encoding"]?.includes("chunked")) body = unchunk(body);
  return { status: Number(match[1]), headers, body: Buffer.from(body, "latin1").toString("utf8") };
}

function unchunk(body: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const eol = body.indexOf("\r\n", at);
    if (eol < 0) return out;
    const size = parseInt(body.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += body.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}
