/** The gates shipsafe has built in (used when the environment's config does not define them). */
export const BUILT_IN_GATES = ["release", "rollback", "restore", "host"] as const;
export type BuiltInGate = (typeof BUILT_IN_GATES)[number];

/** Words `shipsafe gate` takes as subcommands, so no gate may be named so. */
export const RESERVED_GATE_NAMES = ["summary"] as const;
