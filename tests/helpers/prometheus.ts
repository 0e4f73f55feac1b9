/** A strict reader of the Prometheus text exposition format (0.0.4): throws on anything a scraper would refuse. */

export type Sample = { name: string; labels: Record<string, string>; value: number };
export type Family = { name: string; type: string; help: string; samples: Sample[] };

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseValue(text: string, line: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value "${text}" in: ${line}`);
  return Number(text);
}

/** Reads `name{a="x",b="y"} value` with escapes in label values. */
function parseSample(line: string): Sample {
  const m = /^([^{\s]+)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/.exec(line);
  if (!m) throw new Error(`bad sample line: ${line}`);
  const name = m[1]!;
  if (!METRIC.test(name)) throw new Error(`bad metric name "${name}"`);
  const labels: Record<string, string> = {};
  let rest = m[3] ?? "";
  while (rest.length > 0) {
    const lm = /^([^=]+)="((?:[^"\\]|\\.)*)"(,|$)/.exec(rest);
    if (!lm) throw new Error(`bad labels in: ${line}`);
    const label = lm[1]!;
    if (!LABEL.test(label)) throw new Error(`bad label name "${label}" in: ${line}`);
    if (label in labels) throw new Error(`label ${label} repeated in: ${line}`);
    for (const esc of lm[2]!.matchAll(/\\(.)/g)) if (!["\\", '"', "n"].includes(esc[1]!)) throw new Error(`bad escape in: ${line}`);
    labels[label] = lm[2]!.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    rest = rest.slice(lm[0].length);
  }
  return { name, labels, value: parseValue(m[4]!, line) };
}

/** Which family a sample belongs to (histograms and summaries add suffixes). */
function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  if (families.has(sample)) return families.get(sample);
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    const base = sample.endsWith(suffix) ? sample.slice(0, -suffix.length) : null;
    const f = base === null ? undefined : families.get(base);
    if (f && (f.type === "histogram" || (f.type === "summary" && suffix !== "_bucket"))) return f;
  }
  return undefined;
}

function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}_bucket without le`);
      entry.buckets.push([parseValue(le, s.name), s.value]);
    } else if (s.name === `${f.name}_count`) entry.count = s.value;
    else entry.sum = s.value;
  }
  for (const [key, e] of series) {
    const sorted = [...e.buckets].sort((a, b) => a[0] - b[0]);
    if (sorted.at(-1)?.[0] !== Infinity) throw new Error(`${f.name}${key}: no le="+Inf" bucket`);
    sorted.forEach(([, v], i) => {
      if (i > 0 && v < sorted[i - 1]![1]) throw new Error(`${f.name}${key}: buckets are not cumulative`);
    });
    if (e.count !== sorted.at(-1)![1]) throw new Error(`${f.name}${key}: _count differs from the +Inf bucket`);
    if (e.sum === undefined) throw new Error(`${f.name}${key}: no _sum`);
  }
}

export function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let current: Family | null = null;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, "HELP" | "TYPE", string, string];
      if (!METRIC.test(name)) throw new Error(`bad metric name "${name}"`);
      const f: Family = families.get(name) ?? { name, type: "untyped", help: "", samples: [] };
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) throw new Error(`bad type "${rest}" for ${name}`);
        if (f.samples.length > 0 || seen.has(`type:${name}`)) throw new Error(`TYPE of ${name} repeated or after its samples`);
        seen.add(`type:${name}`);
        f.type = rest;
      } else {
        if (seen.has(`help:${name}`)) throw new Error(`HELP of ${name} repeated`);
        seen.add(`help:${name}`);
        f.help = rest;
      }
      families.set(name, f);
      current = f;
      continue;
    }
    if (line.startsWith("#")) continue;
    const sample = parseSample(line);
    const f = familyOf(sample.name, families);
    if (!f) throw new Error(`sample ${sample.name} has no TYPE`);
    if (f !== current) throw new Error(`samples of ${f.name} are not grouped together`);
    const id = sample.name + JSON.stringify(Object.entries(sample.labels).sort());
    if (seen.has(id)) throw new Error(`duplicate sample ${id}`);
    seen.add(id);
    if (f.type === "counter" && !(sample.value >= 0)) throw new Error(`counter ${sample.name} is negative`);
    f.samples.push(sample);
  }
  for (const f of families.values()) if (f.type === "histogram") checkHistogram(f);
  return families;
}

/** The value of one sample, by name and labels (every label must match). */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length) {
        return s.value;
      }
    }
  }
  return undefined;
}
