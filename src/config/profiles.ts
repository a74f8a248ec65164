import { didYouMeanSuffix } from "../util/did-you-mean.js";
import type { PortmateConfig } from "./types.js";

/**
 * The active profiles: those given (`--profile`), else those of `PORTMATE_PROFILES` (comma-separated), as
 * compose reads `--profile` over `COMPOSE_PROFILES`.
 */
export function activeProfiles(given: readonly string[] | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const names = given?.length ? given : (env.PORTMATE_PROFILES ?? "").split(",");
  return [...new Set(names.map((name) => name.trim()).filter(Boolean))];
}

/** A warning for each active profile that no service of the config has (a typo, likely), with the likeliest one. */
export function unknownProfiles(config: PortmateConfig, profiles: readonly string[]): string[] {
  const known = [...new Set([...config.services.values()].flatMap((service) => service.profiles))];
  return profiles
    .filter((profile) => profile !== "*" && !known.includes(profile))
    .map(
      (profile) =>
        `no service has the profile "${profile}"${didYouMeanSuffix(profile, known)}: ${known.length ? `the profiles are ${known.join(", ")}` : "no service has profiles"}`,
    );
}
