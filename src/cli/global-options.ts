/** Options every command accepts (see docs/cli.md). */
export interface GlobalOptions {
  readonly config: string;
  readonly env: string | undefined;
  readonly envFile: string | undefined;
  readonly stateDir: string | undefined;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly color: boolean;
}

export const DEFAULT_CONFIG_FILE = "shipsafe.yaml";

/** Reads commander's merged global options into our typed shape. */
export function toGlobalOptions(raw: Record<string, unknown>, env: CliEnv): GlobalOptions {
  const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  return {
    config: str(raw.config) ?? DEFAULT_CONFIG_FILE,
    env: str(raw.env),
    envFile: str(raw.envFile),
    stateDir: str(raw.stateDir),
    json: raw.json === true,
    quiet: raw.quiet === true,
    // --no-color, NO_COLOR (https://no-color.org) and a non-terminal all turn color off.
    color: raw.color !== false && env.NO_COLOR === undefined && env.isTTY,
  };
}

export interface CliEnv {
  readonly NO_COLOR: string | undefined;
  readonly isTTY: boolean;
}
