// What a person sees in a terminal when portmate itself has a bug: one line, the stack stopped, exit 70.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectNothingLeft, fixtureCommand, project, randomRange, readRecords, recordedPids, ROOT, waitUntil, yaml } from "../support/helpers.js";
import { TerminalSession } from "../support/terminal.js";

const FAULT = ["--import", join(ROOT, "test", "fixtures", "fault.mjs")];
const LINE = /^portmate: internal error: injected fault: the write of a line threw — rerun with PORTMATE_DEBUG=1 and report it$/m;

function stack() {
  return project(yaml`
    ports: {range: ${randomRange().text}}
    services:
      api:
        command: ${fixtureCommand("--name api --record record.jsonl --grandchild --say-after 300 --say BOOM")}
        health: {http: /}
  `);
}

describe("a bug in portmate, in a terminal", () => {
  it("is one clear line; the stack is stopped and portmate exits 70", async () => {
    const { dir, env, record } = stack();
    const terminal = TerminalSession.start(["up"], { cwd: dir, env, nodeArgs: FAULT });
    await terminal.waitFor(/^SERVICE\s+PID/m);
    await waitUntil(() => readRecords(record).some((line) => line.event === "grandchild"), "the grandchild");
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(70);
    expect(text).toMatch(LINE);
    expect(text).not.toMatch(/^\s+at /m);
    // Never a line of the minified bundle.
    for (const line of text.split("\n")) expect(line.length, line.slice(0, 200)).toBeLessThan(200);
    await expectNothingLeft(recordedPids(record), []);
  });

  it("shows a stack trace into portmate's sources with PORTMATE_DEBUG=1", async () => {
    const { dir, env, record } = stack();
    const terminal = TerminalSession.start(["up"], { cwd: dir, env: { ...env, PORTMATE_DEBUG: "1" }, nodeArgs: FAULT });
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(70);
    expect(text).toMatch(LINE);
    expect(text).toMatch(/^\s+at .*src\/cli\/[a-z-]+\.ts:\d+:\d+/m);
    for (const line of text.split("\n")) expect(line.length, line.slice(0, 200)).toBeLessThan(300);
    await expectNothingLeft(recordedPids(record), []);
  });
});
