/**
 * `${VAR}` interpolation over the parsed config tree. `$${` writes a literal `${`.
 *
 * Precedence: a variable defined in the env file wins over the process environment. The env file is
 * named explicitly on the command line for this run (`--env-file .env.prod`), so it is the more
 * specific intent; a stray variable exported in the operator's shell must not silently redirect a
 * production run to another database.
 */
export interface ConfigVars {
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  readonly envFile: Readonly<Record<string, string>>;
}

export type ConfigPath = readonly (string | number)[];

export interface InterpolationProblem {
  readonly path: ConfigPath;
  readonly message: string;
  readonly hint: string;
}

export interface Interpolated {
  readonly value: unknown;
  /** Paths of strings that took at least one value from the env file. */
  readonly envFilePaths: readonly ConfigPath[];
  readonly problems: readonly InterpolationProblem[];
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Resolves every `${VAR}` in the string leaves of `value`; unresolved strings are kept as written. */
export function interpolate(value: unknown, vars: ConfigVars): Interpolated {
  const envFilePaths: ConfigPath[] = [];
  const problems: InterpolationProblem[] = [];

  const visit = (node: unknown, path: ConfigPath): unknown => {
    if (typeof node === "string") {
      const result = interpolateString(node, vars);
      if (result.fromEnvFile) envFilePaths.push(path);
      for (const problem of result.problems) problems.push({ path, ...problem });
      return result.problems.length > 0 ? node : result.text;
    }
    if (Array.isArray(node)) return node.map((item, index) => visit(item, [...path, index]));
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) out[key] = visit(item, [...path, key]);
      return out;
    }
    return node;
  };

  return { value: visit(value, []), envFilePaths, problems };
}

interface StringResult {
  text: string;
  fromEnvFile: boolean;
  problems: { message: string; hint: string }[];
}

/** Interpolates one string; see the module comment for the syntax and precedence. */
export function interpolateString(input: string, vars: ConfigVars): StringResult {
  const problems: StringResult["problems"] = [];
  let text = "";
  let fromEnvFile = false;
  let i = 0;
  while (i < input.length) {
    if (input.startsWith("$${", i)) {
      text += "${";
      i += 3;
      continue;
    }
    if (!input.startsWith("${", i)) {
      text += input[i];
      i += 1;
      continue;
    }
    const end = input.indexOf("}", i + 2);
    const name = end === -1 ? "" : input.slice(i + 2, end);
    if (end === -1 || !VAR_NAME.test(name)) {
      problems.push({
        message: `invalid variable reference "${input.slice(i, end === -1 ? undefined : end + 1)}"`,
        hint: 'write ${NAME} with letters, digits and "_", or $${ for a literal "${"',
      });
      text += "${";
      i += 2;
      continue;
    }
    const fileValue = Object.hasOwn(vars.envFile, name) ? vars.envFile[name] : undefined;
    const value = fileValue ?? vars.processEnv[name];
    if (value === undefined) {
      problems.push({
        message: `missing variable \${${name}}`,
        hint: `set ${name} in the environment or in the env file given with --env-file`,
      });
    } else {
      text += value;
      if (fileValue !== undefined) fromEnvFile = true;
    }
    i = end + 1;
  }
  return { text, fromEnvFile, problems };
}

/** Escapes a literal string so that interpolation gives it back unchanged. */
export function escapeInterpolation(text: string): string {
  // A replacer function: in a replacement string "$$" would mean a single "$".
  return text.replaceAll("${", () => "$${");
}
