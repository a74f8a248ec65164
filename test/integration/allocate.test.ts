import { describe, expect, it } from "vitest";
import { allocatePorts, type AllocationNote, type PortRequest } from "../../src/ports/allocate.js";
import { describeNote } from "../../src/stack/up.js";
import { isPortFree } from "../../src/ports/probe.js";
import { occupy, randomRange } from "../support/helpers.js";

const requests = (count: number, preferred: Record<number, number> = {}): PortRequest[] =>
  Array.from({ length: count }, (_, index) => ({ key: `s${index}`, label: `s${index}`, ...(preferred[index] ? { preferred: preferred[index] } : {}) }));

/** The real probe, recording every port it is asked about and its answer. */
function countingProbe() {
  const asked: number[] = [];
  const free = new Set<number>();
  return {
    asked,
    free,
    probe: async (port: number) => {
      asked.push(port);
      const ok = await isPortFree(port);
      if (ok) free.add(port);
      return ok;
    },
  };
}

const HOSTS = ["0.0.0.0", "::", "127.0.0.1", "::1"];

describe("port allocation", () => {
  it("finds distinct free ports in a range where most ports are taken, in one scan", async () => {
    const range = randomRange(60);
    const taken = new Set<number>();
    for (let port = range.from; port <= range.to; port++) {
      if (port % 5 === 0) continue; // leave one port in five free
      if (await occupy(port, HOSTS[port % HOSTS.length] ?? "0.0.0.0")) taken.add(port);
    }
    const { asked, free, probe } = countingProbe();
    const allocation = await allocatePorts(requests(8), { range, probe });
    try {
      const ports = [...allocation.ports.values()];
      expect(ports).toHaveLength(8);
      expect(new Set(ports).size).toBe(8);
      for (const port of ports) {
        expect(port).toBeGreaterThanOrEqual(range.from);
        expect(port).toBeLessThanOrEqual(range.to);
        expect(taken.has(port)).toBe(false);
      }
      // One pass: no port asked about twice; the lowest free ports found, handed out in order.
      expect(new Set(asked).size).toBe(asked.length);
      expect(ports).toEqual([...free].sort((x, y) => x - y).slice(0, 8));
      expect(allocation.probes).toBe(asked.length);
    } finally {
      await allocation.release();
    }
  });

  it("honours a preferred port when it is free, and picks another when it is taken", async () => {
    const range = randomRange(40);
    const wanted = range.from + 10;
    const busy = range.from + 20;
    await occupy(busy, "127.0.0.1");
    const allocation = await allocatePorts(requests(2, { 0: wanted, 1: busy }), { range });
    try {
      expect(allocation.ports.get("s0")).toBe(wanted);
      const other = allocation.ports.get("s1");
      expect(other).not.toBe(busy);
      expect(other).not.toBe(wanted);
      expect(allocation.notes).toEqual([{ key: "s1", label: "s1", port: other, reason: "preferred-busy", wanted: busy }]);
    } finally {
      await allocation.release();
    }
  });

  it.each([
    ["IPv6 only", "::", true],
    ["IPv6 loopback", "::1", false],
    ["IPv4 loopback", "127.0.0.1", false],
    ["IPv4 wildcard", "0.0.0.0", false],
  ])("sees a port held on %s as taken", async (_name, host, ipv6Only) => {
    const range = randomRange(20);
    const holder = await occupy(range.from, host, ipv6Only);
    expect(holder, "the test could not occupy its port").toBeDefined();
    expect(await isPortFree(range.from)).toBe(false);
    const allocation = await allocatePorts(requests(1), { range });
    try {
      expect(allocation.ports.get("s0")).not.toBe(range.from);
    } finally {
      await allocation.release();
    }
  });

  it("falls back to a port from the OS when the range is exhausted, and says so", async () => {
    const range = randomRange(3);
    for (let port = range.from; port <= range.to; port++) await occupy(port, "0.0.0.0");
    const allocation = await allocatePorts(requests(2), { range });
    try {
      const ports = [...allocation.ports.values()];
      expect(new Set(ports).size).toBe(2);
      for (const port of ports) {
        expect(port < range.from || port > range.to).toBe(true);
        expect(await isPortFree(port)).toBe(true);
      }
      expect(allocation.notes.map((note) => note.reason)).toEqual(["os-assigned", "os-assigned"]);
    } finally {
      await allocation.release();
    }
  });

  it("never hands out a port twice within the process, even to allocations running at once", async () => {
    const range = randomRange(40);
    const allocations = await Promise.all(Array.from({ length: 5 }, () => allocatePorts(requests(6), { range })));
    try {
      const ports = allocations.flatMap((allocation) => [...allocation.ports.values()]);
      expect(ports).toHaveLength(30);
      expect(new Set(ports).size).toBe(30);
    } finally {
      await Promise.all(allocations.map((allocation) => allocation.release()));
    }
    // Released ports can be handed out again.
    const again = await allocatePorts(requests(1), { range });
    await again.release();
    expect(again.ports.get("s0")).toBeLessThanOrEqual(range.to);
  });

  it("never probes a port a shared reservation refuses, and gives back the reservation of a busy one", async () => {
    const range = randomRange(10);
    await occupy(range.from, "0.0.0.0");
    const refused = new Set([range.from + 1, range.from + 2]);
    const asked: number[] = [];
    const released: number[] = [];
    const { asked: probed, probe } = countingProbe();
    const allocation = await allocatePorts(requests(1), {
      range,
      probe,
      reservations: [{ claim: (port) => (asked.push(port), !refused.has(port)), release: (port) => void released.push(port) }],
    });
    expect(allocation.ports.get("s0")).toBe(range.from + 3);
    expect(asked).toEqual([range.from, range.from + 1, range.from + 2, range.from + 3]);
    // Reserved by another run: not even bound for a probe, which could make that run's service fail to bind.
    expect(probed).toEqual([range.from, range.from + 3]);
    expect(released).toEqual([range.from]);
    await allocation.release();
    await allocation.release();
    expect(released).toEqual([range.from, range.from + 3]);
  });

  it("fails a strict request whose preferred port is taken, naming the holder, and keeps nothing", async () => {
    const range = randomRange(10);
    const busy = range.from + 5;
    await occupy(busy, "::", true);
    const released: number[] = [];
    const attempt = allocatePorts([{ key: "api", label: "api", preferred: busy, strict: true }, ...requests(2)], {
      range,
      reservations: [{ claim: () => true, release: (port) => void released.push(port) }],
      explainBusy: async (port) => `the test (port ${port})`,
    });
    await expect(attempt).rejects.toMatchObject({
      exitCode: 3,
      message: `api: port ${busy} is taken by the test (port ${busy}); strict ports: nothing was started`,
    });
    // The preferred pass took nothing else yet, and the busy port's reservation was given back.
    expect(released).toEqual([busy]);
  });

  it("prefers last run's port when there is no preferred one, and says so when it is taken now", async () => {
    const range = randomRange(20);
    const sticky = range.from + 7;
    const taken = range.from + 9;
    await occupy(taken, "0.0.0.0");
    const allocation = await allocatePorts(
      [
        { key: "a", label: "a", sticky },
        { key: "b", label: "b", sticky: taken },
        { key: "c", label: "c", sticky: range.to + 1000 },
      ],
      { range },
    );
    try {
      expect(allocation.ports.get("a")).toBe(sticky);
      // b's last port is taken: it gets the lowest free one; c's is outside the range now: ignored quietly.
      expect(allocation.ports.get("b")).toBe(range.from);
      expect(allocation.ports.get("c")).toBe(range.from + 1);
      // a's last port won over lower free ones: one info line says so, and where a fresh scan would start.
      expect(allocation.notes).toEqual([
        { key: "b", label: "b", port: range.from, reason: "sticky-busy", wanted: taken },
        { key: "a", label: "a", port: sticky, reason: "sticky-kept", from: range.from + 2 },
      ]);
      expect(describeNote(allocation.notes[1] as AllocationNote)).toBe(`a: port ${sticky} as last time; --fresh-ports starts from ${range.from + 2}`);
    } finally {
      await allocation.release();
    }
  });

  it("says nothing of last run's ports that are the ones a fresh scan would give", async () => {
    const range = randomRange(20);
    const allocation = await allocatePorts(
      [
        { key: "a", label: "a", sticky: range.from },
        { key: "b", label: "b", sticky: range.from + 1 },
      ],
      { range },
    );
    try {
      expect([...allocation.ports.values()]).toEqual([range.from, range.from + 1]);
      expect(allocation.notes).toEqual([]);
    } finally {
      await allocation.release();
    }
  });

  it("says a taken preferred port and a taken last port in one line, not two", async () => {
    const range = randomRange(20);
    const preferred = range.from + 3;
    const last = range.from + 5;
    await occupy(preferred, "0.0.0.0");
    await occupy(last, "0.0.0.0");
    const allocation = await allocatePorts([{ key: "a", label: "a", preferred, sticky: last }], { range });
    try {
      expect(allocation.ports.get("a")).toBe(range.from);
      expect(allocation.notes).toHaveLength(1);
      expect(describeNote(allocation.notes[0] as AllocationNote)).toBe(
        `a: preferred port ${preferred} (and its last port ${last}) is taken; using ${range.from}`,
      );
    } finally {
      await allocation.release();
    }
  });

  it("never hands out a port it is told to avoid", async () => {
    const range = randomRange(10);
    const allocation = await allocatePorts(requests(2), { range, avoid: [range.from, range.from + 1] });
    try {
      expect([...allocation.ports.values()]).toEqual([range.from + 2, range.from + 3]);
    } finally {
      await allocation.release();
    }
  });
});
