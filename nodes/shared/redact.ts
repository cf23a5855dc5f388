/**
 * Secret redaction for everything that leaves a handoff: incidents, checkpoints, alerts, logs.
 * Two nets: values under keys that name secrets, and values that look like credentials wherever
 * they sit. Both the nodes and the monitor apply it; the monitor never trusts that the nodes did.
 */

export const REDACTED = '[redacted]';

/** Key names that hold secrets (matched case-insensitively, ignoring -, _ and spaces). */
const SECRET_KEY = /(authorization|auth|token|secret|passw(or)?d|passphrase|pwd|apikey|api_?key|accesskey|privatekey|clientsecret|cookie|session|credential|signature|bearer|jwt|otp|pin)$/i;
const SECRET_KEY_ANYWHERE = /(password|secret|token|apikey|authorization|cookie|credential|privatekey)/i;

/** Value shapes that are credentials whatever key they sit under. */
const SECRET_VALUE_PATTERNS: RegExp[] = [
  /\bBearer\s+[A-Za-z0-9\-._~+/]{8,}=*/gi, // HTTP bearer tokens
  /\bBasic\s+[A-Za-z0-9+/]{8,}=*/g, // HTTP basic credentials
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, // JWTs
  /\b(sk|pk|rk)_(live|test)_[A-Za-z0-9]{10,}/g, // Stripe-style keys
  /\bsk-[A-Za-z0-9_-]{16,}/g, // API keys of the "sk-" family
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack tokens
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bn8n_api_[A-Za-z0-9]{10,}/g, // n8n API keys
  /(?<=:\/\/[^/\s:@]+:)[^@\s/]+(?=@)/g, // passwords inside URLs (user:pass@host)
  /(?<=[?&](?:token|key|api_key|apikey|secret|password|sig|signature|access_token)=)[^&\s#]+/gi, // secrets in query strings
  /(?<=hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9/_-]+/g, // Slack webhook URLs are credentials
  // `"api_key": "…"`, `X-Api-Key: …`, `password=…` inside a longer string (an error message quoting
  // the request it failed on): the key names a secret, so its value goes, whatever its shape.
  /(?<=["']?[A-Za-z0-9_-]*(?:token|secret|passw(?:or)?d|api[_-]?key|authorization|cookie|credential|private[_-]?key)["']?\s*[:=]\s*["']?)(?!\[redacted\])[^"'\s,;&}]{4,}/gi,
];

export function isSecretKey(key: string): boolean {
  const compact = key.replace(/[-_\s]/g, '');
  return SECRET_KEY.test(compact) || SECRET_KEY_ANYWHERE.test(compact);
}

export function redactString(value: string): string {
  let out = value;
  for (const pattern of SECRET_VALUE_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

export interface SampleLimits {
  /** Longest string kept; longer ones are cut with a note of the original length. */
  maxString: number;
  maxDepth: number;
  maxArray: number;
  maxKeys: number;
}

export const DEFAULT_SAMPLE_LIMITS: SampleLimits = { maxString: 500, maxDepth: 6, maxArray: 20, maxKeys: 50 };

/**
 * A redacted, size-capped copy of any JSON-like value. Extra secrets (e.g. the credential values a
 * node used) are replaced wherever they appear, even inside longer strings.
 */
export function redact(value: unknown, opts: { limits?: Partial<SampleLimits>; knownSecrets?: string[] } = {}): unknown {
  const limits = { ...DEFAULT_SAMPLE_LIMITS, ...opts.limits };
  const known = (opts.knownSecrets ?? []).filter((s) => typeof s === 'string' && s.length >= 4);
  const seen = new WeakSet<object>();

  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      let s = v;
      for (const secret of known) s = s.split(secret).join(REDACTED);
      s = redactString(s);
      return s.length > limits.maxString ? `${s.slice(0, limits.maxString)}… [${s.length} chars]` : s;
    }
    if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? String(v) : v;
    if (seen.has(v)) return '[circular]';
    if (depth >= limits.maxDepth) return Array.isArray(v) ? `[list of ${v.length}]` : '[object]';
    seen.add(v);
    if (Array.isArray(v)) {
      const head = v.slice(0, limits.maxArray).map((x) => walk(x, depth + 1));
      if (v.length > limits.maxArray) head.push(`… ${v.length - limits.maxArray} more`);
      return head;
    }
    const out: Record<string, unknown> = {};
    const keys = Object.keys(v);
    for (const key of keys.slice(0, limits.maxKeys)) {
      const child = (v as Record<string, unknown>)[key];
      out[key] = isSecretKey(key) && child !== null && child !== undefined && child !== '' ? REDACTED : walk(child, depth + 1);
    }
    if (keys.length > limits.maxKeys) out['…'] = `${keys.length - limits.maxKeys} more keys`;
    return out;
  };
  return walk(value, 0);
}

/**
 * A redacted sample that fits in `maxChars` of JSON: first with the normal limits, then with
 * tighter ones, then as a cut string — an incident needs a glimpse of the payload, not all of it.
 */
export function redactSample(value: unknown, maxChars: number, knownSecrets?: string[]): unknown {
  const tiers: Partial<SampleLimits>[] = [{}, { maxString: 200, maxArray: 5, maxKeys: 25, maxDepth: 4 }, { maxString: 60, maxArray: 3, maxKeys: 10, maxDepth: 3 }];
  let text = '';
  for (const limits of tiers) {
    const sample = redact(value, { limits, knownSecrets });
    text = JSON.stringify(sample) ?? 'null';
    if (text.length <= maxChars) return sample;
  }
  return `${text.slice(0, Math.max(0, maxChars - 20))}… [${text.length} chars]`;
}
