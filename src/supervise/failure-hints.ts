import type { ServiceRunner } from "./service-runner.js";

/** What some servers print when they refuse to start, and what to do about it. */
const KNOWN: Array<[RegExp, string]> = [
  [
    /Found another Vite \w+ process for this project/,
    "Vite runs one dev server per project folder: add --bypass-lock to its command to run several (portmate up -n N), each on its own port",
  ],
];

/** `; hint: …` for a service whose last run printed a known refusal; else "". */
export function failureHint(runner: ServiceRunner): string {
  const lines = runner.linesOfThisRun();
  const found = KNOWN.find(([pattern]) => lines.some((line) => pattern.test(line)));
  return found ? ` (${found[1]})` : "";
}
