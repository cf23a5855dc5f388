/**
 * Secret shapes that used to pass the shared redaction (issue 18), the keys `constructor`, `prototype`
 * and `__proto__`, and the cost of redacting adversarial text: every pattern stays linear.
 */
import { REDACTED, isSecretKey, redact, redactString } from '../../protocol/redact';

const SECRET = 'Zq8xT0kenValue1234abcd';
// Shapes only: none of these is a real credential.
const PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  '-----END RSA PRIVATE KEY-----',
].join('\n');
const GOOGLE_KEY = 'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q';
const DISCORD_TOKEN = 'MTA4NzY1NDMyMTA5ODc2NTQzMg.GhIjKl.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';

describe('redactString: the shapes of issue 18', () => {
  it.each([
    ['Authorization: Token', `Authorization: Token ${SECRET}`, SECRET],
    ['Authorization: Bot (Discord)', `{"Authorization": "Bot ${SECRET}"}`, SECRET],
    ['an escaped JSON header', `{\\"authorization\\": \\"Token ${SECRET}\\"}`, SECRET],
    ['AWS_SECRET_ACCESS_KEY=', `export AWS_SECRET_ACCESS_KEY=${SECRET}`, SECRET],
    ['aws_secret_access_key: in YAML', `aws_secret_access_key: ${SECRET}`, SECRET],
    ['?auth=', `https://api.test/hook?auth=${SECRET}&x=1`, SECRET],
    ['?X-Amz-Signature=', `https://bucket.s3.amazonaws.com/f.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=${SECRET}`, SECRET],
    ['?X-Amz-Security-Token=', `https://bucket.s3.amazonaws.com/f.pdf?X-Amz-Security-Token=${SECRET}`, SECRET],
    ['a PEM private key', `key file:\n${PEM}\nthen more`, 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun'],
    ['a PEM private key cut short', `${PEM.slice(0, 90)}… [3000 chars]`, 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEeP'],
    ['a Google API key', `GET https://maps.googleapis.com/x?q=1 with ${GOOGLE_KEY} failed`, GOOGLE_KEY],
    ['a Discord bot token', `discord said 401 for ${DISCORD_TOKEN}`, DISCORD_TOKEN],
    ['sessionId=', `cookie jar: sessionId=${SECRET}; path=/`, SECRET],
    ['"session_id": "…"', `{"session_id": "${SECRET}"}`, SECRET],
    ['passcode: …', `passcode: ${SECRET}`, SECRET],
  ])('removes %s', (_name, input, secret) => {
    const out = redactString(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it.each([
    'tokens: 12345',
    'token_count: 5',
    'Token validation failed for deal 42',
    'session started at 10:00',
    'see https://api.test/x?author=dana&page=2',
    'BEGIN PUBLIC KEY is fine to show',
    'Authorization failed: HTTP 401',
  ])('leaves ordinary text alone: %s', (input) => {
    expect(redactString(input)).toBe(input);
  });

  it('keeps the header name and scheme readable around the cut', () => {
    expect(redactString(`Authorization: Token ${SECRET}`)).toBe(`Authorization: ${REDACTED}`);
    expect(redactString(`AWS_SECRET_ACCESS_KEY=${SECRET}`)).toBe(`AWS_SECRET_ACCESS_KEY=${REDACTED}`);
  });
});

describe('redact: keys', () => {
  it.each(['sessionId', 'session_id', 'passcode', 'Passcode', 'X-Session-Id'])('treats a key named %s as secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
    expect(redact({ [key]: SECRET })).toEqual({ [key]: REDACTED });
  });

  it('keeps `constructor` and `prototype` as ordinary data keys', () => {
    const input = JSON.parse('{"constructor": "Deal", "prototype": {"x": 1}, "nested": {"constructor": 5}}');
    expect(redact(input)).toEqual({ constructor: 'Deal', prototype: { x: 1 }, nested: { constructor: 5 } });
    expect(JSON.stringify(redact(input))).toBe('{"constructor":"Deal","prototype":{"x":1},"nested":{"constructor":5}}');
  });

  it('leaves `__proto__` inert: dropped, never a prototype of the copy', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "yes"}, "a": 1}');
    const out = redact(input) as Record<string, unknown>;
    expect(out).toEqual({ a: 1 });
    expect(out.polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('redaction cost stays linear', () => {
  const SIZE = 1_000_000;
  /**
   * Linear patterns take a few ms per MB; a quadratic one takes minutes on 1 MB. The bound sits far
   * between the two, so only a quadratic pattern crosses it, not a slow or busy machine.
   */
  const QUADRATIC_WOULD_TAKE_LONGER_MS = 10_000;
  const shapes: [string, string][] = [
    ['spaces', ' '.repeat(SIZE)],
    ['tabs and newlines', '\t\n'.repeat(SIZE / 2)],
    ['one word', 'a'.repeat(SIZE)],
    ['dashes and letters', 'a-'.repeat(SIZE / 2)],
    ['key words without values', 'token '.repeat(SIZE / 6)],
    ['separators after a key word', `password${' '.repeat(SIZE)}`],
    ['colons and spaces', ': '.repeat(SIZE / 2)],
    ['equals', '='.repeat(SIZE)],
    ['quotes', '"'.repeat(SIZE)],
    ['PEM headers without an end', '-----BEGIN PRIVATE KEY-----abc'.repeat(SIZE / 30)],
    ['URL starts', 'http://a:'.repeat(SIZE / 9)],
    ['query keys', '?auth=&token=&'.repeat(SIZE / 14)],
    ['authorization headers without a value', 'Authorization: '.repeat(SIZE / 15)],
    ['discord-like fragments', 'MTA4NzY1NDMyMTA5ODc2NTQzMg.'.repeat(SIZE / 27)],
  ];

  it.each(shapes)('%s: 1 MB in a time no quadratic pattern could reach', (_name, text) => {
    const started = performance.now();
    redactString(text);
    expect(performance.now() - started).toBeLessThan(QUADRATIC_WOULD_TAKE_LONGER_MS);
  });
});
