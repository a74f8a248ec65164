// Holds listeners on the ports given (JSON [[port, host], …] on stdin) until killed, so that the
// allocators measured in run.mjs meet a realistically busy range without sharing an event loop with it.
import { createServer } from "node:net";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const wanted = JSON.parse(input);
let held = 0;
await Promise.all(
  wanted.map(
    ([port, host]) =>
      new Promise((resolve) => {
        const server = createServer();
        server.once("error", () => resolve());
        server.listen({ port, host, ipv6Only: host === "::" }, () => {
          held++;
          resolve();
        });
      }),
  ),
);
process.stdout.write(`ready ${held}\n`);
setInterval(() => {}, 1 << 30);
