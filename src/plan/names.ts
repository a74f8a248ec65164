/** The address services are reached on; `${host}` in templates. */
export const LOOPBACK = "127.0.0.1";

/** `backend`, `backend#2`: how a service of an instance is shown and addressed. */
export function serviceId(name: string, instance: number): string {
  return instance === 1 ? name : `${name}#${instance}`;
}

/** The name and instance of a service id: `backend#2` is backend of instance 2; `backend` is instance 1. */
export function parseServiceId(id: string): { name: string; instance: number } {
  const at = id.lastIndexOf("#");
  return at === -1 ? { name: id, instance: 1 } : { name: id.slice(0, at), instance: Number(id.slice(at + 1)) };
}

/** `BACKEND`, `MY_API` for `my-api`: the prefix of injected variables. */
export function envPrefix(name: string): string {
  return name.toUpperCase().replace(/-/g, "_");
}

/** The key of one port of one service of one instance in `Wiring.ports`: `2/backend/default`. */
export function portKey(instance: number, service: string, port: string): string {
  return `${instance}/${service}/${port}`;
}
