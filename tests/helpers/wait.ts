/** Waiting on a condition with a bounded deadline, for tests that must wait for another party. */

/** Resolves once `condition()` is true; throws after `timeoutMs`. Checks every few milliseconds. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(5);
  }
}
