-- record-json.lua: writes the JSON records of tokens, workers and target secrets. token-ops.ts and
-- worker-ops.ts put it in front of the scripts that rewrite one (after the Lua library, lua/lib/). cjson would write
-- a number with 14 significant digits and an empty list as {}; this keeps every digit and writes [].

-- A JSON object of `t`'s `fields`, in that order; nil and cjson.null are written as null.
local function record_json(fields, t)
  local out = {}
  for i, f in ipairs(fields) do
    local v, text = t[f], nil
    if v == nil or v == cjson.null then text = "null"
    elseif type(v) == "number" and v == math.floor(v) then text = n2s(v)
    elseif type(v) == "number" then text = string.format("%.17g", v)
    elseif type(v) == "table" and next(v) == nil then text = "[]"
    else text = cjson.encode(v) end
    out[i] = '"' .. f .. '":' .. text
  end
  return "{" .. table.concat(out, ",") .. "}"
end
