/**
 * A contract reload that yields an empty, truncated or oversized file keeps the last good contract
 * and logs why (issue 18: an empty file was installed as an empty contract, so typo'd handoff ids
 * went from 404 to 200; a 50 MB file froze the server for ~10 s).
 */
import fs, { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Writable } from 'stream';
import { createContractStore, MAX_CONTRACT_BYTES, type ContractStore } from '../../monitor/src/contract/store';
import { createLogger } from '../../monitor/src/util/logger';
import { KICKOFF_CONTRACT, startTestMonitor } from '../support/monitor';

let dir: string;
let file: string;
let logs: string[];
let contracts: ContractStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'handoff-contract-'));
  file = join(dir, 'handoffs.yaml');
  writeFileSync(file, KICKOFF_CONTRACT);
  logs = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  contracts = createContractStore({ file, required: true, logger: createLogger('info', sink) });
});
afterEach(() => {
  contracts.close();
  rmSync(dir, { recursive: true, force: true });
});

const rejected = (why: RegExp) => {
  const result = contracts.reload();
  expect(result.ok).toBe(false);
  expect(result.ok ? '' : result.error).toMatch(why);
  expect(contracts.current().handoffs.map((h) => h.id)).toEqual(['kickoff']);
  expect(contracts.status()).toMatchObject({ source: 'file', lastError: expect.stringMatching(why) });
  const line = logs.map((l) => JSON.parse(l)).find((l) => /contract reload rejected/.test(l.msg));
  expect(line?.err).toMatch(why);
};

describe('contract reload keeps the last good contract', () => {
  it.each([
    ['an empty file', ''],
    ['only whitespace', '\n\n   \n'],
    ['only comments', '# handoffs moved to another file\n'],
    ['a file cut before its handoffs', 'systems:\n  crm: { name: CRM, kind: crm }\n  taskboard: { name: Task board, kind: task_board }\n'],
  ])('refuses %s, saying it has no handoffs and how to remove them on purpose', (_name, text) => {
    writeFileSync(file, text);
    rejected(
      /has no handoffs: key \(empty, or cut short while being written\?\); keeping the contract in force \(1 handoff\)\. To remove every handoff on purpose, write "handoffs: \[\]"/,
    );
  });

  it('refuses a file cut in the middle of a handoff (the schema names what is missing)', () => {
    writeFileSync(file, KICKOFF_CONTRACT.slice(0, KICKOFF_CONTRACT.indexOf('owner:')));
    rejected(/owner: is required/);
  });

  it('accepts "handoffs: []" as a deliberate empty contract', () => {
    writeFileSync(file, 'handoffs: []\n');
    expect(contracts.reload()).toEqual({ ok: true });
    expect(contracts.current().handoffs).toEqual([]);
  });

  it('refuses an oversized file without reading it, naming the size and the cap', () => {
    writeFileSync(file, KICKOFF_CONTRACT);
    truncateSync(file, 50 * 1024 * 1024); // 50 MB (the tail is zeros; the size is what counts)
    // "Without reading it" is what keeps the server responsive (issue 18: ~10 s frozen on 50 MB):
    // asserted as no read at all, whatever the machine's speed.
    const reads = jest.spyOn(fs, 'readSync');
    const readFiles = jest.spyOn(fs, 'readFileSync');
    try {
      rejected(/is 50\.0 MB; a contract may be at most 512 KiB \(HANDOFF_CONTRACTS: is it the right file\?\)/);
      expect([reads.mock.calls.length, readFiles.mock.calls.length]).toEqual([0, 0]);
    } finally {
      reads.mockRestore();
      readFiles.mockRestore();
    }
  });

  it('accepts a file just under the cap', () => {
    writeFileSync(file, `${KICKOFF_CONTRACT}\n${'#'.repeat(MAX_CONTRACT_BYTES - KICKOFF_CONTRACT.length - 10)}\n`);
    expect(contracts.reload()).toEqual({ ok: true });
  });

  it('refuses an oversized file at start-up too', () => {
    truncateSync(file, MAX_CONTRACT_BYTES + 1);
    expect(() => createContractStore({ file, required: true, logger: createLogger('silent') })).toThrow(
      /a contract may be at most 512 KiB/,
    );
  });
});

describe('through the API', () => {
  it('an unknown handoff id stays a 404 after an empty reload', async () => {
    const m = await startTestMonitor();
    try {
      writeFileSync(m.contracts, '');
      expect(m.monitor.contracts.reload().ok).toBe(false);
      const typo = await m.post('/api/v1/claims', { handoff: 'kickof', items: [{ key: 'k1' }] });
      expect(typo.status).toBe(404);
      const ready = await m.request('GET', '/readyz');
      expect(ready.body.checks.contract).toBe('last reload rejected; serving the previous version');
    } finally {
      await m.close();
    }
  });
});
