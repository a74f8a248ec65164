import { describe, expect, it } from "vitest";
import { didYouMean } from "../../../src/util/did-you-mean.js";

const COMMANDS = ["up", "ps", "down", "logs", "port", "env", "config", "who", "restart", "export", "completion"];

describe("did you mean", () => {
  it.each([
    ["upp", "up"],
    ["dwon", "down"],
    ["resart", "restart"],
    ["Config", "config"],
    ["exprot", "export"],
  ])("takes %s for %s", (typo, meant) => {
    expect(didYouMean(typo, COMMANDS)).toBe(meant);
  });

  it("counts swapped neighbouring letters as one typo", () => {
    expect(didYouMean("bahs", ["bash", "zsh", "fish"])).toBe("bash");
  });

  it("allows one edit per three letters, at least one", () => {
    expect(didYouMean("backedn", ["backend"])).toBe("backend");
    expect(didYouMean("bcakedn", ["backend"])).toBe("backend");
    expect(didYouMean("bxckxdx", ["backend"])).toBeUndefined();
    expect(didYouMean("x", ["ps"])).toBeUndefined();
  });

  it("suggests nothing for a word far from every candidate, or without candidates", () => {
    expect(didYouMean("nosuch", COMMANDS)).toBeUndefined();
    expect(didYouMean("up", [])).toBeUndefined();
  });

  it("picks the closest of several candidates", () => {
    expect(didYouMean("pss", ["port", "ps"])).toBe("ps");
  });
});
