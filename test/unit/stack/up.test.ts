import { describe, expect, it } from "vitest";
import type { AllocationNote } from "../../../src/ports/allocate.js";
import { describeNote } from "../../../src/stack/up.js";

const note = (fields: Omit<AllocationNote, "key" | "label">): AllocationNote => ({ key: "1/api/default", label: "api", ...fields });

describe("allocation notes", () => {
  it("say why a service did not get the port it wanted, and which it got", () => {
    expect(describeNote(note({ port: 8001, reason: "preferred-busy", wanted: 8000 }))).toBe("api: preferred port 8000 is taken; using 8001");
    expect(describeNote(note({ port: 8001, reason: "preferred-busy", wanted: 8000, holder: "pid 42 (python3)" }))).toBe(
      "api: preferred port 8000 is taken by pid 42 (python3); using 8001",
    );
    expect(describeNote(note({ port: 10_000, reason: "preferred-busy", wanted: 8000, stickyBusy: 10_005 }))).toBe(
      "api: preferred port 8000 (and its last port 10005) is taken; using 10000",
    );
    expect(describeNote(note({ port: 10_000, reason: "sticky-busy", wanted: 10_005 }))).toBe("api: its last port 10005 is taken now; using 10000");
  });

  it("say when last run's port was kept, and when the OS gave one", () => {
    expect(describeNote(note({ port: 10_007, reason: "sticky-kept", from: 10_002 }))).toBe("api: port 10007 as last time; --fresh-ports starts from 10002");
    expect(describeNote(note({ port: 41_234, reason: "os-assigned" }))).toBe("api: every port of the range is taken; the OS assigned 41234");
  });
});
