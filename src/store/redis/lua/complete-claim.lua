-- complete-claim.lua: a worker's report and its next claim in one call (DESIGN §3, finished with
-- the next claim): completes as complete.lua does (brief answers), then claims as claim.lua does.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] queue; ARGV[3] worker id; ARGV[4] max; ARGV[5] lease
-- ms; ARGV[6] lease token; ARGV[7] now; then 3 per completion: id, token, result JSON (opt).
-- Answers {completions (one entry per item, false where the lease was lost), leased jobs' hashes}.

local now = tonumber(ARGV[7])
local done = complete_items(now, "brief", 8)
local ids = claim_jobs(ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], now)
flush()
return { done, leased_flats(ids) }
