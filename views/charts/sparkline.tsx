/** @jsxImportSource hono/jsx */
/** A small line of counts over time (e.g. an error group's failures), SVG with a text alternative. */
export function Sparkline({ values, title, tone = "info" }: { values: number[]; title: string; tone?: "info" | "bad" }) {
  const W = 120;
  const H = 28;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? W / (values.length - 1) : W;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(H - 2 - (v / max) * (H - 4)).toFixed(1)}`).join(" ");
  const total = values.reduce((a, b) => a + b, 0);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={title} style="width:120px">
      <title>{title}</title>
      <desc>{`${total} in all; at most ${Math.max(0, ...values)} in one step`}</desc>
      <polyline class={`line ${tone}`} points={points} />
    </svg>
  );
}
