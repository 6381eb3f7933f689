-- wrk script: post pre-signed inbound WhatsApp forms, each line of the thread's own file once, in order.
-- Run with as many threads as connections (-tN -cN): a thread's one connection owns its citizens, so one
-- citizen's messages never overtake each other. Thread i reads BENCH_REQUESTS-i.tsv; a line is
-- <X-Twilio-Signature>\t<urlencoded form>. done() prints how many lines each thread sent.
local path = "/webhooks/whatsapp"
local stem = os.getenv("BENCH_REQUESTS")
local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  lines = {}
  for line in io.lines(stem .. "-" .. index .. ".tsv") do
    table.insert(lines, line)
  end
  position = 0
  ran_out = false
end

function request()
  position = position + 1
  if position > #lines then
    -- Out of signed lines: the run is void (the runner says so); repeat the last one meanwhile.
    position = #lines
    ran_out = true
  end
  local signature, body = lines[position]:match("^([^\t]*)\t(.*)$")
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = signature,
  }, body)
end

function done(summary, latency, requests)
  for i, thread in ipairs(threads) do
    io.write(string.format("BENCH thread=%d position=%d ran_out=%s\n", i - 1, thread:get("position"),
      tostring(thread:get("ran_out"))))
  end
  io.write(string.format("BENCH total=%d errors_status=%d errors_connect=%d errors_timeout=%d " ..
    "errors_read=%d errors_write=%d duration_us=%d\n", summary.requests, summary.errors.status,
    summary.errors.connect, summary.errors.timeout, summary.errors.read, summary.errors.write, summary.duration))
end
