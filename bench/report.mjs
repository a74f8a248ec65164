// The peer benchmarks' tables, for the terminal and for bench/results.md, and the targets they are read against.
import { median } from "./util.mjs";

const fixed = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "-");
const ratio = (value, base) => (Number.isFinite(value) && Number.isFinite(base) ? `${(value / base).toFixed(2)}×` : "-");

/** The runs that worked, and a note on those that did not. */
function ok(list = []) {
  return list.filter((result) => !result.error);
}

function failures(list = []) {
  const failed = list.length - ok(list).length;
  return failed ? ` (${failed} of ${list.length} runs failed)` : "";
}

function medianOf(list, key) {
  const values = ok(list).map((result) => result[key]);
  return values.length ? median(values) : Number.NaN;
}

/** The worst of what the runs left behind: most processes, then most ports. */
function worst(lefts) {
  return lefts.filter(Boolean).reduce((bad, left) => (!bad || left.processes + left.ports > bad.processes + bad.ports ? left : bad), undefined);
}

function leftText(left, toolStayed) {
  if (!left) return "-";
  const stayed = toolStayed ? ", and the tool itself" : "";
  if (left.processes === 0 && left.ports === 0) return `none${stayed}`;
  const wrappers = left.processes - left.servers;
  return `${left.servers} servers + ${wrappers} wrappers, ${left.ports} ports${stayed}`;
}

const nothingLeft = (left) => left !== undefined && left.processes === 0 && left.ports === 0;

/** Start-up, 10 instances and memory: one row per contender, medians with ratios to the bare script and portmate. */
export function summaryRows(measured) {
  const { contenders, start = {}, instances = {} } = measured;
  const startMs = (key) => medianOf(start[key], "startMs");
  const manyMs = (key) => medianOf(instances[key], "startMs");
  const rss = (key) => medianOf(start[key], "rssMiB");
  const header = [
    "tool",
    "gates on health",
    "start, 3 services (ms)",
    "× bare",
    "× portmate",
    `${measured.instanceCount} instances (ms)`,
    "× bare",
    "× portmate",
    "tool's RSS (MiB)",
    "× bare",
  ];
  const rows = contenders.map((contender) => {
    const { key } = contender;
    const many = instances[key] ? fixed(manyMs(key)) + failures(instances[key]) : "not run";
    return [
      contender.name,
      contender.gates ? "yes" : "no",
      fixed(startMs(key)) + failures(start[key]),
      ratio(startMs(key), startMs("bare")),
      ratio(startMs(key), startMs("portmate")),
      many,
      instances[key] ? ratio(manyMs(key), manyMs("bare")) : "",
      instances[key] ? ratio(manyMs(key), manyMs("portmate")) : "",
      fixed(rss(key), 1),
      ratio(rss(key), rss("bare")),
    ];
  });
  return [header, ...rows];
}

function stopLeft(stops) {
  return stops.length
    ? leftText(
        worst(stops.map((result) => result.left)),
        stops.some((result) => result.toolStayed),
      )
    : "";
}

/** Teardown: the stop as users do it, and SIGKILL of the tool, with what each left behind in the worst run. */
export function teardownRows(measured) {
  const { contenders, start = {}, kill = {}, instances = {} } = measured;
  const header = [
    "tool",
    "stopped with",
    "until every port closed (ms)",
    "left after the stop",
    `left after stopping ${measured.instanceCount} instances`,
    "killed with",
    "left at once",
    "3 s later",
    "after `portmate down`",
  ];
  const rows = contenders.map((contender) => {
    const stops = ok(start[contender.key]);
    const stopMs = median(stops.map((result) => result.stopMs));
    const kills = ok(kill[contender.key]);
    const killed = kill[contender.key] !== undefined;
    return [
      contender.name,
      contender.stopHow,
      Number.isNaN(stopMs) ? "not run" : Number.isFinite(stopMs) ? fixed(stopMs) : "never (> 5 s)",
      stopLeft(stops),
      instances[contender.key] ? stopLeft(ok(instances[contender.key])) : "not run",
      killed ? contender.killHow : "not run",
      killed ? leftText(worst(kills.map((result) => result.atOnce))) : "",
      killed ? leftText(worst(kills.map((result) => result.later))) : "",
      killed && contender.key.startsWith("portmate") ? leftText(worst(kills.map((result) => result.recovered))) : "",
    ];
  });
  return [header, ...rows];
}

/** The issue's targets, each with whether this run met it and the figures it was read from. */
export function targets(measured) {
  const { contenders, start = {}, kill = {}, instances = {} } = measured;
  const lines = [];
  const startMs = (key) => medianOf(start[key], "startMs");
  if (start.portmate) {
    const gating = contenders.filter((contender) => contender.gates && contender.key !== "bare" && !contender.key.startsWith("portmate"));
    const fastest = gating.reduce((best, contender) => (startMs(contender.key) < startMs(best.key) ? contender : best));
    const vsFastest = startMs("portmate") / startMs(fastest.key);
    const vsBare = startMs("portmate") / startMs("bare");
    lines.push(
      `portmate the fastest tool that health-gates dependencies: ${vsFastest < 1 ? "met" : "NOT met"} (${vsFastest.toFixed(2)}× the fastest other, ${fastest.name})`,
      `portmate up within 1.15× of the bare script that waits for the backend: ${vsBare <= 1.15 ? "met" : "NOT met"} (${vsBare.toFixed(2)}×)`,
    );
    if (start["portmate-d"] && start.pm2) {
      const vsPm2 = startMs("portmate-d") / startMs("pm2");
      lines.push(`portmate up -d faster than pm2's warm daemon (which waits for no health check): ${vsPm2 < 1 ? "met" : "NOT met"} (${vsPm2.toFixed(2)}×)`);
    }
    const rss = medianOf(start.portmate, "rssMiB") / medianOf(start.bare, "rssMiB");
    lines.push(`foreground up RSS within 1.15× of the bare script: ${rss <= 1.15 ? "met" : "NOT met"} (${rss.toFixed(2)}×)`);
    const supervisorRss = medianOf(start["portmate-d"], "rssMiB") / medianOf(start.bare, "rssMiB");
    lines.push(`supervisor (up -d) RSS within 1.15× of the bare script: ${supervisorRss <= 1.15 ? "met" : "NOT met"} (${supervisorRss.toFixed(2)}×)`);
    if (start["portmate-baseline"]) {
      const vsBaseline = startMs("portmate") / startMs("portmate-baseline");
      const rssVsBaseline = medianOf(start.portmate, "rssMiB") / medianOf(start["portmate-baseline"], "rssMiB");
      lines.push(`portmate up no slower than BENCH_BASELINE's: ${vsBaseline.toFixed(2)}× its start, ${rssVsBaseline.toFixed(2)}× its RSS`);
    }
  }
  const portmates = contenders.filter((contender) => contender.key.startsWith("portmate"));
  const cases = portmates.flatMap(({ key, name }) => [
    ...ok(start[key]).map((result) => ({ what: `${name}, stopped`, left: result.left, stayed: result.toolStayed })),
    ...ok(instances[key]).map((result) => ({ what: `${name}, ${measured.instanceCount} instances stopped`, left: result.left, stayed: result.toolStayed })),
    ...ok(kill[key]).map((result) => ({ what: `${name}, SIGKILL then \`portmate down\``, left: result.recovered })),
  ]);
  const failed = portmates.flatMap(({ key }) => [start, instances, kill].flatMap((section) => (section[key] ?? []).filter((result) => result.error)));
  if (cases.length || failed.length) {
    const bad = cases.filter((item) => !nothingLeft(item.left) || item.stayed);
    const why = [
      ...bad.map((item) => `${item.what}: ${leftText(item.left, item.stayed)}`),
      ...(failed.length ? [`${failed.length} runs failed, first: ${failed[0].error.split("\n")[0]}`] : []),
    ];
    lines.push(
      `nothing left in every portmate teardown, SIGKILL then \`portmate down\` included: ${why.length ? "NOT met" : "met"} (${cases.length} teardowns${why.length ? `; ${why.join("; ")}` : ""})`,
    );
    const killedOnly = portmates.flatMap(({ key }) => ok(kill[key]).map((result) => result.later));
    if (killedOnly.length) {
      const gone = killedOnly.every(nothingLeft);
      lines.push(`  and 3 s after SIGKILL, without \`portmate down\`: ${gone ? "nothing left" : `left: ${leftText(worst(killedOnly))}`}`);
    }
  }
  return lines;
}

/** The start-up phases of PORTMATE_TIMING=1, each timed from the mark before it (`from`; none: Node's start). */
const PHASES = [
  { phase: "loaded", name: "load: Node start → CLI loaded" },
  { phase: "config", from: "loaded", name: "config: read and checked" },
  { phase: "ports", from: "config", name: "ports: allocated, plan built" },
  { phase: "spawn", from: "ports", name: "first spawn" },
  { phase: "healthy", from: "spawn", name: "health: first spawn → all healthy" },
];

/** The bare script has no config or ports to see to: its first spawn is timed from its load. */
const bareStep = (step) => (step.phase === "spawn" ? { ...step, from: "loaded" } : step);
const bareSkips = (step) => step.phase === "config" || step.phase === "ports";

/** A phase's median ms over the runs that marked it and the mark before it. */
function phaseMs(list, { phase, from }) {
  const values = ok(list)
    .map(({ marks = {} }) => marks[phase] - (from === undefined ? 0 : marks[from]))
    .filter((value) => Number.isFinite(value));
  return values.length ? median(values) : Number.NaN;
}

/**
 * Where `portmate up` spends its start-up, phase by phase (medians of the marks of PORTMATE_TIMING=1), beside
 * `up -d` and the bare script, so a regression shows its phase. The last row is the harness's own clock, launch
 * to ready, which also holds the creation of the process and the pipe. Medians of phases need not add up to
 * the median of the total.
 */
export function phaseRows(measured) {
  const { start = {} } = measured;
  const keys = ["portmate", "portmate-d", "bare"].filter((key) => start[key]);
  const ms = (key, step) => (key !== "bare" ? phaseMs(start[key], step) : bareSkips(step) ? 0 : phaseMs(start.bare, bareStep(step)));
  const rows = PHASES.map((step) => [
    step.name,
    ...keys.map((key) => (key === "bare" && bareSkips(step) ? "-" : fixed(ms(key, step), 1))),
    fixed(ms("portmate", step) - ms("bare", step), 1),
  ]);
  const total = (key) => medianOf(start[key], "startMs");
  rows.push(["total, launch → ready (harness)", ...keys.map((key) => fixed(total(key), 1)), fixed(total("portmate") - total("bare"), 1)]);
  const names = { portmate: "portmate up", "portmate-d": "portmate up -d", bare: "bare script" };
  return [["phase (median ms)", ...keys.map((key) => names[key]), "up − bare"], ...rows];
}
