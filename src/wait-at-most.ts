/** Waiting for something that may never come: bounded by a time, and cut short by an abort. */

/** Waits for `work`, but no longer than `ms`, and not at all once `cut` has aborted. */
export async function waitAtMost(work: Promise<unknown>, ms: number, cut?: AbortSignal): Promise<void> {
  if (cut?.aborted) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onCut = () => {};
  await Promise.race([
    work,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      onCut = resolve;
      cut?.addEventListener("abort", onCut, { once: true });
    }),
  ]);
  clearTimeout(timer);
  cut?.removeEventListener("abort", onCut);
}
