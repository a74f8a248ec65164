/**
 * Whether the user asked for a debugging run (`PORTMATE_DEBUG`, set and not `0`): stack traces of bugs, mapped
 * to the sources, so the ES module bundles (which carry source maps) run instead of the cached scripts.
 */
export function debugging(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return env.PORTMATE_DEBUG !== undefined && env.PORTMATE_DEBUG !== "" && env.PORTMATE_DEBUG !== "0";
}
