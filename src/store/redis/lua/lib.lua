-- lib.lua: shared mechanics in front of every script (see scripts.ts). Job state changes go through
-- here so each keeps its indexes, counts, lane and event in step with it.
local P = ARGV[1]
