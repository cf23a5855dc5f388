/** The shared redaction: secrets by key name and by value shape, and the size-capped sample. */
import { REDACTED, redact, redactSample, redactString } from '../../protocol/redact';

const SECRET = 'Zq8xT0kenValue1234abcd';

describe('redactString', () => {
  it.each([
    [`Authorization: Bearer ${SECRET}`, SECRET],
    [`{"api_key":"${SECRET}","ok":true}`, SECRET],
    [`X-Api-Key: ${SECRET}`, SECRET],
    [`password=${SECRET}&user=dana`, SECRET],
    [`"client_secret": '${SECRET}'`, SECRET],
    [`https://hooks.slack.com/services/T000/B000/${SECRET}`, SECRET],
    [`https://api.test/x?token=${SECRET}`, SECRET],
    [`https://dana:${SECRET}@db.test/x`, SECRET],
  ])('removes the secret from %s', (input, secret) => {
    const out = redactString(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it.each(['deal 42 failed with HTTP 503', 'token_count: 5', 'tokens: 12345', 'see https://hooks.example.test/x'])(
    'leaves ordinary text alone: %s',
    (input) => {
      expect(redactString(input)).toBe(input);
    },
  );
});

describe('redact and redactSample', () => {
  it('redacts headers and body fields by name, keeping the rest', () => {
    const out = redact({ headers: { 'X-Auth-Token': SECRET, Cookie: SECRET, accept: 'json' }, body: { dealId: 7, apiKey: SECRET } });
    expect(out).toEqual({ headers: { 'X-Auth-Token': REDACTED, Cookie: REDACTED, accept: 'json' }, body: { dealId: 7, apiKey: REDACTED } });
  });

  it('fits the sample into the size asked for, tightening limits before cutting', () => {
    const big = { note: 'x'.repeat(10_000), rows: Array.from({ length: 500 }, (_, i) => ({ i, password: SECRET })) };
    for (const max of [200, 1_000, 5_000]) {
      const sample = redactSample(big, max);
      const text = typeof sample === 'string' ? sample : JSON.stringify(sample);
      expect(text.length).toBeLessThanOrEqual(max);
      expect(text).not.toContain(SECRET);
    }
    expect(redactSample({ a: 1 }, 100)).toEqual({ a: 1 });
  });
});
