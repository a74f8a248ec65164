import * as fs from "node:fs";
import { promisify } from "node:util";
import { SocketAddress } from "node:net";
import { endianness, userInfo } from "node:os";
import { parseStat } from "../process/process-tree.js";
import type { HiddenHolder, PortHolder, PortLookup } from "./port-lookup.js";

// node:fs's callbacks, promisified, rather than node:fs/promises, which loads streams and readline with it: a
// millisecond of `portmate ps`, which reads nothing else.
const openFile = promisify(fs.open);
const readFd = promisify(fs.read);
const closeFd = promisify(fs.close);
const access = promisify(fs.access);
const readdir = promisify(fs.readdir);
const readFile = promisify(fs.readFile);
const readlink = promisify(fs.readlink);
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

// Who listens on a port, read from the Linux kernel's socket tables (/proc/net/tcp, tcp6) and the links
// of each process's file descriptors to them. `root` stands in for /proc, for tests.

/** The state column of /proc/net/tcp numbers TCP_LISTEN as 0A. */
const LISTEN = "0A";

/** Linux's USER_HZ, the unit of /proc/PID/stat's start time: 100 on every common platform (x86, ARM, RISC-V). */
const CLOCK_TICKS_PER_SECOND = 100;

/** The kernel prints each 32-bit word of an address as a host-order number, so on little-endian hosts its bytes read backwards. */
const LITTLE_ENDIAN = endianness() === "LE";

/** A listening socket as /proc/net/tcp or tcp6 lists it. */
interface ListeningSocket {
  address: string;
  uid: number;
  inode: string;
}

/**
 * The ports of `ports` on which a process other than `pids` listens (none listening counts as fine). Cheaper
 * than whoHolds: only the file descriptors of `pids` are read. Where /proc cannot tell, none: nothing is known
 * against them.
 */
export async function heldByOthers(ports: readonly number[], pids: readonly number[], options: { procRoot?: string } = {}): Promise<number[]> {
  const root = options.procRoot ?? "/proc";
  if (process.platform !== "linux" || ports.length === 0) return [];
  const among = pids.map(String);
  const others = new Set<number>();
  const check = async (text: string, port: number, decode: (hex: string) => string) => {
    const sockets = listeningSockets(text, port, decode);
    const owned = await findOwners(root, new Set(sockets.map((socket) => socket.inode)), among);
    if (!sockets.every((socket) => owned.has(socket.inode))) others.add(port);
    return sockets;
  };
  // Each read of a table costs the kernel a walk of every socket of the host (milliseconds on a busy one), so
  // each is read once for all ports, and IPv4's only when needed: a dual-stack listener on `::` (Node's
  // default) leaves no room for another process on the IPv4 side.
  const v6 = (await readListeners(`${root}/net/tcp6`)) ?? "";
  const open: number[] = [];
  for (const port of ports) {
    const sockets = await check(v6, port, decodeIpv6);
    if (!others.has(port) && !sockets.some((socket) => socket.address === "::")) open.push(port);
  }
  const v4 = open.length ? await readListeners(`${root}/net/tcp`) : undefined;
  if (v4 !== undefined) for (const port of open) await check(v4, port, decodeIpv4);
  return ports.filter((port) => others.has(port));
}

/**
 * The TCP ports on which any of `pids` listens, from the kernel's tables in /proc (Linux); undefined where they
 * cannot be read. Only the file descriptors of `pids` are looked at.
 */
export async function listeningPortsOf(pids: readonly number[], options: { procRoot?: string } = {}): Promise<number[] | undefined> {
  return (await listeningPortsOfEach([pids], options))?.[0];
}

/**
 * listeningPortsOf for each group of pids (the processes of one service each). The processes' sockets are read
 * first, and then only the tables that can still tell something, each once for all: a read walks every socket of
 * the host. IPv4's first, where Python's servers, Vite on `localhost` and Node on 127.0.0.1 listen: when every
 * socket is found there, the IPv6 table is not read at all.
 */
export async function listeningPortsOfEach(groups: ReadonlyArray<readonly number[]>, options: { procRoot?: string } = {}): Promise<number[][] | undefined> {
  const root = options.procRoot ?? "/proc";
  if (process.platform !== "linux") return undefined;
  // Without /proc/net (not mounted, as in some sandboxes) nothing can be told.
  if (!(await exists(`${root}/net/tcp`))) return undefined;
  const pids = [...new Set(groups.flat())];
  const socketsOf = new Map<number, string[]>();
  // Sockets on 0, 1 and 2 are the service's output (libuv's pipes are socket pairs), inherited by what it runs:
  // looked up if a table is read anyway, never the reason to read one.
  const beyondStdio = new Set<string>();
  await Promise.all(
    pids.map(async (pid) => {
      const sockets = await fdSockets(`${root}/${pid}/fd`);
      socketsOf.set(
        pid,
        sockets.map(({ inode }) => inode),
      );
      for (const { fd, inode } of sockets) if (fd > 2) beyondStdio.add(inode);
    }),
  );
  const unplaced = new Set([...socketsOf.values()].flat());
  const portOf = new Map<string, number>();
  for (const name of ["tcp", "tcp6"]) {
    if (![...unplaced].some((inode) => beyondStdio.has(inode))) break;
    const table = await readListeners(`${root}/net/${name}`);
    // tcp6 is missing when the kernel has no IPv6; tcp, which was there a moment ago, cannot be.
    if (table === undefined) {
      if (name === "tcp") return undefined;
      break;
    }
    for (const line of table.split("\n").slice(1)) {
      const [, local, , state, , , , , , inode] = line.trim().split(/\s+/);
      if (state !== LISTEN || !local || !inode || !unplaced.has(inode)) continue;
      portOf.set(inode, Number.parseInt(local.slice(local.lastIndexOf(":") + 1), 16));
      unplaced.delete(inode);
    }
  }
  return groups.map((group) => {
    const ports = group.flatMap((pid) => (socketsOf.get(pid) ?? []).map((inode) => portOf.get(inode)).filter((port) => port !== undefined));
    return [...new Set(ports)].sort((a, b) => a - b);
  });
}

/** The lookup from /proc, or undefined when /proc/net/tcp cannot be read (no /proc mounted, as in some sandboxes). */
export async function lookupInProc(port: number, root: string): Promise<PortLookup | undefined> {
  const v4 = await readListeners(`${root}/net/tcp`);
  if (v4 === undefined) return undefined;
  // tcp6 is missing when the kernel has no IPv6.
  const v6 = (await readListeners(`${root}/net/tcp6`)) ?? "";
  const sockets = [...listeningSockets(v4, port, decodeIpv4), ...listeningSockets(v6, port, decodeIpv6)];
  if (sockets.length === 0) return { port, holders: [], hidden: [], method: "proc" };

  const owners = await findOwners(root, new Set(sockets.map((socket) => socket.inode)));
  const nameOf = await userNames();
  const byPid = new Map<number, { addresses: string[]; socketUid: number }>();
  const hidden = new Map<string, HiddenHolder>();
  for (const socket of sockets) {
    const pids = owners.get(socket.inode);
    if (!pids) {
      hidden.set(`${socket.uid} ${socket.address}`, { uid: socket.uid, user: nameOf(socket.uid), address: socket.address });
      continue;
    }
    for (const pid of pids) {
      const entry = byPid.get(pid) ?? { addresses: [], socketUid: socket.uid };
      // SO_REUSEPORT lets one process hold several sockets on the same address.
      if (!entry.addresses.includes(socket.address)) entry.addresses.push(socket.address);
      byPid.set(pid, entry);
    }
  }
  const bootTime = byPid.size > 0 ? await readBootTime(root) : undefined;
  const holders = await Promise.all(
    [...byPid]
      .sort(([a], [b]) => a - b)
      .map(async ([pid, { addresses, socketUid }]): Promise<PortHolder> => {
        const [command, startTicks, processUid] = await Promise.all([readCommand(root, pid), readStartTicks(root, pid), readUid(root, pid)]);
        const uid = processUid ?? socketUid;
        const startedAt = bootTime !== undefined && startTicks !== undefined ? new Date((bootTime + startTicks / CLOCK_TICKS_PER_SECOND) * 1000) : undefined;
        return { pid, command, uid, user: nameOf(uid), startedAt, addresses };
      }),
  );
  return { port, holders, hidden: [...hidden.values()], method: "proc" };
}

/** The TCP states listed among the listening sockets: LISTEN, and SYN_RECV (open requests, before Linux 4.4). */
const LISTENING_PART = new Set([LISTEN, "03"]);

/**
 * The part of /proc/net/tcp or tcp6 that lists the LISTEN sockets (with its header line), or undefined when it
 * cannot be read. The kernel lists every listening socket before any other (it walks its table of listeners,
 * then the one of connections), and a busy host has thousands of others, TIME_WAIT after each short connection
 * (health checks, a browser's requests): reading stops at the first line past the listeners, so the kernel
 * need not print the rest, which took ~25 ms with 10 000 of them.
 */
async function readListeners(path: string): Promise<string | undefined> {
  let fd: number;
  try {
    fd = await openFile(path, "r");
  } catch {
    return undefined;
  }
  try {
    // The kernel hands out a page at a time, whatever the size asked for.
    const buffer = Buffer.allocUnsafe(16 * 1024);
    let text = "";
    let next = 0; // where the first line not looked at yet starts
    for (;;) {
      const { bytesRead } = await readFd(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) return text;
      text += buffer.toString("latin1", 0, bytesRead);
      for (let end = text.indexOf("\n", next); end >= 0; end = text.indexOf("\n", next)) {
        // The header's state column says `st`.
        const state = next === 0 ? LISTEN : text.slice(next, end).trim().split(/\s+/)[3];
        if (!LISTENING_PART.has(state ?? "")) return text.slice(0, next);
        next = end + 1;
      }
    }
  } catch {
    return undefined;
  } finally {
    await closeFd(fd).catch(() => undefined);
  }
}

/** The file's text, or undefined when it cannot be read. */
async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * The LISTEN sockets on `port` in a /proc/net/tcp or tcp6 table, whose columns are:
 * `sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …`, addresses as `HEX:PORT`.
 */
function listeningSockets(table: string, port: number, decode: (hex: string) => string): ListeningSocket[] {
  const portSuffix = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const sockets: ListeningSocket[] = [];
  for (const line of table.split("\n").slice(1)) {
    const [, local, , state, , , , uid, , inode] = line.trim().split(/\s+/);
    if (!local?.endsWith(portSuffix) || state !== LISTEN || uid === undefined || inode === undefined) continue;
    sockets.push({ address: decode(local.slice(0, -portSuffix.length)), uid: Number(uid), inode });
  }
  return sockets;
}

/** The four bytes of one 32-bit word of a /proc/net address, in network order. */
function wordBytes(hex: string): number[] {
  const bytes = [0, 2, 4, 6].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
  return LITTLE_ENDIAN ? bytes.reverse() : bytes;
}

/** `0100007F` → `127.0.0.1` (on a little-endian host). */
function decodeIpv4(hex: string): string {
  return wordBytes(hex).join(".");
}

/** Four words, each in host order: `00000000000000000000000001000000` → `::1` (on a little-endian host). */
function decodeIpv6(hex: string): string {
  const bytes = [0, 8, 16, 24].flatMap((at) => wordBytes(hex.slice(at, at + 8)));
  const groups: string[] = [];
  for (let at = 0; at < 16; at += 2) groups.push((((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0)).toString(16));
  // SocketAddress prints the canonical form (inet_ntop's): zeros compressed, v4-mapped as ::ffff:127.0.0.1.
  return new SocketAddress({ address: groups.join(":"), family: "ipv6" }).address;
}

/**
 * The pids holding each socket inode, from the `socket:[INODE]` links in /proc/PID/fd. Every process is looked
 * at, not only until each inode has an owner: a socket shared by forked workers, or passed to a child, has
 * several, and each is reported. Processes of other users (EACCES) and ones that exit meanwhile (ENOENT) are
 * skipped; their sockets stay without an owner.
 */
async function findOwners(root: string, inodes: Set<string>, among?: string[]): Promise<Map<string, number[]>> {
  const owners = new Map<string, number[]>();
  const entries = among ?? (await readdir(root).catch(() => []));
  await Promise.all(
    entries.filter(isPid).map(async (entry) => {
      for (const { inode } of await fdSockets(`${root}/${entry}/fd`)) {
        if (!inodes.has(inode)) continue;
        const pids = owners.get(inode) ?? [];
        const pid = Number(entry);
        // A process can hold one socket in several fds (dup).
        if (!pids.includes(pid)) pids.push(pid);
        owners.set(inode, pids);
      }
    }),
  );
  return owners;
}

/** The sockets among the file descriptors in `dir` (/proc/PID/fd, links to `socket:[INODE]`); none where it cannot be read. */
async function fdSockets(dir: string): Promise<Array<{ fd: number; inode: string }>> {
  const fds = await readdir(dir).catch(() => []);
  const links = await Promise.all(fds.map(async (fd) => ({ fd: Number(fd), target: await readlink(`${dir}/${fd}`).catch(() => "") })));
  return links.filter(({ target }) => target.startsWith("socket:[")).map(({ fd, target }) => ({ fd, inode: target.slice("socket:[".length, -1) }));
}

function isPid(entry: string): boolean {
  return /^\d+$/.test(entry);
}

/** The command line from /proc/PID/cmdline (NUL-separated argv); undefined for kernel threads and zombies, whose is empty. */
async function readCommand(root: string, pid: number): Promise<string | undefined> {
  const text = await readOptional(`${root}/${pid}/cmdline`);
  const command = text?.split("\0").filter(Boolean).join(" ");
  return command || undefined;
}

/** The start time in clock ticks since boot, field 22 of /proc/PID/stat. */
async function readStartTicks(root: string, pid: number): Promise<number | undefined> {
  const text = await readOptional(`${root}/${pid}/stat`);
  const ticks = text === undefined ? undefined : parseStat(text)?.startTime;
  return ticks === undefined || Number.isNaN(ticks) ? undefined : ticks;
}

/** The effective uid, second of the four on the Uid line of /proc/PID/status. */
async function readUid(root: string, pid: number): Promise<number | undefined> {
  const match = /^Uid:\s+\d+\s+(\d+)/m.exec((await readOptional(`${root}/${pid}/status`)) ?? "");
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** When the machine booted, in seconds since the epoch: the btime line of /proc/stat. */
async function readBootTime(root: string): Promise<number | undefined> {
  const match = /^btime\s+(\d+)/m.exec((await readOptional(`${root}/stat`)) ?? "");
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * A uid → name lookup. Our own name comes from os.userInfo(), which also knows users that only a directory
 * service (LDAP, NSS) defines; others' from /etc/passwd, read once.
 */
async function userNames(): Promise<(uid: number) => string | undefined> {
  const names = new Map<number, string>();
  for (const line of ((await readOptional("/etc/passwd")) ?? "").split("\n")) {
    const [name, , uid] = line.split(":");
    if (name && uid && !names.has(Number(uid))) names.set(Number(uid), name);
  }
  try {
    const me = userInfo();
    names.set(me.uid, me.username);
  } catch {
    // a uid with no passwd entry, as in some containers
  }
  return (uid) => names.get(uid);
}
