-- wrk script: TECS makeTransaction (a sale of 12.55 EUR), a fresh transaction_id per request,
-- and every in-flight request on its own terminal so none meets 3003 (terminal busy).
--
-- wrk does not tell a script which connection a request goes out on, so each thread owns a
-- pool of TERMINALS_PER_THREAD terminals (9TTNNNNN: thread TT, terminal NNNNN; default 32, at
-- least the thread's connections): request() takes a free one and remembers it under the
-- transaction_id, response() finds the transaction_id in the answer and frees its terminal.
-- If the pool is empty (an answer without our transaction_id, as from a static stub), it
-- falls back to round robin without remembering. Every answer is checked: HTTP 200 with
-- response_code 0000 counts as ok, anything else as bad; done() prints "LUA ok=N bad=M".

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  table.insert(threads, thread)
  next_id = next_id + 1
end

function init(args)
  per = tonumber(os.getenv("TERMINALS_PER_THREAD") or "32")
  free = {}
  for i = per - 1, 0, -1 do
    free[#free + 1] = string.format("9%02d%05d", id, i)
  end
  held = {}
  seq = 0
  rr = 0
  ok = 0
  bad = 0
  headers = {
    ["Authorization"] = "Bearer tecs-test-token",
    ["Content-Type"] = "application/json",
  }
  template = '{"amount":"1255","card_number":"","currency":"EUR","desired_currency":"EUR",'
    .. '"language":"EN","message_type":"0001","payment_reason":"Test Sale",'
    .. '"receipt_layout":"01","receipt_number":"1","terminal_number":"%s",'
    .. '"transaction_date_time":"20240521190912","transaction_id":"%s",'
    .. '"transaction_origin_identifier":"1","transaction_origin_indicator":"0",'
    .. '"transaction_place":"1010","transaction_source_id":"1"}'
end

function request()
  seq = seq + 1
  local txid = string.format("%02d%015d", id, seq)
  local term = table.remove(free)
  if term then
    held[txid] = term
  else
    rr = rr + 1
    term = string.format("9%02d%05d", id, rr % per)
  end
  return wrk.format("POST", "/tecsclientrest-auth/makeTransaction", headers,
    string.format(template, term, txid))
end

function response(status, hdrs, body)
  local txid = string.match(body, '"transaction_id":"(%d+)"')
  local term = txid and held[txid]
  if term then
    held[txid] = nil
    free[#free + 1] = term
  end
  if status == 200 and string.find(body, '"response_code":"0000"', 1, true) then
    ok = ok + 1
  else
    bad = bad + 1
    if bad <= 3 then
      io.stderr:write(string.format("tecs.lua: status %d body %s\n", status, body))
    end
  end
end

function done(summary, latency, requests)
  local n_ok, n_bad = 0, 0
  for _, t in ipairs(threads) do
    n_ok = n_ok + t:get("ok")
    n_bad = n_bad + t:get("bad")
  end
  io.write(string.format("LUA ok=%d bad=%d\n", n_ok, n_bad))
end
