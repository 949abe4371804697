-- A client's whole round: create an account, give it a token, list, update,
-- delete the token, delete the account. Ids come from the responses, so wrk
-- must run one connection per thread (-t N -c N): each thread's Lua state then
-- follows exactly one conversation.
local run = os.getenv("BENCH_RUN")
local token = os.getenv("BENCH_TOKEN")
local accounts = "/api/admin/service-account"
local threads_made = 0
-- Set in each thread's own Lua state by setup(), before the first request.
thread_number = 0
local counter = 0
local step = 1
local account_id = nil
local token_id = nil

setup = function(thread)
  threads_made = threads_made + 1
  thread:set("thread_number", threads_made)
end

local function send(method, path, body)
  local headers = { ["Authorization"] = token }

  if body then
    headers["Content-Type"] = "application/json"
  end

  return wrk.format(method, path, headers, body)
end

request = function()
  if step == 1 then
    counter = counter + 1
    return send("POST", accounts, string.format(
      '{"username":"crud-%s-%d-%d","name":"Bench","rootRole":2}',
      run, thread_number, counter))
  elseif step == 2 then
    return send("POST", accounts .. "/" .. account_id .. "/token",
      '{"description":"bench","expiresAt":"2030-01-01T00:00:00.000Z"}')
  elseif step == 3 then
    return send("GET", accounts)
  elseif step == 4 then
    return send("PUT", accounts .. "/" .. account_id,
      '{"name":"Renamed","rootRole":3}')
  elseif step == 5 then
    return send("DELETE", accounts .. "/" .. account_id .. "/token/" .. token_id)
  end

  return send("DELETE", accounts .. "/" .. account_id)
end

response = function(status, headers, body)
  if status >= 300 then
    -- Start the round again rather than aim at an id that may not exist.
    step = 1
    return
  end

  if step == 1 then
    account_id = string.match(body, '"id":%s*(%d+)')
  elseif step == 2 then
    token_id = string.match(body, '"id":%s*(%d+)')
  end

  step = step % 6 + 1
end
