// The least a client can do to read an org from PagerDuty, for the bench's `floor` section: the GETs in a
// plan file (written by scripts/bench/floor.ts), `concurrency` at a time, each body read and parsed. No
// dependencies, no validation, no retries, nothing learnt from one answer before the next request: the
// plan knows every path up front. Exits 1 when an answer is neither a success nor a 404.
//
//   node scripts/bench/floor-client.mjs plan.json
import { readFileSync } from "node:fs";

const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
let next = 0;
let unexpected = 0;

async function worker() {
  while (next < plan.requests.length) {
    const { path, headers } = plan.requests[next++];
    const response = await fetch(`${plan.url}${path}`, { headers });
    const body = await response.text();
    if (response.ok) JSON.parse(body);
    else if (response.status !== 404) unexpected++;
  }
}

await Promise.all(Array.from({ length: plan.concurrency }, worker));
if (unexpected > 0) {
  console.error(`${unexpected} answer(s) neither a success nor a 404`);
  process.exitCode = 1;
}
