/** Figures as the CLI prints them: shares as percents, durations in ms or s. */

export const percent = (share: number | null) => (share === null ? "-" : `${Math.round(share * 1000) / 10}%`);

export const duration = (ms: number | null) => (ms === null ? "-" : ms < 1000 ? `${ms}ms` : `${Math.round(ms / 100) / 10}s`);
