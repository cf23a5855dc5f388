/**
 * `<VAR>_FILE` for every secret variable (issue 18): the value is read from the file (Docker,
 * Kubernetes and systemd secrets), trailing newlines trimmed; setting both is an error naming both;
 * an unreadable or empty file is an error naming the variable and the path, never the content.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ConfigError, FILE_VARIABLES, loadConfig } from '../../monitor/src/config/env';

const TOKEN = 'f'.repeat(40);

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.join('\n');
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('<VAR>_FILE', () => {
  let dir: string;
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'handoff-secret-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('covers the token, the n8n API key, the alert URL and the database URL', () => {
    expect([...FILE_VARIABLES].sort()).toEqual(['HANDOFF_ALERT_WEBHOOK_URL', 'HANDOFF_MONITOR_DB', 'HANDOFF_MONITOR_TOKEN', 'N8N_API_KEY']);
  });

  it('reads each value from its file, trailing newline trimmed', () => {
    const config = loadConfig({
      HANDOFF_MONITOR_TOKEN_FILE: file('token', `${TOKEN}\n`),
      N8N_BASE_URL: 'http://127.0.0.1:5678',
      N8N_API_KEY_FILE: file('n8n', 'n8n-api-key-123\r\n'),
      HANDOFF_ALERT_WEBHOOK_URL_FILE: file('alert', 'https://hooks.slack.com/services/T000/B000/XXXX\n\n'),
      HANDOFF_MONITOR_DB_FILE: file('db', 'postgres://monitor:s3cret@db.internal:5432/handoff\n'),
    });
    expect(config.token).toBe(TOKEN);
    expect(config.n8n).toEqual({ baseUrl: 'http://127.0.0.1:5678', apiKey: 'n8n-api-key-123' });
    expect(config.alertWebhookUrl).toBe('https://hooks.slack.com/services/T000/B000/XXXX');
    expect(config.db).toBe('postgres://monitor:s3cret@db.internal:5432/handoff');
  });

  it('keeps inner whitespace and a value without a newline as they are', () => {
    expect(loadConfig({ HANDOFF_MONITOR_TOKEN_FILE: file('token', TOKEN) }).token).toBe(TOKEN);
    expect(loadConfig({ HANDOFF_MONITOR_TOKEN: TOKEN, HANDOFF_MONITOR_DB_FILE: file('db', '/var/lib/my monitor/ledger.db\n') }).db).toBe(
      '/var/lib/my monitor/ledger.db',
    );
  });

  it.each(FILE_VARIABLES.map((name) => [name]))('%s and %s_FILE both set is an error naming both', (name) => {
    const env: Record<string, string> = {
      HANDOFF_MONITOR_TOKEN: TOKEN,
      [name]: name === 'HANDOFF_MONITOR_TOKEN' ? TOKEN : 'x',
      [`${name}_FILE`]: file('v', 'y\n'),
    };
    const text = problems(env);
    expect(text).toContain(`${name} and ${name}_FILE are both set: keep one`);
  });

  it('an unreadable, missing or empty file names the variable and the path, never a value', () => {
    expect(problems({ HANDOFF_MONITOR_TOKEN_FILE: join(dir, 'nope') })).toBe(
      `HANDOFF_MONITOR_TOKEN_FILE (got "${join(dir, 'nope')}") cannot be read (no such file): point it at a file this user can read that holds HANDOFF_MONITOR_TOKEN`,
    );
    expect(problems({ HANDOFF_MONITOR_TOKEN_FILE: dir })).toMatch(
      /^HANDOFF_MONITOR_TOKEN_FILE \(got ".*"\) cannot be read \(it is a folder\)/,
    );
    expect(problems({ HANDOFF_MONITOR_TOKEN_FILE: file('empty', '\n') })).toMatch(
      /^HANDOFF_MONITOR_TOKEN_FILE \(got ".*empty"\) names an empty file: put the value of HANDOFF_MONITOR_TOKEN in it$/,
    );
    if (process.getuid?.() !== 0) {
      const locked = file('locked', 'secret-api-key\n');
      chmodSync(locked, 0o000);
      const text = problems({ HANDOFF_MONITOR_TOKEN: TOKEN, N8N_BASE_URL: 'http://127.0.0.1:5678', N8N_API_KEY_FILE: locked });
      expect(text).toMatch(/^N8N_API_KEY_FILE \(got ".*locked"\) cannot be read \(permission denied\)/);
      expect(text).not.toContain('secret-api-key');
    }
  });

  it('a value read from a file is validated like any other, and a secret stays hidden', () => {
    const text = problems({ HANDOFF_MONITOR_TOKEN_FILE: file('token', 'tiny-secret\n') });
    expect(text).toMatch(/^HANDOFF_MONITOR_TOKEN \(value hidden\) \(read from HANDOFF_MONITOR_TOKEN_FILE\) is too short/);
    expect(text).not.toContain('tiny-secret');
    const url = problems({ HANDOFF_MONITOR_TOKEN: TOKEN, HANDOFF_ALERT_WEBHOOK_URL_FILE: file('alert', 'hooks.example/secret-path\n') });
    expect(url).toMatch(
      /^HANDOFF_ALERT_WEBHOOK_URL \(value hidden\) \(read from HANDOFF_ALERT_WEBHOOK_URL_FILE\) must be a full http\(s\) URL/,
    );
    expect(url).not.toContain('secret-path');
  });

  it('an empty <VAR>_FILE counts as unset', () => {
    expect(loadConfig({ HANDOFF_MONITOR_TOKEN: TOKEN, N8N_API_KEY_FILE: '' }).n8n).toBeUndefined();
  });
});
