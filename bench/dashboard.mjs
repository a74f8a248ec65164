// The dashboard (issue target: a supervisor's memory grows by at most 5 MiB while a page is connected). A detached
// stack of three services that print 20 lines a second each runs for a while with no page, then as long again
// with a page's stream connected (server-sent events, logs included, as a browser gets them): the supervisor's
// growth in each, the peer being the same supervisor with no page. Also the dashboard's own memory, and how
// long a printed line takes to reach the page.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { median, portmateBin, rssMiB, run } from "./util.mjs";

const CHATTY = `import { createServer } from "node:http";
let n = 0;
setInterval(() => console.log(\`line \${n++} at \${Date.now()}\`), 50);
createServer((req, res) => res.end("ok")).listen(Number(process.env.PORT), "127.0.0.1");
`;

/** Samples a process's memory every second for `seconds`; the median of the last half (once it settled). */
async function settledRss(pid, seconds) {
  const samples = [];
  for (let second = 0; second < seconds; second++) {
    await sleep(1000);
    samples.push(rssMiB(pid));
  }
  return median(samples.slice(Math.floor(seconds / 2)));
}

/** A page's event stream: how many lines it got, and how long each took from printed to received. */
function connectPage(port) {
  const page = { lines: 0, delays: [], close: () => {} };
  const req = get({ host: "127.0.0.1", port, path: "/api/events", headers: { host: `127.0.0.1:${port}` } }, (res) => {
    let buffer = "";
    res.setEncoding("utf8");
    res.on("data", (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!frame.startsWith("event: logs")) continue;
        const entries = JSON.parse(frame.slice(frame.indexOf("data: ") + 6));
        const now = Date.now();
        for (const entry of entries) {
          page.lines++;
          const printed = /at (\d+)$/.exec(entry.text)?.[1];
          if (printed) page.delays.push(now - Number(printed));
        }
      }
    });
  });
  req.on("error", () => undefined);
  page.close = () => req.destroy();
  return page;
}

export async function measureDashboard({ seconds = 20 } = {}) {
  const state = mkdtempSync(join(tmpdir(), "portmate-bench-dashboard-state-"));
  const dir = mkdtempSync(join(tmpdir(), "portmate-bench-dashboard-"));
  writeFileSync(join(dir, "chatty.mjs"), CHATTY);
  const services = ["a", "b", "c"].map((name) => `  ${name}:\n    command: node chatty.mjs\n    health: {http: /}\n`).join("");
  writeFileSync(join(dir, "portmate.yaml"), `name: chatty\nservices:\n${services}`);
  const env = { ...process.env, PORTMATE_STATE_DIR: state, NO_COLOR: "1" };
  try {
    await run(process.execPath, [portmateBin(), "up", "-d"], env, dir);
    const record = readdirSync(join(state, "stacks")).find((name) => name.endsWith(".json"));
    const supervisor = JSON.parse(readFileSync(join(state, "stacks", record), "utf8")).supervisor.pid;
    await sleep(3000);
    const start = rssMiB(supervisor);
    const noPage = await settledRss(supervisor, seconds);
    const { port } = JSON.parse(await run(process.execPath, [portmateBin(), "dashboard", "--json", "--no-open"], env, dir));
    const page = connectPage(port);
    const withPage = await settledRss(supervisor, seconds);
    const dashboardPid = JSON.parse(readFileSync(join(state, "dashboard.json"), "utf8")).pid;
    const dashboardRss = rssMiB(dashboardPid);
    page.close();
    return {
      seconds,
      start,
      noPage,
      withPage,
      growth: withPage - noPage,
      dashboardRss,
      lines: page.lines,
      delayP50: median(page.delays),
      delayMax: Math.max(...page.delays),
    };
  } finally {
    await run(process.execPath, [portmateBin(), "down"], env, dir).catch(() => undefined);
    await run(process.execPath, [portmateBin(), "dashboard", "--stop"], env, dir).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
}

export function dashboardRows(result) {
  return [
    ["", "supervisor RSS (MiB)", "ratio"],
    ["no page (the peer)", result.noPage.toFixed(1), "1.00×"],
    ["a page connected", result.withPage.toFixed(1), `${(result.withPage / result.noPage).toFixed(2)}×`],
    ["dashboard process", result.dashboardRss.toFixed(1), "-"],
    ["lines the page got", String(result.lines), `printed to page: median ${result.delayP50} ms, at most ${result.delayMax} ms`],
  ];
}

export function dashboardTargets(result) {
  return [
    `a supervisor grows by at most 5 MiB while a page is connected: ${result.growth <= 5 ? "yes" : "NO"} (${result.growth >= 0 ? "+" : ""}${result.growth.toFixed(1)} MiB, ${result.withPage.toFixed(1)} MiB against ${result.noPage.toFixed(1)} MiB with no page over ${result.seconds} s each, 60 lines/s printed)`,
  ];
}
