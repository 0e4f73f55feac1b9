-- claim.lua: leases up to `max` runnable jobs of a queue: highest priority first, then enqueue
-- order, only lane heads (blocked jobs are never in the ready set). Due delayed jobs are promoted
-- first, at most 1000 per call. Respects pause, the concurrency limit and the rate limit.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] queue; ARGV[3] worker id; ARGV[4] max;
-- ARGV[5] lease ms; ARGV[6] lease token (made by the caller: a re-sent claim answers the jobs
-- the first run leased); ARGV[7] now.
-- Answers the leased jobs' hashes (leased_flats).

local ids = claim_jobs(ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7]))
flush()
return leased_flats(ids)
