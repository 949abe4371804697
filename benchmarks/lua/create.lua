-- POST a new service account each time; usernames never repeat, so every
-- create is a 201 on a stateful server.
local run = os.getenv("BENCH_RUN")
local threads_made = 0
-- Set in each thread's own Lua state by setup(), before the first request.
thread_number = 0
local counter = 0

setup = function(thread)
  threads_made = threads_made + 1
  thread:set("thread_number", threads_made)
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"username":"bench-%s-%d-%d","name":"Bench","rootRole":2}',
    run, thread_number, counter)
  return wrk.format("POST", "/api/admin/service-account", {
    ["Authorization"] = os.getenv("BENCH_TOKEN"),
    ["Content-Type"] = "application/json",
  }, body)
end
