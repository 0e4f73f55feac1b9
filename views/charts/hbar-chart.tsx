/** @jsxImportSource hono/jsx */
/** Horizontal bars, one per label (e.g. failures by error type), SVG with the figures as text beside each bar. */
export function HBarChart({ title, items, tone = "bad" }: { title: string; items: { label: string; value: number }[]; tone?: "ok" | "bad" | "info" }) {
  const W = 420;
  const ROW = 22;
  const LABEL = 130;
  const NUM = 44;
  const max = Math.max(1, ...items.map((i) => i.value));
  const H = Math.max(ROW, items.length * ROW);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
      <title>{title}</title>
      <desc>{items.map((i) => `${i.label}: ${i.value}`).join(", ") || "none"}</desc>
      {items.map((item, i) => (
        <g>
          <text class="label" x={LABEL - 6} y={i * ROW + 15} text-anchor="end">{item.label.length > 20 ? `${item.label.slice(0, 19)}…` : item.label}</text>
          <rect class={tone} x={LABEL} y={i * ROW + 4} height={ROW - 8} width={Math.max(1, ((W - LABEL - NUM) * item.value) / max)} />
          <text class="label" x={LABEL + ((W - LABEL - NUM) * item.value) / max + 6} y={i * ROW + 15}>{item.value}</text>
        </g>
      ))}
    </svg>
  );
}
