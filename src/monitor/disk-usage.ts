/** How full the data folder's volume is, as ok, warning (> 80 %) or critical (> 90 %). */
import { statfsSync } from "node:fs";

export type DiskStatus = "ok" | "warning" | "critical";

export type DiskThresholds = { warningPercent: number; criticalPercent: number };
export const DEFAULT_DISK_THRESHOLDS: DiskThresholds = { warningPercent: 80, criticalPercent: 90 };

export type DiskCheckResult = {
  path: string;
  totalBytes: number;
  usedBytes: number;
  /** Bytes available to spool (the filesystem may reserve more for root). */
  freeBytes: number;
  /** Used share of what is usable, as `df` reports it, to one decimal. */
  usedPercent: number;
  status: DiskStatus;
  thresholds: DiskThresholds;
  checkedAt: number;
};

export function diskStatus(usedPercent: number, t: DiskThresholds = DEFAULT_DISK_THRESHOLDS): DiskStatus {
  if (usedPercent > t.criticalPercent) return "critical";
  if (usedPercent > t.warningPercent) return "warning";
  return "ok";
}

/** Measures the volume holding `path` (statfs). */
export function diskUsage(path: string, now: number, thresholds: DiskThresholds = DEFAULT_DISK_THRESHOLDS): DiskCheckResult {
  const fs = statfsSync(path);
  const totalBytes = fs.blocks * fs.bsize;
  const usedBytes = (fs.blocks - fs.bfree) * fs.bsize;
  const freeBytes = fs.bavail * fs.bsize;
  const usable = usedBytes + freeBytes;
  const usedPercent = usable === 0 ? 0 : Math.round((usedBytes / usable) * 1000) / 10;
  return { path, totalBytes, usedBytes, freeBytes, usedPercent, status: diskStatus(usedPercent, thresholds), thresholds, checkedAt: now };
}
