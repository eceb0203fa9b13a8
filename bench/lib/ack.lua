-- bench/lib/ack.lua - wrk script for bench/nodes.sh's acknowledgements.
--
--   BENCH_PAIRS_FILE=pairs.txt wrk -t1 -c8 -d10s -s bench/lib/ack.lua URL
--
-- Every request is POST /api/v1/advisories/{id}/ack by a recipient
-- organisation's liaison: the lines of BENCH_PAIRS_FILE are "TOKEN
-- ADVISORY_ID", each used once, in order (one thread: -t1). response()
-- counts first acknowledgements (200 with "already":false), repeated ones
-- (200 with "already":true: the file ran out and wrapped round, which the
-- driver refuses) and other answers. done() prints one line
--   ACKS new_200=N already=N other=N responses=N duration_s=S
--        new_per_s=R statuses=CODE:COUNT,...

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

local pairs_ = {}
local next_ = 0

function init(args)
    local path = os.getenv("BENCH_PAIRS_FILE")
    assert(path, "BENCH_PAIRS_FILE is not set")
    for line in io.lines(path) do
        local tok, adv = line:match("^(ist_%S+) (%S+)$")
        if tok then
            pairs_[#pairs_ + 1] = {tok, adv}
        end
    end
    assert(#pairs_ > 0, "no pair in " .. path)
    nnew, nalready, nother = 0, 0, 0
    other_codes = ""
    codes = {}
end

function request()
    next_ = next_ + 1
    local p = pairs_[((next_ - 1) % #pairs_) + 1]
    return wrk.format("POST", "/api/v1/advisories/" .. p[2] .. "/ack", {
        ["Authorization"] = "Bearer " .. p[1],
    })
end

function response(status, headers, body)
    if status == 200 and body:find('"already":false', 1, true) then
        nnew = nnew + 1
        return
    end
    if status == 200 then
        nalready = nalready + 1
        return
    end
    nother = nother + 1
    codes[status] = (codes[status] or 0) + 1
    local s = ""
    for k, v in pairs(codes) do
        s = s .. k .. ":" .. v .. ","
    end
    other_codes = s
end

function done(summary, latency, requests)
    local new, already, other, codes = 0, 0, 0, ""
    for _, t in ipairs(threads) do
        new = new + t:get("nnew")
        already = already + t:get("nalready")
        other = other + t:get("nother")
        codes = codes .. t:get("other_codes")
    end
    local secs = summary.duration / 1e6
    io.write(string.format(
        "ACKS new_200=%d already=%d other=%d responses=%d duration_s=%.3f " ..
        "new_per_s=%.1f statuses=%s\n",
        new, already, other, summary.requests, secs, new / secs,
        codes == "" and "none" or codes))
end
