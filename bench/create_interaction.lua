-- wrk script: POST /api/interactions (a queued email) as fast as the server acknowledges.
-- Every 2xx means the interaction was committed (fsynced) before the reply.
--   wrk -t2 -c32 -d10s --latency -s bench/create_interaction.lua http://HOST:PORT/api/interactions
-- Environment: SB_TOKEN (bearer token, required), SB_QUEUE (queue id, required).
-- At the end it prints "created_2xx N" (the 2xx replies wrk read, summed over threads).

local token = os.getenv("SB_TOKEN")
local queue = os.getenv("SB_QUEUE")
if not token or not queue then
  error("set SB_TOKEN and SB_QUEUE")
end

wrk.method = "POST"
wrk.body = '{"channel":"email","queue":' .. queue .. ',"subject":"wrk"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  bad = 0
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    bad = bad + 1
    if bad <= 3 then
      io.stderr:write("non-2xx " .. status .. ": " .. body .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local total_ok, total_bad = 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_bad = total_bad + t:get("bad")
  end
  io.write(string.format("created_2xx %d\nrejected_non2xx %d\n", total_ok, total_bad))
end
