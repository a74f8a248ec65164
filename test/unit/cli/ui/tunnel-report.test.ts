import { describe, expect, it } from "vitest";
import { publicWarning } from "../../../../src/cli/ui/tunnel-report.js";

describe("the public URL warning", () => {
  it("warns that a public URL reaches the service for anyone", () => {
    expect(publicWarning("api#2", "https://abc.example")).toBe("api#2 is PUBLIC at https://abc.example: anyone who has this URL reaches it");
  });
});
