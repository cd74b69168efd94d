-- wrk script: POST the verify body read from the file named by BODY
-- (default verify-body.json) as JSON.
--   BODY=/tmp/verify-body.json wrk -t2 -c32 -d10s -s internal/api/testdata/loadtest.lua --latency http://127.0.0.1:8089/api/vc/credentials/verify
local f = assert(io.open(os.getenv("BODY") or "verify-body.json", "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
