/** @jsxImportSource hono/jsx */
/** States as text with an icon and a colour, so colour is never the only signal. */
import { Icon, type IconName } from "./icons.tsx";

type Tone = "ok" | "warn" | "bad" | "info" | "idle";

const JOB_STATE: Record<string, [Tone, IconName]> = {
  waiting: ["info", "clock"],
  delayed: ["idle", "clock"],
  blocked: ["warn", "lock"],
  active: ["info", "play"],
  completed: ["ok", "ok"],
  failed: ["bad", "bad"],
  cancelled: ["idle", "stop"],
};

export function Badge({ tone, icon, children }: { tone: Tone; icon?: IconName; children: unknown }) {
  return (
    <span class={`badge s-${tone}`}>
      {icon && <Icon name={icon} />}
      {children}
    </span>
  );
}

export function StateBadge({ state }: { state: string }) {
  const [tone, icon] = JOB_STATE[state] ?? ["idle", "dot"];
  return <Badge tone={tone} icon={icon}>{state}</Badge>;
}

export function HealthBadge({ status }: { status: string }) {
  const tone: Tone = status === "healthy" ? "ok" : status === "degraded" ? "warn" : "bad";
  return <Badge tone={tone} icon={tone === "ok" ? "ok" : tone === "warn" ? "warn" : "bad"}>{status}</Badge>;
}

export function SeverityBadge({ severity }: { severity: string }) {
  const tone: Tone = severity === "critical" || severity === "error" ? "bad" : severity === "warning" ? "warn" : "info";
  return <Badge tone={tone} icon={tone === "bad" ? "bad" : "warn"}>{severity}</Badge>;
}

export function OnlineBadge({ online }: { online: boolean }) {
  return online ? <Badge tone="ok" icon="dot">online</Badge> : <Badge tone="idle" icon="stop">offline</Badge>;
}

export function PausedBadge({ paused }: { paused: boolean }) {
  return paused ? <Badge tone="warn" icon="pause">paused</Badge> : <Badge tone="ok" icon="play">running</Badge>;
}
