-- wrk script: ATIONet MobilePayments with a fresh potencyKeyId, then GetTransaction of it.
--
-- Each thread keeps a queue of created keys: response() takes the transactionId out of a
-- create's answer ({"transactionId":"..."}) and queues it; request() sends a GET for the oldest
-- queued key if there is one, else a POST with a new key (UUID-shaped, thread TT, sequence N)
-- on pumps 1-4 of site 1524 in turn. So about half the requests are creates and half are reads,
-- and a GET never races its own POST. HTTP 200 counts as ok (creates and reads separately),
-- anything else as bad; done() prints "LUA ok=N bad=M creates=C gets=G".

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  table.insert(threads, thread)
  next_id = next_id + 1
end

function init(args)
  seq = 0
  queue = {}
  head = 1
  tail = 0
  creates = 0
  gets = 0
  bad = 0
  post_headers = {
    ["Authorization"] = "Bearer atn-test-7f3c9a1e",
    ["Content-Type"] = "application/json",
  }
  get_headers = { ["Authorization"] = "Bearer atn-test-7f3c9a1e" }
  template = '{"siteCode":"1524","pumpNumber":%d,"fuelCode":"3","amount":9,'
    .. '"primaryTrack":"0000000000001","terminalCode":"S2G321","mobilePaymentMode":1,'
    .. '"potencyKeyId":"%s"}'
end

function request()
  if tail >= head then
    local key = queue[head]
    queue[head] = nil
    head = head + 1
    return wrk.format("GET", "/api/mobilepayments/gettransaction/" .. key, get_headers)
  end
  seq = seq + 1
  local key = string.format("%08x-0000-4000-8000-%012x", id, seq)
  return wrk.format("POST", "/api/MobilePayments", post_headers,
    string.format(template, seq % 4 + 1, key))
end

function response(status, hdrs, body)
  if status ~= 200 then
    bad = bad + 1
    if bad <= 3 then
      io.stderr:write(string.format("ationet.lua: status %d body %s\n", status, body))
    end
    return
  end
  local key = string.match(body, '^{"transactionId":"([%x%-]+)"}$')
  if key then
    creates = creates + 1
    tail = tail + 1
    queue[tail] = key
  else
    gets = gets + 1
  end
end

function done(summary, latency, requests)
  local c, g, b = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("creates")
    g = g + t:get("gets")
    b = b + t:get("bad")
  end
  io.write(string.format("LUA ok=%d bad=%d creates=%d gets=%d\n", c + g, b, c, g))
end
