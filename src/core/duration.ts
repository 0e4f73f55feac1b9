/** Durations written as people write them: "500ms", "30s", "5m", "2h", "1d" (a bare number is ms). */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) return null;
  return Math.round(Number(m[1]) * UNITS[m[2] ?? "ms"]!);
}

/** Byte sizes: "1mb", "512kb", "1048576". */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2] ?? "b").toLowerCase().replace("i", "");
  const factor = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit]!;
  return Math.round(Number(m[1]) * factor);
}

const SPANS: [string, number][] = [["d", 86_400_000], ["h", 3_600_000], ["min", 60_000], ["s", 1000]];

/** A span of time as people say it, in its largest whole unit: "24 h", "90 min", "45 s", "250 ms". */
export function spanText(ms: number): string {
  const [unit, size] = SPANS.find(([, n]) => ms >= n && ms % n === 0) ?? SPANS.find(([, n]) => ms >= n * 10) ?? ["ms", 1];
  return `${Math.round(ms / size)} ${unit}`;
}
