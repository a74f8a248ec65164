import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
// The package as users import it (its `exports`, the built dist/), not a module inside it.
import { whoIs } from "portmate";

/** A server of another program on a port the OS chose; resolves once it listens. */
async function startServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["-e", "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port))"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [chunk] = (await once(child.stdout!, "data")) as [Buffer];
  return { child, port: Number(chunk.toString().trim()) };
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe("whoIs from the package", () => {
  const started: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of started.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await once(child, "exit");
      }
      expect(gone(child.pid!)).toBe(true);
    }
  });

  it("answers for a port with the port alone, as the README documents", async () => {
    const { child, port } = await startServer();
    started.push(child);
    const ownership = await whoIs(port);
    expect(ownership.port).toBe(port);
    expect(ownership.lookup.holders.map((holder) => holder.pid)).toContain(child.pid);
    expect(ownership.stacks).toEqual([]);
    expect(ownership.reservedBy).toBeUndefined();
  });

  it("looks for stacks in the state folder it is given", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "portmate-who-"));
    try {
      const { child, port } = await startServer();
      started.push(child);
      const ownership = await whoIs(port, { stateDir });
      expect(ownership.lookup.holders.map((holder) => holder.pid)).toContain(child.pid);
      expect(ownership.stacks).toEqual([]);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it("no longer names a process once it has closed the port", async () => {
    const { child, port } = await startServer();
    started.push(child);
    child.kill("SIGKILL");
    await once(child, "exit");
    // Another test may take the freed port at once: only the stopped server must be missing.
    const ownership = await whoIs(port);
    expect(ownership.lookup.holders.map((holder) => holder.pid)).not.toContain(child.pid);
  });
});
