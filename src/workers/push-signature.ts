/**
 * The Spool-Signature header of push deliveries: `t=<unix seconds>,v1=<hex HMAC-SHA256>`,
 * the HMAC keyed with the queue's target secret over `<t>.<raw body>`. During a rotation
 * the header carries one v1 per secret. docs/push-targets.md shows receivers verifying it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "Spool-Signature";
/** A receiver should refuse signatures older (or newer) than this, against replays. */
export const DEFAULT_TOLERANCE_S = 300;

export function newTargetSecret(): string {
  return "whsec_" + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** The header value for `body` sent at `timestamp` (unix seconds), signed with each secret. */
export function signatureHeader(p: { secrets: string[]; timestamp: number; body: string }): string {
  return [`t=${p.timestamp}`, ...p.secrets.map((s) => `v1=${hmacHex(s, p.timestamp, p.body)}`)].join(",");
}

export type VerifyParams = {
  header: string | null | undefined;
  /** The raw request body, exactly as received. */
  body: string;
  secret: string;
  /** Unix seconds now; the signature's timestamp must lie within toleranceS of it. */
  nowS?: number;
  toleranceS?: number;
};

/** Whether the header holds a v1 signature of `body` by `secret` with a fresh timestamp. */
export function verifySignature(p: VerifyParams): boolean {
  if (!p.header) return false;
  const parts = p.header.split(",").map((kv) => kv.trim().split("=", 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isInteger(t)) return false;
  const nowS = p.nowS ?? Math.floor(Date.now() / 1000);
  if (Math.abs(nowS - t) > (p.toleranceS ?? DEFAULT_TOLERANCE_S)) return false;
  const expected = Buffer.from(hmacHex(p.secret, t, p.body));
  return parts.some(([k, v]) => k === "v1" && v !== undefined && v.length === expected.length && timingSafeEqual(Buffer.from(v), expected));
}
