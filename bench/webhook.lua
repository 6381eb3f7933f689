-- wrk script: post pre-signed inbound WhatsApp forms, each line of the file once.
-- Line format: <X-Twilio-Signature>\t<urlencoded form>. Thread i of n sends lines i, i+n, i+2n, ...
local path = "/webhooks/whatsapp"
local file = os.getenv("BENCH_REQUESTS")
local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  nthreads = tonumber(os.getenv("BENCH_THREADS"))
  lines = {}
  local n = 0
  for line in io.lines(file) do
    if n % nthreads == index then
      table.insert(lines, line)
    end
    n = n + 1
  end
  position = 0
end

function request()
  position = position + 1
  if position > #lines then
    position = 1 -- wrapped: the app answers a repeated MessageSid from the stored reply
    wrapped = true
  end
  local signature, body = lines[position]:match("^([^\t]*)\t(.*)$")
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = signature,
  }, body)
end

function done(summary, latency, requests)
  local wrapped_threads = 0
  for _, thread in ipairs(threads) do
    if thread:get("wrapped") then wrapped_threads = wrapped_threads + 1 end
  end
  io.write(string.format("BENCH wrapped_threads=%d\n", wrapped_threads))
  io.write(string.format("BENCH total=%d errors_status=%d errors_connect=%d errors_timeout=%d duration_us=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.timeout, summary.duration))
end
