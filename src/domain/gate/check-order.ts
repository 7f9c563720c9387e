/** A check's place in its gate's order: the names it waits for (`after`). */
export interface OrderedCheck {
  readonly name: string;
  readonly after: readonly string[];
}

/** A dependency cycle among `after` references, as names ending where it started; else undefined. */
export function findCycle(checks: readonly OrderedCheck[]): string[] | undefined {
  const deps = new Map(checks.map((c) => [c.name, c.after]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "visiting") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "visiting");
    stack.push(node);
    for (const dep of deps.get(node) ?? []) {
      if (!deps.has(dep)) continue;
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const check of checks) {
    const found = visit(check.name);
    if (found) return found;
  }
  return undefined;
}

/**
 * Whether a check may run once its dependencies finished: it runs when each one passed, warned,
 * was inconclusive or was skipped; otherwise it is not run (its result would mean nothing).
 */
export function blockingDependencies(
  after: readonly string[],
  finished: ReadonlyMap<string, { readonly status: string }>,
): string[] {
  return after.filter((dep) => {
    const status = finished.get(dep)?.status;
    return status === "fail" || status === "error";
  });
}
