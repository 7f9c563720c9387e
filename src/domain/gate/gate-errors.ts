import { closest } from "../config/suggest.js";
import { ShipsafeError } from "../errors.js";

/** The gate-related entries of the error catalogue (docs/cli.md#errors, docs/gates.md). */
export const gateErrors = {
  unknownGate(gate: string, env: string, known: readonly string[]): ShipsafeError {
    const suggestion = closest(gate, known);
    return new ShipsafeError({
      code: "GATE_UNKNOWN",
      kind: "usage",
      message: `no gate "${gate}" in environment ${env} (configured or built in: ${known.join(", ")})`,
      hint:
        suggestion !== undefined
          ? `did you mean "${suggestion}"?`
          : `define it under environments.${env}.gates.${gate}.checks in shipsafe.yaml (docs/gates.md)`,
    });
  },
  unknownSkip(gate: string, names: readonly string[], known: readonly string[]): ShipsafeError {
    const suggestion = names[0] === undefined ? undefined : closest(names[0], known);
    return new ShipsafeError({
      code: "GATE_SKIP_UNKNOWN",
      kind: "usage",
      message: `--skip names no check of gate "${gate}": ${names.join(", ")} (its checks: ${known.join(", ")})`,
      hint:
        suggestion !== undefined
          ? `did you mean --skip ${suggestion}?`
          : "pass the name of a check as the gate lists it (shipsafe gate <name> --json shows them)",
    });
  },
};
