"""Open-loop load: one signed webhook post every 1/rate seconds whatever the answers do.

`python -m bench.open_loop URL REQUESTS_FILE RATE RESULT_JSON`. Each line of the file is
`<X-Twilio-Signature>\\t<urlencoded form>`. Latency is timed from the moment a request was due, so a
slow answer cannot hide those queued behind it (no coordinated omission). Run in a process of its own so
its CPU is counted apart from the servers' and the sampler's.
"""

from __future__ import annotations

import asyncio
import json
import sys

import aiohttp

HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


async def open_loop(url: str, lines: list[str], rate: float) -> dict[str, object]:
    """Latencies in ms of the answered requests, when each was answered (seconds from the start), and how
    many failed (not 200, or no TwiML)."""
    latencies: list[float] = []
    answered_at: list[float] = []
    failures = 0
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as client:

        async def one(due: float, line: str) -> None:
            nonlocal failures
            signature, body = line.split("\t", 1)
            try:
                async with client.post(url, data=body.encode(),
                                       headers={**HEADERS, "X-Twilio-Signature": signature}) as response:
                    answer = await response.read()
                    if response.status != 200 or b"<Response" not in answer:
                        failures += 1
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError):
                failures += 1
                return
            latencies.append((loop.time() - due) * 1000)
            answered_at.append(loop.time() - start)

        start = loop.time() + 0.5
        tasks = []
        for i, line in enumerate(lines):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            tasks.append(asyncio.create_task(one(due, line)))
        await asyncio.gather(*tasks)
    return {"latencies": latencies, "answered_at": answered_at, "failures": failures}


def main(argv: list[str]) -> int:
    url, path, rate, result = argv
    with open(path) as handle:
        lines = [line.rstrip("\n") for line in handle if line.strip()]
    outcome = asyncio.run(open_loop(url, lines, float(rate)))
    with open(result, "w") as out:
        json.dump(outcome, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
