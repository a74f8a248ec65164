import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../../src/util/duration.js";

describe("durations", () => {
  it.each([
    ["250ms", 250],
    ["5s", 5000],
    ["1.5s", 1500],
    ["1m", 60_000],
    ["1m30s", 90_000],
    ["2h", 7_200_000],
  ])("parses %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "30", "-1s", "5 s", "1d", "s", "1s2"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [850, "850ms"],
    [1234, "1.2s"],
    [42_000, "42s"],
    [125_000, "2m 5s"],
    [3_600_000, "1h 0m"],
    [9_960, "10s"],
    [59_999, "1m"],
    [119_600, "2m"],
    [3_599_999, "1h 0m"],
    [2 ** 31 - 1, "596h 31m"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
