import { isSecretKey, urlPassword } from "../redaction.js";
import type { ConfigPath } from "./interpolate.js";
import { formatPath } from "./source-positions.js";

export interface ConfigSecrets {
  /** Formatted paths (`environments.production.state[0].url`) whose values are secret. */
  readonly secretPaths: string[];
  /** Secret values to mask anywhere in output, including every env-file value. */
  readonly secretValues: string[];
}

/**
 * A config value is secret when it took anything from the env file, when its key looks like a
 * credential (password, token, secret, key, ...), or when it is a URL carrying a password.
 */
export function findSecrets(
  config: unknown,
  envFilePaths: readonly ConfigPath[],
  envFileValues: readonly string[],
): ConfigSecrets {
  const fromEnvFile = new Set(envFilePaths.map(formatPath));
  const secretPaths: string[] = [];
  const secretValues = new Set<string>(envFileValues);

  const visit = (node: unknown, path: ConfigPath, secretKey: boolean): void => {
    if (typeof node === "string") {
      const formatted = formatPath(path);
      const password = urlPassword(node);
      // A webhook URL carries its token in the path (Slack, Teams): the whole URL is secret.
      const secretWhole = secretKey || isWebhookUrl(path);
      if (secretWhole || fromEnvFile.has(formatted) || password !== undefined) {
        secretPaths.push(formatted);
      }
      // A credential-named value is secret whole; a value built from env-file variables is secret
      // in its env-file parts (already in the set), so a URL keeps its host readable.
      if (secretWhole) secretValues.add(node);
      if (password !== undefined) secretValues.add(password);
      return;
    }
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) visit(item, [...path, index], secretKey);
      return;
    }
    if (node !== null && typeof node === "object") {
      for (const [key, item] of Object.entries(node)) {
        visit(item, [...path, key], secretKey || isSecretKey(key));
      }
    }
  };
  visit(config, [], false);
  return { secretPaths, secretValues: [...secretValues].filter((value) => value !== "") };
}

/** `...policy.notify[<n>].url`: a notification webhook's URL. */
function isWebhookUrl(path: ConfigPath): boolean {
  const n = path.length;
  return (
    n >= 4 &&
    path[n - 1] === "url" &&
    typeof path[n - 2] === "number" &&
    path[n - 3] === "notify" &&
    path[n - 4] === "policy"
  );
}
