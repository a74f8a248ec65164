// One autocannon run in a process of its own (so the client never shares an event loop with what it measures):
//   node bench/load-client.mjs URL HOST SECONDS CONNECTIONS [RATE]
// prints {rps, p99, errors} as JSON. RATE: requests per second in all (a steady load, not as many as it can).
import autocannon from "autocannon";

const [url, host, seconds, connections, rate] = process.argv.slice(2);
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  headers: host ? { host } : {},
  ...(rate ? { overallRate: Number(rate) } : {}),
});
console.log(JSON.stringify({ rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx + result.timeouts }));
