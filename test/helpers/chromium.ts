import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Debian's Chromium, installed by scripts/install-system-packages.sh. */
export const CHROMIUM = "/usr/bin/chromium";

// Without the background-networking flags Chromium keeps dialling out, and this machine's closed
// network refuses it; a fresh profile keeps runs independent.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface HeadlessChromium {
  /** The browser's one (persistent) context: open pages with `context.newPage()`. */
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless Debian Chromium through playwright-core, with a new --user-data-dir in a temp dir.
 * Returns undefined when Chromium is not installed (the test skips) — except under CI=true,
 * where a missing browser is a failure, so CI cannot pass without running the browser test.
 */
export async function launchChromium(): Promise<HeadlessChromium | undefined> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === "true") {
      throw new Error(
        `${CHROMIUM} not found: run sh scripts/install-system-packages.sh (installs Debian's chromium)`,
      );
    }
    return undefined;
  }
  const profile = await mkdtemp(join(tmpdir(), "shipsafe-chromium-"));
  try {
    // Playwright passes the profile as --user-data-dir itself (it refuses the flag in args).
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      timeout: 60_000,
    });
    return {
      context,
      async close() {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
