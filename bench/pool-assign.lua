-- wrk script for bench/pool-load.sh: POST /v1/pools/{id}/assignments with varied visitor session ids.
-- Arguments (after --): KEY POOLS_FILE NEW_PERCENT TAG
--   POOLS_FILE  one pool id per line; each request picks one at random (the session's pool for repeats)
--   NEW_PERCENT share of requests with a new session id (0-100); the rest repeat a session this thread used before
--               in the same pool (a page view of a returning visitor)
--   TAG         makes session ids unique per run
-- Prints the status counts (2xx, 409, other non-2xx, socket errors are wrk's) as "statuses: ..." lines.
local threads = {}
local counter = 1

-- PACE_MS (environment): each connection waits this many milliseconds after an answer before its next request, so
-- that a run holds a chosen rate (about connections x 1000 / (PACE_MS + latency ms) per second) instead of the most
-- the node can take; 0 or unset: no wait. The latency wrk reports excludes the wait.
local pace = tonumber(os.getenv("PACE_MS") or "0") or 0
if pace > 0 then
  function delay()
    return pace
  end
end

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  key, poolsFile, newPercent, tag = args[1], args[2], tonumber(args[3]), args[4]
  pools = {}
  for line in io.lines(poolsFile) do
    if #line > 0 then table.insert(pools, line) end
  end
  known, knownPool, n = {}, {}, 0
  ok, conflict, other = 0, 0, 0
  math.randomseed(os.time() * 1000 + tid)
  headers = {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}
end

function request()
  local sid, pool
  if #known == 0 or math.random(100) <= newPercent then
    n = n + 1
    sid = string.format("%s-%d-%d", tag, tid, n)
    pool = pools[math.random(#pools)]
    if #known < 100000 then
      table.insert(known, sid); table.insert(knownPool, pool)
    else
      local i = math.random(#known); known[i] = sid; knownPool[i] = pool
    end
  else
    local i = math.random(#known)
    sid, pool = known[i], knownPool[i]
  end
  local body = '{"session_id":"' .. sid .. '","params":{"utm_source":"bench","landing_page":"https://shop.example/p"}}'
  return wrk.format("POST", "/v1/pools/" .. pool .. "/assignments", headers, body)
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 409 then conflict = conflict + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local o, c, x = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); c = c + t:get("conflict"); x = x + t:get("other")
  end
  io.write(string.format("statuses: ok=%d conflict=%d other=%d\n", o, c, x))
  io.write(string.format("latency_us: p50=%d p99=%d p999=%d max=%d\n", latency:percentile(50),
    latency:percentile(99), latency:percentile(99.9), latency.max))
  io.write(string.format("rps: %.1f\n", summary.requests / (summary.duration / 1e6)))
end
