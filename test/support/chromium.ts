/** Debian's Chromium for the console's browser tests (the CI installs it in .ci/run). */
import { existsSync } from 'node:fs';

/** The browser binary: HORTON_CHROMIUM, else Debian's; one line naming the install command when missing. */
export function chromiumPath(): string {
  const candidates = [process.env.HORTON_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (!found) {
    throw new Error(
      'chromium is missing: install it with `apt-get update && apt-get install -y chromium` (as .ci/run does), or set HORTON_CHROMIUM',
    );
  }
  return found;
}
