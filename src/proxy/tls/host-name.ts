/** A DNS label: letters, digits and inner hyphens, 1 to 63 characters. */
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const LOCALHOST_NAME = new RegExp(`^(?:${LABEL}\\.)*localhost$`);

/**
 * The name, lowercased, when it is `localhost` or a name under it (`ui.demo.localhost`), the only names the
 * local CA signs; undefined for anything else (another domain, an address, a wildcard, a malformed name).
 */
export function localhostName(name: string): string | undefined {
  const lower = name.toLowerCase().replace(/\.$/, "");
  return lower.length <= 253 && LOCALHOST_NAME.test(lower) ? lower : undefined;
}
