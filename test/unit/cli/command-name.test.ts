import { describe, expect, it } from "vitest";
import { namedCommand } from "../../../src/cli/command-name.js";

describe("the command argv names", () => {
  it("skips the values of the global options before it", () => {
    expect(namedCommand(["-f", "other.yaml", "-p", "demo", "up", "-d"])).toBe("up");
    expect(namedCommand(["--env-file", "config", "ps"])).toBe("ps");
    expect(namedCommand(["--env-file", "a.env", "--env-file", "b.env", "config", "--json"])).toBe("config");
  });
});
