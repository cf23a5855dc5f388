/**
 * Secret redaction for everything that leaves a handoff: incidents, checkpoints, alerts, logs.
 * Two nets: values under keys that name secrets, and values that look like credentials wherever
 * they sit. Both the nodes and the monitor apply it; the monitor never trusts that the nodes did.
 */

export const REDACTED = '[redacted]';

/** Key names that hold secrets (matched case-insensitively, ignoring -, _ and spaces). */
const SECRET_KEY =
  /(authorization|auth|token|secret|passw(or)?d|passphrase|passcode|pwd|apikey|api_?key|accesskey|privatekey|clientsecret|cookie|session|sessionid|sessionkey|sessid|credential|signature|bearer|jwt|otp|pin)$/i;
const SECRET_KEY_ANYWHERE = /(password|passcode|secret|token|apikey|authorization|cookie|credential|privatekey|sessionid)/i;

/**
 * Key words whose value is a secret inside free text (`"api_key": "…"`, `X-Api-Key: …`,
 * `AWS_SECRET_ACCESS_KEY=…`, `sessionId=…`). The word must end the key: `tokens: 12` stays.
 */
const SECRET_WORD =
  'token|secret(?:[_-]?access)?(?:[_-]?key)?|passw(?:or)?d|passcode|passphrase|api[_-]?key|authorization|cookie|credentials?|private[_-]?key|session[_-]?(?:id|key|token)|client[_-]?secret';
/** A key's closing quote (maybe JSON-escaped), then `:` or `=`, then the value's opening quote. */
const SEPARATOR = `(?:\\\\?["'])?[ \\t]{0,10}[:=][ \\t]{0,10}(?:\\\\?["'])?`;
/** Query parameters that carry credentials (`?auth=`, `?X-Amz-Signature=`, `&access_token=`…). */
const SECRET_PARAM =
  'token|key|api_key|apikey|secret|password|passwd|pwd|passcode|auth|sig|signature|access_token|refresh_token|id_token|client_secret|session_?id|sessionid|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential';

/**
 * Value shapes that are credentials whatever key they sit under. Every pattern starts at a literal
 * or a bounded run and never looks back over an unbounded one, so redaction stays linear in the text
 * (an error page of a megabyte of indentation must not cost seconds).
 */
const SECRET_VALUE_PATTERNS: [RegExp, string][] = [
  // `Authorization: Token …`, `Bot …`, `Digest …`: the scheme and its credential both go.
  [
    new RegExp(`(authorization${SEPARATOR})(?!\\[redacted\\])(?:[A-Za-z][A-Za-z0-9_-]{0,20}[ \\t]+)?[^"'\\s,;\\\\]+`, 'gi'),
    `$1${REDACTED}`,
  ],
  [/\bBearer\s+[A-Za-z0-9\-._~+/]{8,}=*/gi, REDACTED], // HTTP bearer tokens
  [/\bBasic\s+[A-Za-z0-9+/]{8,}=*/g, REDACTED], // HTTP basic credentials
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, REDACTED], // JWTs
  [/\b(sk|pk|rk)_(live|test)_[A-Za-z0-9]{10,}/g, REDACTED], // Stripe-style keys
  [/\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED], // API keys of the "sk-" family
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, REDACTED], // Slack tokens
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, REDACTED], // GitHub tokens
  [/\bAKIA[0-9A-Z]{16}\b/g, REDACTED], // AWS access key ids
  [/\bn8n_api_[A-Za-z0-9]{10,}/g, REDACTED], // n8n API keys
  [/\bAIza[0-9A-Za-z_-]{35}/g, REDACTED], // Google API keys
  [/\b[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}/g, REDACTED], // Discord bot tokens
  // PEM private keys, also when cut short: everything up to the next run of dashes goes.
  [/-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY-----(?:[^-]|-(?!----))*(?:-----END[A-Z0-9 ]{0,40}PRIVATE KEY-----)?/g, REDACTED],
  [/(:\/\/[^/\s:@]{1,256}:)[^@\s/]{1,256}(?=@)/g, `$1${REDACTED}`], // passwords inside URLs (user:pass@host)
  [new RegExp(`([?&](?:${SECRET_PARAM})=)(?!\\[redacted\\])[^&\\s#]+`, 'gi'), `$1${REDACTED}`], // secrets in query strings
  [/(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9/_-]+/g, `$1${REDACTED}`], // Slack webhook URLs are credentials
  // `"api_key": "…"`, `X-Api-Key: …`, `password=…` inside a longer string (an error message quoting
  // the request it failed on): the key names a secret, so its value goes, whatever its shape.
  [new RegExp(`((?:${SECRET_WORD})${SEPARATOR})(?!\\[redacted\\])[^"'\\s,;&}\\\\]{4,}`, 'gi'), `$1${REDACTED}`],
];

export function isSecretKey(key: string): boolean {
  const compact = key.replace(/[-_\s]/g, '');
  return SECRET_KEY.test(compact) || SECRET_KEY_ANYWHERE.test(compact);
}

export function redactString(value: string): string {
  let out = value;
  for (const [pattern, replacement] of SECRET_VALUE_PATTERNS) out = out.replace(pattern, replacement);
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
      // JSON.parse makes `__proto__` an own key; copied by assignment it would become the copy's
      // prototype. It is never data a person needs, so it is dropped (`constructor` stays a key).
      if (key === '__proto__') continue;
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
  const tiers: Partial<SampleLimits>[] = [
    {},
    { maxString: 200, maxArray: 5, maxKeys: 25, maxDepth: 4 },
    { maxString: 60, maxArray: 3, maxKeys: 10, maxDepth: 3 },
  ];
  let text = '';
  for (const limits of tiers) {
    const sample = redact(value, { limits, knownSecrets });
    text = JSON.stringify(sample) ?? 'null';
    if (text.length <= maxChars) return sample;
  }
  return `${text.slice(0, Math.max(0, maxChars - 20))}… [${text.length} chars]`;
}
