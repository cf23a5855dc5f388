/**
 * The monitor's own version, from the package.json nearest above this file: monitor/package.json in
 * the repository (from src/ or from dist/), the installed package's own package.json elsewhere.
 */
import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';

let cached: string | undefined;

export function monitorVersion(): string {
  if (cached !== undefined) return cached;
  cached = 'unknown';
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
        if (typeof version === 'string') cached = version;
      } catch {
        // unreadable: 'unknown'
      }
      break;
    }
    if (dirname(dir) === dir) break;
  }
  return cached;
}
