import { createInterface } from "node:readline/promises";

/**
 * Asks a yes/no question on the terminal; only call it when stdin is a TTY (CI has no stdin, and
 * a run without one must never wait for an answer). Anything but y/yes is no.
 */
export async function confirmOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** True when a human can answer: stdin is a terminal. */
export function stdinIsTerminal(): boolean {
  return process.stdin.isTTY === true;
}
