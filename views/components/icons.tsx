/** @jsxImportSource hono/jsx */
/** Small inline SVG icons (no icon font, nothing fetched); each is decorative beside its text. */
import type { Child } from "hono/jsx";

const paths: Record<string, Child> = {
  ok: <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" stroke-width="2" />,
  bad: <path d="M4 4l8 8M12 4l-8 8" fill="none" stroke="currentColor" stroke-width="2" />,
  warn: <path d="M8 2l7 12H1zM8 6v4M8 11.5v1" fill="none" stroke="currentColor" stroke-width="1.6" />,
  clock: <g fill="none" stroke="currentColor" stroke-width="1.6"><circle cx="8" cy="8" r="6" /><path d="M8 4.5V8l2.5 1.5" /></g>,
  play: <path d="M5 3l8 5-8 5z" fill="currentColor" />,
  pause: <path d="M4 3h3v10H4zM9 3h3v10H9z" fill="currentColor" />,
  lock: <g fill="none" stroke="currentColor" stroke-width="1.6"><rect x="3" y="7" width="10" height="7" rx="1" /><path d="M5 7V5a3 3 0 0 1 6 0v2" /></g>,
  dot: <circle cx="8" cy="8" r="4" fill="currentColor" />,
  stop: <rect x="4" y="4" width="8" height="8" fill="currentColor" />,
};

export type IconName = keyof typeof paths;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      {paths[name]}
    </svg>
  );
}

export function Logo() {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="#2f5bd3" />
      <circle cx="16" cy="16" r="9" fill="none" stroke="#fff" stroke-width="3" />
      <circle cx="16" cy="16" r="3.5" fill="#fff" />
    </svg>
  );
}
