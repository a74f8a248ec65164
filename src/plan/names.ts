/** The address services are reached on; `${host}` in templates. */
export const LOOPBACK = "127.0.0.1";

/** `backend`, `backend#2`: how a service of an instance is shown and addressed. */
export function serviceId(name: string, instance: number): string {
  return instance === 1 ? name : `${name}#${instance}`;
}

/** `BACKEND`, `MY_API` for `my-api`: the prefix of injected variables. */
export function envPrefix(name: string): string {
  return name.toUpperCase().replace(/-/g, "_");
}

/** The key of one port of one service of one instance in `Wiring.ports`: `2/backend/default`. */
export function portKey(instance: number, service: string, port: string): string {
  return `${instance}/${service}/${port}`;
}
