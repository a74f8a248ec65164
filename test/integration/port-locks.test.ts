import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PortLocks } from "../../src/state/port-locks.js";
import { identify } from "../../src/process/process-tree.js";
import { onCleanup, randomRange, ROOT } from "../support/helpers.js";

function lockDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "portmate-locks-")), "ports");
  onCleanup(() => rmSync(join(dir, ".."), { recursive: true, force: true }));
  return dir;
}

/** A pid that surely belongs to no process any more: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn("true");
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid as number;
}

describe("cross-process port locks", () => {
  it("gives a port to one owner at a time, in private files, and frees it on release", () => {
    const dir = lockDir();
    const mine = PortLocks.forThisProcess(dir, "a");
    const theirs = new PortLocks(dir, { ...identify(process.ppid), project: "b" }); // a live process that is not us
    expect(mine.claim(20_001)).toBe(true);
    expect(theirs.claim(20_001)).toBe(false);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "20001.lock")).mode & 0o777).toBe(0o600);
    theirs.release(20_001); // not theirs: nothing happens
    expect(readdirSync(dir)).toEqual(["20001.lock"]);
    mine.release(20_001);
    expect(readdirSync(dir)).toEqual([]);
    expect(theirs.claim(20_001)).toBe(true);
  });

  it("reclaims the lock of an owner that died, and of a half-written lock left long ago", async () => {
    const dir = lockDir();
    new PortLocks(dir, { pid: await deadPid(), startTime: 0, project: "gone" }).claim(20_002);
    expect(PortLocks.forThisProcess(dir, "a").claim(20_002)).toBe(true);

    writeFileSync(join(dir, "20003.lock"), "");
    expect(PortLocks.forThisProcess(dir, "a").claim(20_003)).toBe(false); // maybe being written right now
    utimesSync(join(dir, "20003.lock"), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect(PortLocks.forThisProcess(dir, "a").claim(20_003)).toBe(true);
  });

  it("hands twenty processes allocating at the same instant twenty distinct sets of ports", async () => {
    const dir = lockDir();
    const range = randomRange(80);
    const children = Array.from({ length: 20 }, () =>
      spawn(process.execPath, [join(ROOT, "test", "fixtures", "allocate-child.mjs"), "--count", "3", "--range", range.text, "--locks", dir], {
        stdio: ["pipe", "pipe", "inherit"],
      }),
    );
    onCleanup(() => children.forEach((child) => child.kill("SIGKILL")));
    const outputs = children.map((child) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      return () => out;
    });
    const answer = (index: number, pattern: RegExp) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(outputs[index]?.() ?? "");
          if (match) resolve(match[1] ?? match[0]);
          else setTimeout(check, 5);
        };
        children[index]?.once("exit", (code) => reject(new Error(`child exited ${code} before answering`)));
        check();
      });
    // Everyone loaded and waiting; then the same "go" to all at once.
    await Promise.all(children.map((_, index) => answer(index, /^ready$/m)));
    for (const child of children) child.stdin.write("go\n");
    const sets = await Promise.all(children.map((_, index) => answer(index, /^(\[.*\])$/m).then((json) => JSON.parse(json) as number[])));
    const ports = sets.flat();
    expect(ports).toHaveLength(60);
    expect(new Set(ports).size).toBe(60);
    expect(readdirSync(dir).filter((name) => name.endsWith(".lock"))).toHaveLength(60);
    await Promise.all(
      children.map((child) => {
        child.stdin.end();
        return new Promise((resolve) => child.once("exit", resolve));
      }),
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});
