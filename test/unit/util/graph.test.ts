import { describe, expect, it } from "vitest";
import { closure, findCycles, startOrder } from "../../../src/util/graph.js";

const graph = (entries: Record<string, string[]>) => new Map(Object.entries(entries));

describe("dependency graph", () => {
  it("orders every service after what it needs", () => {
    const order = startOrder(graph({ ui: ["backend"], admin: ["backend", "ui"], backend: ["db"], db: [] }));
    expect(order).toEqual(["db", "backend", "ui", "admin"]);
  });

  it("finds each cycle once, however it is entered", () => {
    const cycles = findCycles(graph({ a: ["b"], b: ["c"], c: ["a"], d: ["d"], e: ["a"] }));
    expect(cycles).toEqual([
      ["a", "b", "c", "a"],
      ["d", "d"],
    ]);
  });

  it("finds no cycle in a diamond", () => {
    expect(findCycles(graph({ a: ["b", "c"], b: ["d"], c: ["d"], d: [] }))).toEqual([]);
  });

  it("selects what the roots need, transitively, in graph order", () => {
    const g = graph({ db: [], backend: ["db"], ui: ["backend"], docs: [] });
    expect([...closure(g, ["ui"])]).toEqual(["db", "backend", "ui"]);
    expect([...closure(g, ["docs"])]).toEqual(["docs"]);
  });
});
