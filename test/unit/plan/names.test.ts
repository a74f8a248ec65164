import { describe, expect, it } from "vitest";
import { parseServiceId, serviceId } from "../../../src/plan/names.js";

describe("service ids", () => {
  it("read back as the name and instance they were made from", () => {
    for (const [name, instance] of [
      ["backend", 1],
      ["backend", 2],
      ["my-api", 12],
    ] as const) {
      expect(parseServiceId(serviceId(name, instance))).toEqual({ name, instance });
    }
    expect(serviceId("backend", 1)).toBe("backend");
    expect(serviceId("backend", 2)).toBe("backend#2");
  });
});
