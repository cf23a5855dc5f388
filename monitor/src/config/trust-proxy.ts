/**
 * HANDOFF_TRUST_PROXY: which reverse proxy in front of the monitor may tell it, through
 * X-Forwarded-Proto and X-Forwarded-Host, how the browser reached it. The value is what express's
 * `trust proxy` setting takes, minus `true` (trusting every client's headers): a hop count, or a
 * comma-separated list of addresses, subnets and the names loopback, linklocal and uniquelocal.
 * Unset (or `false`, `0`): nobody is trusted, and a proxy's headers are ignored.
 */
import { isIP } from 'net';

/** What `app.set('trust proxy', …)` gets: false, a hop count, or the trusted addresses. */
export type TrustProxy = false | number | string[];

const NAMED_SUBNETS = new Set(['loopback', 'linklocal', 'uniquelocal']);
/** More hops than any real chain of proxies: a bigger number is a typo. */
const MAX_HOPS = 10;

const FIX =
  'set it to the number of proxies in front of the monitor (1 for one nginx) or to their addresses (loopback, 10.0.0.5, 10.0.0.0/8), comma-separated';

/** One entry of an address list: an IP, a subnet (IP/prefix, or IPv4/netmask) or a named subnet. */
function addressProblem(entry: string): string | undefined {
  if (NAMED_SUBNETS.has(entry)) return undefined;
  const slash = entry.indexOf('/');
  const ip = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(ip);
  if (family === 0) return `"${entry}" is not an IP address, a subnet such as 10.0.0.0/8, or one of loopback, linklocal, uniquelocal`;
  if (slash === -1) return undefined;
  const range = entry.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (/^\d{1,3}$/.test(range) && Number(range) <= max) return undefined;
  if (family === 4 && isIP(range) === 4) return undefined; // a netmask, as 255.255.255.0
  return `"${entry}" has a bad prefix length: use 0 to ${max} after the slash`;
}

/** Parses the variable; `problem` is the message after "HANDOFF_TRUST_PROXY (got "…")". */
export function parseTrustProxy(
  raw: string | undefined,
): { value: TrustProxy; problem?: undefined } | { value?: undefined; problem: string } {
  const text = raw?.trim() ?? '';
  if (text === '' || /^(false|off|no)$/i.test(text)) return { value: false };
  if (/^(true|on|yes)$/i.test(text)) {
    return { problem: `would trust the X-Forwarded-* headers of every client, proxy or not; ${FIX}` };
  }
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > MAX_HOPS) return { problem: `is more hops than a chain of proxies has (at most ${MAX_HOPS}); ${FIX}` };
    return { value: hops === 0 ? false : hops };
  }
  const entries = text.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const problem = entry === '' ? 'has an empty entry between commas' : addressProblem(entry);
    if (problem) return { problem: `${problem}; ${FIX}` };
  }
  return { value: entries };
}

/** For messages and logs: the setting as a person wrote it. */
export const describeTrustProxy = (value: TrustProxy) =>
  value === false ? 'off' : typeof value === 'number' ? `${value} hop${value === 1 ? '' : 's'}` : value.join(', ');
