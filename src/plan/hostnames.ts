/**
 * How a stack's services are named through the local proxy: the proxy's port, its scheme, and the checkout's
 * label when another checkout of the project runs under the plain names.
 */
export interface NameSettings {
  /** The proxy's port: the same for every project of the user. */
  port: number;
  https: boolean;
  /** The project the names are under: the stack's own, or, for a second checkout, the one both share. */
  project: string;
  /** A second checkout's label (its git branch, else its folder's name): `ui.LABEL.demo.localhost`. */
  checkout?: string;
}

/**
 * The stable name of one service of one instance (README, "Names"): `ui.demo.localhost` for instance 1,
 * `ui-2.demo.localhost` for instance 2, `ui.fix-login.demo.localhost` in a second checkout of the project.
 * Each part is made a DNS label: lower case, `_` and anything else not allowed turned into `-`.
 */
export function serviceHostname(project: string, service: string, instance: number, checkout?: string): string {
  const first = instance === 1 ? service : `${service}-${instance}`;
  return [first, checkout, project, "localhost"]
    .filter((part): part is string => part !== undefined)
    .map(dnsLabel)
    .join(".");
}

/** `Fix/Login_Form` → `fix-login-form`: a DNS label of at most 63 characters, never empty. */
export function dnsLabel(text: string): string {
  const label = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return label || "x";
}

/** `http://ui.demo.localhost:1356`, without the port when it is the scheme's own (80, 443). */
export function namedOrigin(hostname: string, names: Pick<NameSettings, "port" | "https">): string {
  const scheme = names.https ? "https" : "http";
  const implicit = names.https ? 443 : 80;
  return `${scheme}://${hostname}${names.port === implicit ? "" : `:${names.port}`}`;
}

/** The dashboard's name through the local proxy (`http://portmate.localhost:1356`): no project's, which all have a dot before `.localhost`. */
export const DASHBOARD_HOSTNAME = "portmate.localhost";
