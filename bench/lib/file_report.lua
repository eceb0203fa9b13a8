-- bench/lib/file_report.lua - wrk script for bench/report_filing.sh.
--
--   BENCH_TOKENS_FILE=tokens.txt wrk -t2 -c16 -d10s -s bench/lib/file_report.lua URL
--
-- Every request is POST /api/v1/reports with a new report (Green, direct,
-- kind incident, detected_at = now in UTC, the title numbered per thread and
-- tagged with BENCH_RUN_TAG so that every title differs). The bearer token
-- rotates over the lines of BENCH_TOKENS_FILE that start with "ist_" (one
-- token per demo operator), so consecutive requests are filed by different
-- organisations.
-- response() counts the answers by status; done() prints one line
--   FILING created_201=N other=N s4xx=N s5xx=N responses=N duration_s=S
--          created_per_s=R statuses=CODE:COUNT,...
-- (created_per_s counts 201s only).

local threads = {}

function setup(thread)
    thread:set("thread_id", #threads + 1)
    table.insert(threads, thread)
end

local tokens = {}
local counter = 0
local run_tag = os.getenv("BENCH_RUN_TAG") or "run"

function init(args)
    local path = os.getenv("BENCH_TOKENS_FILE")
    assert(path, "BENCH_TOKENS_FILE is not set")
    for line in io.lines(path) do
        if line:match("^ist_") then
            tokens[#tokens + 1] = line
        end
    end
    assert(#tokens > 0, "no ist_ token in " .. path)
    n201, nother, n4xx, n5xx = 0, 0, 0, 0
    -- per-status counts other than 201, as "code:count," (few distinct codes)
    other_codes = ""
    codes = {}
end

function request()
    counter = counter + 1
    local tok = tokens[((counter + thread_id) % #tokens) + 1]
    local body = string.format(
        '{"title":"bench filing %s t%d-%d","kind":"incident",' ..
        '"detected_at":"%s","range":"green","route":"direct",' ..
        '"impact":{"users_affected":%d}}',
        run_tag, thread_id, counter, os.date("!%Y-%m-%dT%H:%M:%SZ"),
        100 + counter % 1000)
    return wrk.format("POST", "/api/v1/reports", {
        ["Authorization"] = "Bearer " .. tok,
        ["Content-Type"] = "application/json",
    }, body)
end

function response(status, headers, body)
    if status == 201 then
        n201 = n201 + 1
        return
    end
    nother = nother + 1
    if status >= 500 then
        n5xx = n5xx + 1
    elseif status >= 400 then
        n4xx = n4xx + 1
    end
    codes[status] = (codes[status] or 0) + 1
    local s = ""
    for k, v in pairs(codes) do
        s = s .. k .. ":" .. v .. ","
    end
    other_codes = s
end

function done(summary, latency, requests)
    local c201, other, c4, c5, codes = 0, 0, 0, 0, ""
    for _, t in ipairs(threads) do
        c201 = c201 + t:get("n201")
        other = other + t:get("nother")
        c4 = c4 + t:get("n4xx")
        c5 = c5 + t:get("n5xx")
        codes = codes .. t:get("other_codes")
    end
    local secs = summary.duration / 1e6
    io.write(string.format(
        "FILING created_201=%d other=%d s4xx=%d s5xx=%d responses=%d " ..
        "duration_s=%.3f created_per_s=%.1f statuses=%s\n",
        c201, other, c4, c5, summary.requests, secs, c201 / secs,
        codes == "" and "none" or codes))
end
