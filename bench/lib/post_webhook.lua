-- bench/lib/post_webhook.lua - wrk script for bench/fanout_webhooks.sh.
--
--   BENCH_BODY_FILE=body.json wrk -t2 -c64 -d5s -s bench/lib/post_webhook.lua \
--       http://127.0.0.1:RECEIVER_PORT/hooks/op-bench-wrk
--
-- Every request is a POST of the same body (the file: one webhook body the
-- daemon sent in the warm-up fan-out, so both loads carry the same bytes)
-- with the headers the daemon sends (src/deliver/outbox.c): Content-Type,
-- X-Infrashare-Signature (a fixed value of the same length), Idempotency-Key,
-- X-Infrashare-Channel and User-Agent.

local path = os.getenv("BENCH_BODY_FILE")
assert(path, "BENCH_BODY_FILE is not set")
local f = assert(io.open(path, "rb"))
local body = f:read("*a")
f:close()
assert(#body > 0, "empty body file " .. path)

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Infrashare-Signature"] =
    "t=1795321122,v1=" .. string.rep("0", 64)
wrk.headers["Idempotency-Key"] = "Abench00000000000.op-bench-wrk.1"
wrk.headers["X-Infrashare-Channel"] = "webhook"
wrk.headers["User-Agent"] = "infrashare"
