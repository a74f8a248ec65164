import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeHolders, whoHolds } from "../../../src/ports/port-holders.js";
import type { PortHolder, PortLookup } from "../../../src/ports/port-lookup.js";
import { heldByOthers, listeningPortsOfEach } from "../../../src/ports/proc-sockets.js";
import { onCleanup, randomRange } from "../../support/helpers.js";

const isLinux = process.platform === "linux";

/** Column headers of /proc/net/tcp and tcp6, which the parser skips. */
const TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
const TCP6_HEADER =
  "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

/** One /proc/net/tcp{,6} line: `address` is the kernel's hex, `state` 0A for LISTEN. */
function tcpLine(slot: number, address: string, port: number, state: string, uid: number, inode: number, remote = "00000000:0000"): string {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return `  ${slot}: ${address}:${hexPort} ${remote} ${state} 00000000:00000000 00:00000000 00000000 ${String(uid).padStart(5)}        0 ${inode} 1 0000000000000000 100 0 0 10 0`;
}

/** A fake /proc folder from `files` (path → text, or `{ link }` for a symlink such as an fd); removed after the test. */
function fakeProc(files: Record<string, string | { link: string }>): string {
  const root = mkdtempSync(join(tmpdir(), "portmate-proc-"));
  onCleanup(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    if (typeof content === "string") writeFileSync(join(root, path), content);
    else symlinkSync(content.link, join(root, path));
  }
  return root;
}

/** The name /etc/passwd gives `uid`, read here independently of the code under test. */
function passwdName(uid: number): string | undefined {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.split(":")[2] === String(uid));
  return line?.split(":")[0];
}

const BOOT_TIME = 1_700_000_000;

describe.runIf(isLinux)("who holds a port, from a fabricated /proc", () => {
  it("tells on which ports processes other than given ones listen, reading the IPv4 table only when it must", async () => {
    const port = randomRange(1).from;
    const uid = userInfo().uid;
    const dualStack = tcpLine(0, "00000000000000000000000000000000", port, "0A", uid, 6001, "00000000000000000000000000000000:0000"); // ::
    const loopback6 = tcpLine(0, "00000000000000000000000001000000", port, "0A", uid, 6001, "00000000000000000000000000000000:0000"); // ::1
    const files = { "10/fd/3": { link: "socket:[6001]" }, "20/fd/3": { link: "socket:[6002]" } };
    // The service (pid 10) holds `::`: nobody can hold the IPv4 side, and the (broken) IPv4 table is not read.
    const root = fakeProc({ ...files, "net/tcp6": [TCP6_HEADER, dualStack].join("\n"), "net/tcp": "garbage" });
    expect(await heldByOthers([port], [10], { procRoot: root })).toEqual([]);
    expect(await heldByOthers([port], [20], { procRoot: root })).toEqual([port]);
    // It holds ::1 only; pid 20 holds 0.0.0.0: another process listens.
    const split = fakeProc({
      ...files,
      "net/tcp6": [TCP6_HEADER, loopback6].join("\n"),
      "net/tcp": [TCP_HEADER, tcpLine(0, "00000000", port, "0A", uid, 6002)].join("\n"),
    });
    expect(await heldByOthers([port, port + 1], [10], { procRoot: split })).toEqual([port]);
    expect(await heldByOthers([port], [10, 20], { procRoot: split })).toEqual([]);
    // Nobody listens: nothing against it.
    expect(await heldByOthers([port], [10], { procRoot: fakeProc({ "net/tcp6": TCP6_HEADER, "net/tcp": TCP_HEADER }) })).toEqual([]);
  });

  it("reads the tables only as far as their listening sockets, which the kernel lists before any other", async () => {
    const port = randomRange(1).from;
    const uid = userInfo().uid;
    const listener = tcpLine(0, "0100007F", port, "0A", uid, 7001);
    const openRequest = tcpLine(1, "0100007F", port, "03", uid, 0, "0100007F:D431");
    // What follows the listeners on a busy host: connections, thousands of them in TIME_WAIT. A LISTEN line
    // after them cannot be (the kernel lists listeners first): planted there, it shows the reading stopped.
    const rest = Array.from({ length: 3000 }, (_, slot) => tcpLine(slot + 2, "0100007F", 40_000 + (slot % 20_000), "06", 0, 0, "0100007F:1F40"));
    const late = tcpLine(3002, "0100007F", port + 1, "0A", uid, 7002);
    const root = fakeProc({
      "10/fd/3": { link: "socket:[7001]" },
      "10/fd/4": { link: "socket:[7002]" },
      "net/tcp": [TCP_HEADER, listener, openRequest, ...rest, late, ""].join("\n"),
      "net/tcp6": `${TCP6_HEADER}\n`,
    });
    expect(await listeningPortsOfEach([[10]], { procRoot: root })).toEqual([[port]]);
  });

  it("reads the IPv6 table only for sockets the IPv4 one does not list, other than the output's", async () => {
    const port = randomRange(2).from;
    const uid = userInfo().uid;
    const any6 = "00000000000000000000000000000000";
    const tcp = [TCP_HEADER, tcpLine(0, "0100007F", port, "0A", uid, 8001), ""].join("\n");
    const v6Line = (inode: number) => tcpLine(0, any6, port + 1, "0A", uid, inode, `${any6}:0000`);
    // fd 1: its output, a socket pair (libuv's pipes are), in no table.
    const fds = {
      "10/fd/1": { link: "socket:[8009]" },
      "10/fd/3": { link: "socket:[8001]" },
      "10/fd/4": { link: "pipe:[9]" },
      "20/fd/3": { link: "socket:[8002]" },
    };
    // Every socket of pid 10 past its output is in tcp: tcp6 is not read, or its line (planted for the output's
    // socket, which no table would list) would show.
    const planted = fakeProc({ ...fds, "net/tcp": tcp, "net/tcp6": [TCP6_HEADER, v6Line(8009), ""].join("\n") });
    expect(await listeningPortsOfEach([[10]], { procRoot: planted })).toEqual([[port]]);
    // pid 20's socket is not in tcp: tcp6 is read.
    const both = fakeProc({ ...fds, "net/tcp": tcp, "net/tcp6": [TCP6_HEADER, v6Line(8002), ""].join("\n") });
    expect(await listeningPortsOfEach([[10], [20], [10, 20], [30]], { procRoot: both })).toEqual([[port], [port + 1], [port, port + 1], []]);
    // Without /proc/net/tcp nothing can be told.
    expect(await listeningPortsOfEach([[10]], { procRoot: fakeProc(fds) })).toBeUndefined();
  });

  it("reports a listening socket no visible process owns as hidden, with its user", async () => {
    const port = randomRange(1).from;
    const root = fakeProc({
      "net/tcp": [TCP_HEADER, tcpLine(0, "00000000", port, "0A", 65534, 7777)].join("\n"),
      "net/tcp6": TCP6_HEADER,
      stat: `cpu  1 2 3 4\nbtime ${BOOT_TIME}\nprocesses 100\n`,
      // A process whose fds hold other things: not the socket's owner.
      "300/cmdline": "sleep\x001000\x00",
      "300/fd/0": { link: "/dev/null" },
      "300/fd/3": { link: "socket:[1234]" },
    });
    const lookup = await whoHolds(port, { procRoot: root });
    expect(lookup).toEqual({ port, holders: [], hidden: [{ uid: 65534, user: passwdName(65534), address: "0.0.0.0" }], method: "proc" });
    const name = passwdName(65534);
    expect(describeHolders(lookup)).toBe(`a process of another user (uid 65534${name ? `, ${name}` : ""}) that this user cannot see`);
  });

  it("decodes addresses, command line, user and start time of a holder", async () => {
    const port = randomRange(1).from;
    const uid = userInfo().uid;
    const root = fakeProc({
      "net/tcp": [
        TCP_HEADER,
        tcpLine(0, "0100007F", port, "0A", uid, 5001), // 127.0.0.1, listening
        tcpLine(1, "0100007F", port, "01", uid, 5002, "0100007F:D431"), // an established connection: not a holder
        tcpLine(2, "00000000", port + 1, "0A", uid, 5003), // another port
      ].join("\n"),
      "net/tcp6": [
        TCP6_HEADER,
        tcpLine(0, "00000000000000000000000001000000", port, "0A", uid, 5004, "00000000000000000000000000000000:0000"), // ::1
        tcpLine(1, "0000000000000000FFFF00000100007F", port, "0A", uid, 5005, "00000000000000000000000000000000:0000"), // ::ffff:127.0.0.1
      ].join("\n"),
      stat: `cpu  1 2 3 4\nbtime ${BOOT_TIME}\n`,
      "4242/cmdline": "python3\x00-m\x00http.server\x008000\x00",
      // The command name holds spaces and ')': fields count from the last ')'. Start time (field 22) is 12345 ticks.
      "4242/stat": "4242 (my) odd name) S 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 12345 1000 100",
      "4242/status": `Name:\tpython3\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`,
      "4242/fd/0": { link: "/dev/null" },
      "4242/fd/3": { link: "socket:[5001]" },
      "4242/fd/4": { link: "socket:[5004]" },
      "4242/fd/5": { link: "socket:[5005]" },
      "4242/fd/6": { link: "socket:[5002]" },
    });
    const lookup = await whoHolds(port, { procRoot: root });
    expect(lookup).toEqual<PortLookup>({
      port,
      holders: [
        {
          pid: 4242,
          command: "python3 -m http.server 8000",
          uid,
          user: userInfo().username,
          startedAt: new Date((BOOT_TIME + 123.45) * 1000),
          addresses: ["127.0.0.1", "::1", "::ffff:127.0.0.1"],
        },
      ],
      hidden: [],
      method: "proc",
    });
    expect(describeHolders(lookup)).toBe("pid 4242 (python3 -m http.server 8000)");
  });
});

describe("describing holders", () => {
  const holder = (pid: number, command: string | undefined): PortHolder => ({ pid, command, uid: 0, user: "root", startedAt: undefined, addresses: ["::"] });

  it("joins several, cuts long command lines and names each hidden user once", () => {
    const long = `node ${"x".repeat(200)}`;
    const text = describeHolders({
      port: 1,
      holders: [holder(10, "node\n  server.js"), holder(11, long), holder(12, undefined)],
      hidden: [
        { uid: 1001, user: "bob", address: "0.0.0.0" },
        { uid: 1001, user: "bob", address: "::" },
        { uid: 1002, user: undefined, address: "::" },
      ],
      method: "proc",
    });
    expect(text).toBe(
      [
        "pid 10 (node server.js)",
        `pid 11 (${long.slice(0, 79)}…)`,
        "pid 12",
        "a process of another user (uid 1001, bob) that this user cannot see",
        "a process of another user (uid 1002) that this user cannot see",
      ].join(", "),
    );
  });

  it("is undefined when nothing holds the port or there is no way to tell", () => {
    expect(describeHolders({ port: 1, holders: [], hidden: [], method: "none" })).toBeUndefined();
  });
});
