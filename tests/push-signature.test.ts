/** The Spool-Signature header: what a receiver checks, including replay protection by timestamp and rotation. */
import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { signingSecrets } from "../src/workers/push-dispatcher.ts";
import { retryAfterMs } from "../src/workers/push-delivery.ts";
import { newTargetSecret, signatureHeader, verifySignature } from "../src/workers/push-signature.ts";

const body = JSON.stringify({ id: "42", queue: "hooks", payload: { n: 1 } });
const secret = newTargetSecret();
const t = 1_767_225_600;

describe("signatures", () => {
  test("the header is t=<seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'>", () => {
    const header = signatureHeader({ secrets: [secret], timestamp: t, body });
    const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
    expect(header).toBe(`t=${t},v1=${expected}`);
  });

  test("a receiver accepts a fresh, untampered delivery", () => {
    const header = signatureHeader({ secrets: [secret], timestamp: t, body });
    expect(verifySignature({ header, body, secret, nowS: t + 10 })).toBe(true);
  });

  test("a changed body, another secret or a missing header is refused", () => {
    const header = signatureHeader({ secrets: [secret], timestamp: t, body });
    expect(verifySignature({ header, body: body.replace("1", "2"), secret, nowS: t })).toBe(false);
    expect(verifySignature({ header, body, secret: newTargetSecret(), nowS: t })).toBe(false);
    expect(verifySignature({ header: null, body, secret, nowS: t })).toBe(false);
    expect(verifySignature({ header: "v1=abc", body, secret, nowS: t })).toBe(false);
  });

  test("a replay outside the tolerance (5 minutes by default) is refused, and so is a changed timestamp", () => {
    const header = signatureHeader({ secrets: [secret], timestamp: t, body });
    expect(verifySignature({ header, body, secret, nowS: t + 301 })).toBe(false);
    expect(verifySignature({ header, body, secret, nowS: t + 301, toleranceS: 600 })).toBe(true);
    expect(verifySignature({ header: header.replace(`t=${t}`, `t=${t + 300}`), body, secret, nowS: t + 300 })).toBe(false);
  });

  test("during a rotation the header carries one v1 per secret, and either secret verifies", () => {
    const previous = newTargetSecret();
    const header = signatureHeader({ secrets: [secret, previous], timestamp: t, body });
    expect(header.split(",").filter((p) => p.startsWith("v1="))).toHaveLength(2);
    expect(verifySignature({ header, body, secret, nowS: t })).toBe(true);
    expect(verifySignature({ header, body, secret: previous, nowS: t })).toBe(true);
  });

  test("the previous secret signs for 24 h after a rotation", () => {
    const s = { queue: "q", secret: "new", previousSecret: "old", rotatedAt: 1000, createdAt: 0 };
    expect(signingSecrets(s, 1000 + 3_600_000)).toEqual(["new", "old"]);
    expect(signingSecrets(s, 1000 + 24 * 3_600_000)).toEqual(["new"]);
    expect(signingSecrets({ ...s, previousSecret: null, rotatedAt: null }, 1000)).toEqual(["new"]);
  });
});

describe("Retry-After", () => {
  test("seconds or an HTTP date, never negative, at most a day", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs("7", now)).toBe(7000);
    expect(retryAfterMs("Thu, 01 Jan 2026 00:01:00 GMT", now)).toBe(60_000);
    expect(retryAfterMs("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("999999", now)).toBe(86_400_000);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});
