import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectNothingLeft, fixtureCommand, project, randomRange, readRecords, recordedPids, waitUntil, yaml } from "../support/helpers.js";
import { answer, fdCount, fdTargets, filesUnder, keepers, leftoverProcesses, loadCli } from "../support/load-helpers.js";

/**
 * `npm test` runs a few cycles and restarts; `npm run soak` sets SOAK_CYCLES=200 and SOAK_RESTARTS=50 for the
 * long run.
 */
const CYCLES = Number(process.env.SOAK_CYCLES ?? 8);
const RESTARTS = Number(process.env.SOAK_RESTARTS ?? 12);
/** A generous minute per cycle or restart: the machine is small and shared. */
const BUDGET_MS = 60_000;
/** Restarts before the supervisor's descriptors are counted: what it opens once (modules loaded on first use) is not a leak. */
const WARM_UP = 4;

/** Two services, one depending on the other; the marker in their names finds them among all processes. */
const SMALL_STACK = (range: string, marker: string) => yaml`
  name: soak
  ports: {range: ${range}}
  services:
    api:
      command: ${fixtureCommand(`--name ${marker}/api --record record.jsonl`)}
      health: {http: /, timeout: 2m}
    web:
      command: ${fixtureCommand(`--name ${marker}/web --record record.jsonl`)}
      depends_on: [api]
      health: {timeout: 2m}
`;

interface RecordedService {
  name: string;
  pid: number;
  port: number;
}

/** The services of the running soak stack, from its record. */
function running(state: string): RecordedService[] {
  const record = JSON.parse(readFileSync(join(state, "stacks", "soak@1.json"), "utf8")) as { services: RecordedService[] };
  return record.services.map(({ name, pid, port }) => ({ name, pid, port }));
}

describe("soak", () => {
  it(
    `starts and stops a stack ${CYCLES} times in one state folder without leaking a process, a state file or a descriptor`,
    async () => {
      const marker = `soak-${process.pid}-${Date.now()}`;
      const { dir, env, record, state } = project(SMALL_STACK(randomRange().text, marker));
      const ports = new Set<number>();
      let descriptors = 0;
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const up = await loadCli(["up", "-d"], dir, env);
        expect(up.exitCode, `cycle ${cycle}: ${up.all}`).toBe(0);
        const overseers = keepers(state, "soak");
        for (const service of running(state)) {
          expect(await answer(service.port), `cycle ${cycle}`).toEqual({ name: `${marker}/${service.name}`, port: service.port });
          ports.add(service.port);
        }
        const down = await loadCli(["down"], dir, env);
        expect(down.exitCode, `cycle ${cycle}: ${down.all}`).toBe(0);

        // down returns once the services are gone; the supervisor (and its watchdog) exit right after answering it.
        await waitUntil(() => leftoverProcesses([marker, state], overseers).length === 0, `cycle ${cycle}: nothing of the stack runs`, 60_000);
        // What stays after down: the last run's logs (until the next up) with what portmate did meanwhile (its
        // stop, at least) and the order of its services (their colours in `portmate logs`), and the sticky
        // ports. Nothing else: no record, no port or project lock, no control socket, no supervisor log.
        expect(filesUnder(state), `cycle ${cycle}`).toEqual([
          "logs/soak/1/api.log",
          "logs/soak/1/web.log",
          "logs/soak/portmate.events",
          "logs/soak/services.json",
          "sticky/soak.json",
        ]);
        // The test process's own descriptors, counted once its first cycle has opened what it keeps open.
        if (cycle === 1) descriptors = fdCount("self");
      }
      expect(fdCount("self"), "descriptors of the test process").toBeLessThanOrEqual(descriptors);
      // Sticky ports: every cycle got the same two ports back.
      expect(ports.size).toBe(2);
      await expectNothingLeft(recordedPids(record), [...ports]);
      expect(readRecords(record).filter((line) => line.event === "start")).toHaveLength(2 * CYCLES);
    },
    (CYCLES + 1) * BUDGET_MS,
  );

  it(
    `restarts a service of a detached stack ${RESTARTS} times: the supervisor's descriptors do not grow`,
    async () => {
      const marker = `restarts-${process.pid}-${Date.now()}`;
      const { dir, env, record, state } = project(SMALL_STACK(randomRange().text, marker));
      const up = await loadCli(["up", "-d"], dir, env);
      expect(up.exitCode, up.all).toBe(0);
      const overseers = keepers(state, "soak");
      const supervisor = overseers[0] as number;
      const ports = new Set(running(state).map((service) => service.port));

      let warm: string[] = [];
      for (let restart = 1; restart <= RESTARTS; restart++) {
        // Every fourth one on a new port: the allocator, the port locks and the rewiring of web get used too.
        const newPort = restart % 4 === 0;
        const result = await loadCli(["restart", "api", ...(newPort ? ["--new-port"] : [])], dir, env);
        expect(result.exitCode, `restart ${restart}: ${result.all}`).toBe(0);
        const services = running(state);
        for (const service of services) {
          expect(await answer(service.port), `restart ${restart}`).toEqual({ name: `${marker}/${service.name}`, port: service.port });
          ports.add(service.port);
        }
        // Exactly the ports in use are reserved: a moved port's lock went with it.
        expect(filesUnder(join(state, "ports")), `restart ${restart}`).toEqual(services.map((service) => `${service.port}.lock`).sort());
        if (restart === WARM_UP) warm = fdTargets(supervisor);
      }
      // Every process replaced by a restart is gone: only the current api and web still run.
      const current = running(state).map((service) => service.pid);
      const replaced = recordedPids(record).filter((pid) => !current.includes(pid));
      expect(replaced.length).toBeGreaterThanOrEqual(RESTARTS);
      await expectNothingLeft(replaced, []);
      expect(fdTargets(supervisor), "the supervisor's descriptors after warm-up and at the end").toEqual(warm);

      const down = await loadCli(["down"], dir, env);
      expect(down.exitCode, down.all).toBe(0);
      await waitUntil(() => leftoverProcesses([marker, state], overseers).length === 0, "nothing of the stack runs", 60_000);
      await expectNothingLeft(recordedPids(record), [...ports]);
      expect(filesUnder(join(state, "ports"))).toEqual([]);
    },
    (RESTARTS + 2) * BUDGET_MS,
  );
});
