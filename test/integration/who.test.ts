import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeHolders, whoHolds } from "../../src/ports/port-holders.js";
import type { PortHolder } from "../../src/ports/port-lookup.js";
import { onCleanup, pidGone, randomRange, waitUntil } from "../support/helpers.js";

const isLinux = process.platform === "linux";

/** Listens as the script says, then prints `listening PID…` with every pid that holds the socket. */
interface Listener {
  /** In each process's command line, to know them by. */
  marker: string;
  pids: number[];
}

/**
 * Runs `node -e script MARKER PORT` and resolves once it prints `listening PID…`. Every process it names is
 * SIGKILLed after the test, which then checks that each is gone.
 */
async function startListener(script: string, port: number): Promise<Listener> {
  const marker = `who-test-${randomUUID()}`;
  const child = spawn(process.execPath, ["-e", script, marker, String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  const pids = new Set<number>(child.pid === undefined ? [] : [child.pid]);
  onCleanup(async () => {
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    // (Checked once: each pid was a child of this process, reaped as it exited, so a later look could find a
    // new process that reused the pid on a busy machine.)
    await waitUntil(() => [...pids].every(pidGone), `listener processes ${[...pids].join(", ")} to exit`);
  });
  const line = await new Promise<string>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no "listening" line; output so far:\n${seen}`)), 10_000);
    child.stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /^listening [\d ]+$/m.exec(seen);
      if (!match) return;
      clearTimeout(timer);
      resolve(match[0]);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`listener exited (${code}) before listening; output:\n${seen}`));
    });
  });
  for (const pid of line.split(" ").slice(1).map(Number)) pids.add(pid);
  return { marker, pids: [...pids] };
}

/** A script that listens on each host in turn, all on one port. */
function listenOn(hosts: Array<{ host: string; ipv6Only?: boolean }>): string {
  return `
    const net = require("node:net");
    const port = Number(process.argv[2]);
    const hosts = ${JSON.stringify(hosts)};
    const next = (i) => {
      if (i === hosts.length) return console.log("listening " + process.pid);
      net.createServer((socket) => socket.end()).listen({ port, ...hosts[i] }, () => next(i + 1));
    };
    next(0);
  `;
}

/** The worker of SHARED_SOCKET: takes the parent's server handle (the same socket, through SCM_RIGHTS) and says so. */
const WORKER = `
  process.on("message", (message, server) => {
    server.on("connection", (socket) => socket.end());
    process.send("ready");
  });
  process.on("disconnect", () => process.exit());
`;

/** Listens on 127.0.0.1, then hands the server to a child process: two pids hold one socket inode. */
const SHARED_SOCKET = `
  const net = require("node:net");
  const { spawn } = require("node:child_process");
  const port = Number(process.argv[2]);
  const server = net.createServer((socket) => socket.end());
  server.listen({ port, host: "127.0.0.1" }, () => {
    const worker = spawn(process.execPath, ["-e", ${JSON.stringify(WORKER)}, process.argv[1] + "-worker"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    worker.once("message", () => console.log("listening " + process.pid + " " + worker.pid));
    worker.send("server", server);
  });
`;

/** Checks what is true of every holder that one of our listeners is. */
function expectOurs(holder: PortHolder | undefined, listener: Listener): void {
  expect(holder?.command).toContain(listener.marker);
  expect(holder?.uid).toBe(process.getuid?.());
  expect(holder?.user).toBe(userInfo().username);
  expect(Math.abs((holder?.startedAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
}

describe.runIf(isLinux)("who holds a port, from /proc", () => {
  it("finds a process listening on 0.0.0.0", async () => {
    const port = randomRange(1).from;
    const listener = await startListener(listenOn([{ host: "0.0.0.0" }]), port);
    const lookup = await whoHolds(port);
    expect(lookup).toMatchObject({ port, method: "proc", hidden: [] });
    expect(lookup.holders.map((holder) => holder.pid)).toEqual(listener.pids);
    expect(lookup.holders[0]?.addresses).toEqual(["0.0.0.0"]);
    expectOurs(lookup.holders[0], listener);
    // One line, even though the command line holds the script's newlines.
    expect(describeHolders(lookup)).toMatch(new RegExp(`^pid ${listener.pids[0]} \\(/\\S*node -e [^\n]+…\\)$`));
  });

  it("finds a process listening on :: only (IPv6-only)", async () => {
    const port = randomRange(1).from;
    const listener = await startListener(listenOn([{ host: "::", ipv6Only: true }]), port);
    const lookup = await whoHolds(port);
    expect(lookup.holders.map((holder) => holder.pid)).toEqual(listener.pids);
    expect(lookup.holders[0]?.addresses).toEqual(["::"]);
    expectOurs(lookup.holders[0], listener);
  });

  it("lists every address of a process that listens on 127.0.0.1 and ::1", async () => {
    const port = randomRange(1).from;
    const listener = await startListener(listenOn([{ host: "127.0.0.1" }, { host: "::1" }]), port);
    const lookup = await whoHolds(port);
    expect(lookup.holders.map((holder) => holder.pid)).toEqual(listener.pids);
    expect(lookup.holders[0]?.addresses).toEqual(["127.0.0.1", "::1"]);
    expectOurs(lookup.holders[0], listener);
  });

  it("reports each process sharing one socket (a server handed to a child)", async () => {
    const port = randomRange(1).from;
    const listener = await startListener(SHARED_SOCKET, port);
    expect(listener.pids).toHaveLength(2);
    const lookup = await whoHolds(port);
    expect(lookup.holders.map((holder) => holder.pid)).toEqual([...listener.pids].sort((a, b) => a - b));
    for (const holder of lookup.holders) {
      expect(holder.addresses).toEqual(["127.0.0.1"]);
      expectOurs(holder, listener);
    }
    expect(describeHolders(lookup)?.split(", pid ")).toHaveLength(2);
  });

  it("finds nothing on a free port", async () => {
    const port = randomRange(1).from;
    const lookup = await whoHolds(port);
    expect(lookup).toEqual({ port, holders: [], hidden: [], method: "proc" });
    expect(describeHolders(lookup)).toBeUndefined();
  });
});

describe.runIf(isLinux)("who holds a port, from lsof", () => {
  it("asks lsof and ps where /proc/net/tcp cannot be read", async () => {
    const port = randomRange(1).from;
    const listener = await startListener(listenOn([{ host: "0.0.0.0" }, { host: "::1" }]), port);
    const lookup = await whoHolds(port, { procRoot: join(tmpdir(), `no-proc-${randomUUID()}`) });
    expect(lookup).toMatchObject({ port, method: "lsof", hidden: [] });
    expect(lookup.holders.map((holder) => holder.pid)).toEqual(listener.pids);
    expect(lookup.holders[0]?.addresses).toEqual(["0.0.0.0", "::1"]);
    expectOurs(lookup.holders[0], listener);
  });
});
