/** CLI output: aligned tables for people, JSON for scripts. */

export type Column<T> = { header: string; value: (row: T) => unknown; align?: "right" };

/**
 * Text from the server (keys, payloads, error messages) made safe for a terminal: control
 * characters (escape sequences, carriage returns, bells) are shown as \xNN instead of acting.
 */
export function terminalSafe(text: string, keepNewlines = false): string {
  const controls = keepNewlines ? /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g : /[\u0000-\u001f\u007f-\u009f]/g;
  return text.replace(controls, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "string") return terminalSafe(value);
  return terminalSafe(typeof value === "object" ? JSON.stringify(value) : String(value));
}

export function table<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => truncate(formatCell(c.value(row)), 60)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i]!.align === "right" ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join("\n");
}

/** Key/value lines for one record. */
export function record(entries: [string, unknown][]): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)}  ${formatCell(v)}`).join("\n");
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/[ \t]+/g, " ");
  return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
}

export function print(json: boolean, data: unknown, human: () => string): void {
  console.log(json ? JSON.stringify(data, null, 2) : human());
}

/** Relative age like "3s", "5m", "2h" from an ISO time. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "-";
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (Math.abs(s) < 60) return `${s}s`;
  if (Math.abs(s) < 3600) return `${Math.round(s / 60)}m`;
  if (Math.abs(s) < 86400) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
