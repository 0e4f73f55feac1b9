/** What the API says the store holds — queues with counts and config, every job, schedules, tokens, workers — to compare before and after a refused batch. */

type Get = (path: string) => Promise<any>;

/** spool's own queues are left out: its maintenance jobs run on their own schedule. */
const own = (queue: string) => queue.startsWith("spool:");

export async function storeSnapshot(get: Get) {
  const queues = (await get("/v1/queues")).queues.filter((q: any) => !own(q.name));
  const jobs: unknown[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const answer: any = await get(`/v1/jobs?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    jobs.push(...answer.jobs.filter((j: any) => !own(j.queue)));
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  const schedules = (await get("/v1/schedules")).schedules.filter((s: any) => !s.builtin);
  const tokens = (await get("/v1/tokens")).tokens;
  const workers = (await get("/v1/workers")).workers.map(({ lastSeenAt: _l, online: _o, ...w }: any) => w);
  return { queues, jobs, schedules, tokens, workers };
}
