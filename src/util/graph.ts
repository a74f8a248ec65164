/**
 * The dependency graph of services: cycles, start order and the closure of a selection.
 * Works on plain `name → names it needs` maps so config rules and the plan share it.
 */

/** `name → names it needs` (its `depends_on`, and for selection also the services its templates refer to). */
export type DependencyMap = ReadonlyMap<string, readonly string[]>;

/** Every dependency cycle, each as the path that closes it (`["a", "b", "a"]`), each reported once. */
export function findCycles(graph: DependencyMap): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];

  const visit = (name: string) => {
    state.set(name, "visiting");
    stack.push(name);
    for (const next of graph.get(name) ?? []) {
      if (!graph.has(next)) continue;
      const nextState = state.get(next);
      if (nextState === "visiting") {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const key = canonical(cycle);
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (nextState === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(name, "done");
  };

  for (const name of graph.keys()) if (!state.has(name)) visit(name);
  return cycles;
}

/** A cycle written from its smallest name, so `a→b→a` and `b→a→b` are the same cycle. */
function canonical(cycle: string[]): string {
  const ring = cycle.slice(0, -1);
  const start = ring.indexOf([...ring].sort()[0] ?? "");
  return [...ring.slice(start), ...ring.slice(0, start)].join("→");
}

/** Names in an order where every service comes after what it needs (graph must be acyclic). */
export function startOrder(graph: DependencyMap): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  const place = (name: string) => {
    if (placed.has(name)) return;
    placed.add(name);
    for (const next of graph.get(name) ?? []) if (graph.has(next)) place(next);
    order.push(name);
  };
  for (const name of graph.keys()) place(name);
  return order;
}

/** `roots` and everything they need, transitively, in the graph's own key order. */
export function closure(graph: DependencyMap, roots: Iterable<string>): Set<string> {
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name) || !graph.has(name)) return;
    wanted.add(name);
    for (const next of graph.get(name) ?? []) add(next);
  };
  for (const root of roots) add(root);
  return new Set([...graph.keys()].filter((name) => wanted.has(name)));
}
