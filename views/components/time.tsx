/** @jsxImportSource hono/jsx */
/** Times as relative text ("3 min ago") with the exact ISO time on hover; the page keeps the text current. */
import { iso } from "../../src/core/iso-time.ts";
import { useUi } from "../ui-context.ts";

const UNITS: [string, number][] = [["d", 86_400_000], ["h", 3_600_000], ["min", 60_000], ["s", 1000]];

export function relative(ms: number, now: number): string {
  const diff = now - ms;
  const abs = Math.abs(diff);
  if (abs < 5000) return "just now";
  const [unit, size] = UNITS.find(([, n]) => abs >= n)!;
  const n = Math.floor(abs / size);
  return diff < 0 ? `in ${n} ${unit}` : `${n} ${unit} ago`;
}

export function Ago({ ms, empty = "—" }: { ms: number | null | undefined; empty?: string }) {
  const { now } = useUi();
  if (ms === null || ms === undefined) return <span class="muted">{empty}</span>;
  const exact = iso(ms);
  return <time datetime={exact} title={exact} data-rel>{relative(ms, now)}</time>;
}

/** A duration in ms as short text: 850 ms, 2.4 s, 3 min, 1.5 h. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/** Thousands separated, so counts read at a glance. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
