/** A few ANSI styles; all become identity functions when color is off. */
export interface Colors {
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

const style =
  (open: number, close: number) =>
  (s: string): string =>
    `\u001b[${open}m${s}\u001b[${close}m`;

export function createColors(enabled: boolean): Colors {
  if (!enabled) {
    const same = (s: string): string => s;
    return { red: same, green: same, yellow: same, dim: same, bold: same };
  }
  return {
    red: style(31, 39),
    green: style(32, 39),
    yellow: style(33, 39),
    dim: style(2, 22),
    bold: style(1, 22),
  };
}
