import { appendFileSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { endOfLines, LogWriter, readLastLines, readNewLines } from "../../../src/state/logs.js";
import { onCleanup } from "../../support/helpers.js";

function logFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "portmate-logs-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "svc", "api.log");
}

describe("service logs", () => {
  it("writes timestamped lines to a private file and reads the last ones back", () => {
    const path = logFile();
    const log = new LogWriter(path);
    for (let index = 1; index <= 5; index++) log.write(`line ${index}`, new Date(Date.UTC(2026, 0, 1, 0, 0, index)));
    log.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readLastLines(path, 2)).toEqual([
      { at: "2026-01-01T00:00:04.000Z", text: "line 4" },
      { at: "2026-01-01T00:00:05.000Z", text: "line 5" },
    ]);
  });

  it("rotates a file that grows past its cap, keeping the previous part readable", () => {
    const path = logFile();
    const log = new LogWriter(path, 1000);
    for (let index = 0; index < 100; index++) log.write(`line ${index} ${"x".repeat(20)}`);
    log.close();
    expect(statSync(path).size).toBeLessThanOrEqual(1000);
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(statSync(`${path}.1`).size).toBeLessThanOrEqual(1000);
    // 1000 bytes hold ~17 of these lines: the last 20 span the current file and the rotated one.
    const last = readLastLines(path, 20).map((line) => line.text.split(" ")[1]);
    expect(last.map(Number)).toEqual(Array.from({ length: 20 }, (_, index) => 80 + index));
  });

  it("reads the last lines of a long log from its end, whole, with characters cut between chunks intact", () => {
    const path = logFile();
    const log = new LogWriter(path);
    // ~15 MB of lines, each with a multi-byte character, so that reads of 64 KB cut lines and characters.
    for (let index = 0; index < 200_000; index++) log.write(`line ${index} ${"é".repeat(index % 50)} ${"z".repeat(index % 7)}`);
    log.close();
    const last = readLastLines(path, 3000);
    expect(last).toHaveLength(3000);
    expect(last.map((line) => Number(line.text.split(" ")[1]))).toEqual(Array.from({ length: 3000 }, (_, index) => 197_000 + index));
    expect(
      last.every((line, index) => line.text === `line ${197_000 + index} ${"é".repeat((197_000 + index) % 50)} ${"z".repeat((197_000 + index) % 7)}`),
    ).toBe(true);
    expect(readLastLines(path, 1)[0]?.text.startsWith("line 199999 ")).toBe(true);
  });

  it("follows only complete new lines, and starts again after a rotation", () => {
    const path = logFile();
    const log = new LogWriter(path, 200);
    log.write("one");
    let { lines, offset } = readNewLines(path, 0);
    expect(lines.map((line) => line.text)).toEqual(["one"]);
    log.write("two");
    ({ lines, offset } = readNewLines(path, offset));
    expect(lines.map((line) => line.text)).toEqual(["two"]);
    for (let index = 0; index < 10; index++) log.write(`filler ${index}`);
    ({ lines } = readNewLines(path, offset));
    expect(lines.length).toBeGreaterThan(0);
    log.close();
    // Followed from now on: from the end of its last complete line, a line being written left for later.
    appendFileSync(path, "2026-01-01T00:00:00.000Z half a li");
    const end = endOfLines(path);
    expect(end).toBe(statSync(path).size - "2026-01-01T00:00:00.000Z half a li".length);
    appendFileSync(path, "ne\n");
    expect(readNewLines(path, end).lines).toEqual([{ at: "2026-01-01T00:00:00.000Z", text: "half a line" }]);
    expect(endOfLines(join(path, "..", "none.log"))).toBe(0);
  });
});
