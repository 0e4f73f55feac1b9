-- complete.lua: completes each job leased with its token whose lease has not expired; the job
-- keeps the token that completed it, so a resent completion can be recognised. (Its leaseExp is
-- left as it was: a lease means something only while the job is active, keys.ts.)
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] now; ARGV[3] answer: "whole" (the flat job) or
-- "brief" ({id, queue, key or false, state}); then 3 per item: id, token, result JSON (opt).
-- Answers one entry per item, false where the lease was lost.

local out = complete_items(tonumber(ARGV[2]), ARGV[3], 4)
flush()
return out
