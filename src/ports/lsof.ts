import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { PortHolder, PortLookup } from "./port-lookup.js";

// Who listens on a port where /proc cannot tell (macOS, the BSDs, a sandbox without /proc): lsof, with
// each process's command line and start time from ps.

/** lsof and ps can hang on a stale network mount; a lookup is worth a few seconds at most. */
const TOOL_TIMEOUT_MS = 5_000;

const execFileAsync = promisify(execFile);

/**
 * The lookup from `lsof` (macOS, the BSDs), with each process's command line and start time from `ps`. lsof only
 * lists what this user may see, so nothing is ever hidden. Where lsof is missing, method is "none".
 */
export async function lookupWithLsof(port: number): Promise<PortLookup> {
  // -F: one field a line, tagged by its first letter (p pid, c command name, u uid, L login, t IPv4/IPv6, n address).
  const output = await runTool("lsof", ["-nP", `-iTCP:${port}`, "-sTCP:LISTEN", "-F", "pcuLtn"]);
  if (output === undefined) return { port, holders: [], hidden: [], method: "none" };
  const holders = parseLsof(output);
  const details = await psDetails(holders.map((holder) => holder.pid));
  for (const holder of holders) {
    const detail = details.get(holder.pid);
    if (!detail) continue;
    holder.command = detail.command || holder.command;
    holder.startedAt = detail.startedAt;
  }
  return { port, holders, hidden: [], method: "lsof" };
}

/** A tool's output, even when it exits non-zero (lsof does when nothing matches); undefined when it is missing or times out. */
async function runTool(file: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(file, args, { encoding: "utf8", timeout: TOOL_TIMEOUT_MS, env: { ...process.env, LC_ALL: "C" } });
    return stdout;
  } catch (error) {
    const failure = error as { code?: unknown; killed?: boolean; stdout?: string };
    if (typeof failure.code !== "number" || failure.killed) return undefined;
    return failure.stdout ?? "";
  }
}

/** lsof's field output: a `p` line starts each process, and each `n` (address) follows its file's `t` (type). */
function parseLsof(output: string): PortHolder[] {
  const holders: PortHolder[] = [];
  let holder: PortHolder | undefined;
  let type = "";
  for (const line of output.split("\n")) {
    const value = line.slice(1);
    if (line.startsWith("p")) {
      holder = { pid: Number(value), command: undefined, uid: undefined, user: undefined, startedAt: undefined, addresses: [] };
      holders.push(holder);
    } else if (!holder) continue;
    else if (line.startsWith("c")) holder.command = value;
    else if (line.startsWith("u")) holder.uid = Number(value);
    else if (line.startsWith("L")) holder.user = value;
    else if (line.startsWith("t")) type = value;
    else if (line.startsWith("n")) {
      const host = value.slice(0, value.lastIndexOf(":")).replace(/^\[(.*)\]$/, "$1");
      // lsof writes the wildcard address as `*` for both families.
      const address = host === "*" ? (type === "IPv6" ? "::" : "0.0.0.0") : host;
      if (!holder.addresses.includes(address)) holder.addresses.push(address);
    }
  }
  return holders;
}

/** Command line and start time of each pid, from one `ps` call. */
async function psDetails(pids: number[]): Promise<Map<number, { command: string; startedAt: Date | undefined }>> {
  const details = new Map<number, { command: string; startedAt: Date | undefined }>();
  if (pids.length === 0) return details;
  // -ww: never cut the command to the terminal's width. lstart is five words (`Mon Nov 23 14:00:05 2026`), then comes the command.
  const output = await runTool("ps", ["-ww", "-o", "pid=", "-o", "lstart=", "-o", "command=", "-p", pids.join(",")]);
  for (const line of (output ?? "").split("\n")) {
    const match = /^\s*(\d+)\s+\S+\s+(\S+\s+\S+\s+\S+\s+\S+)\s+(.*)$/.exec(line);
    if (!match?.[1] || !match[2] || match[3] === undefined) continue;
    // The weekday is left out: Date.parse reads `Nov 23 14:00:05 2026` as local time.
    const started = Date.parse(match[2]);
    details.set(Number(match[1]), { command: match[3].trim(), startedAt: Number.isNaN(started) ? undefined : new Date(started) });
  }
  return details;
}
