-- bench/lib/c4tap_lookup.lua - wrk script for bench/c4tap_lookup.sh:
-- every request is GET /api/v1/c4tap/lookup?value=V with V a line of
-- BENCH_VALUES_FILE (URL-encoded lookup values written by c4tap_load),
-- taken in turn from a per-thread random start. done() prints
--   LOOKUP ok_200=N other=N
local values = {}
for line in io.lines(os.getenv("BENCH_VALUES_FILE")) do
    if #line > 0 then values[#values + 1] = line end
end
local threads = {}
function setup(thread)
    table.insert(threads, thread)
    thread:set("id", #threads)
end
function init(args)
    math.randomseed(id * 7919)
    pos = math.random(#values)
    ok, other = 0, 0
end
function request()
    pos = pos % #values + 1
    return wrk.format("GET", "/api/v1/c4tap/lookup?value=" .. values[pos])
end
function response(status, headers, body)
    if status == 200 then ok = ok + 1 else other = other + 1 end
end
function done(summary, latency, requests)
    local o, x = 0, 0
    for _, t in ipairs(threads) do
        o = o + t:get("ok")
        x = x + t:get("other")
    end
    io.write(string.format("LOOKUP ok_200=%d other=%d\n", o, x))
end
