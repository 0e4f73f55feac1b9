-- schedule-lib.lua: what the schedule scripts share (schedule-ops.ts puts it after lib.lua in front
-- of each): schedule key names (keys.ts). A run is JSON with numbers as strings (cjson would
-- round epoch milliseconds); `job` is the outcome lib.lua's job_remove keeps once the job is gone.

local function schedule_key(name) return P .. "schedule:" .. name end

