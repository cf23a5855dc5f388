/**
 * runReplays: at most `concurrency` at once (measured with deferred promises, no timers), launched
 * in order, nothing new after the first failed_again, refused does not stop, results in order.
 */
import { runReplays, type ReplayAttempt } from '../../monitor/src/replay/pace';

interface Entry {
  key: string;
  handoff: string;
}
const entries = (n: number): Entry[] => Array.from({ length: n }, (_, i) => ({ key: `deal-${i + 1}`, handoff: 'kickoff' }));

/** A replayOne whose every call waits until the test settles it by key. */
function controlled() {
  const pending = new Map<string, (a: ReplayAttempt) => void>();
  const started: string[] = [];
  let running = 0;
  let peak = 0;
  const replayOne = (e: Entry) =>
    new Promise<ReplayAttempt>((resolve) => {
      started.push(e.key);
      running++;
      peak = Math.max(peak, running);
      pending.set(e.key, (a) => {
        running--;
        pending.delete(e.key);
        resolve(a);
      });
    });
  const settle = async (key: string, outcome: ReplayAttempt['outcome'] = 'recovered', message = `${key} ${outcome}`) => {
    const done = pending.get(key);
    if (!done) throw new Error(`${key} is not running (running: ${[...pending.keys()].join(', ') || 'none'})`);
    done({ outcome, message });
    await flush();
  };
  return { replayOne, settle, started, pending, peak: () => peak, running: () => running };
}

/** Lets every queued promise callback run (the pacer launches on later ticks). */
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('runReplays', () => {
  it('never runs more than `concurrency` at once, and launches in the given order', async () => {
    for (const concurrency of [1, 2, 3]) {
      const c = controlled();
      const done = runReplays(entries(7), { concurrency, replayOne: c.replayOne });
      await flush();
      expect(c.started).toHaveLength(concurrency);
      // Finish them out of order: the freed slot goes to the next entry in line.
      while (c.pending.size > 0) {
        const keys = [...c.pending.keys()];
        await c.settle(keys[keys.length - 1]);
        expect(c.running()).toBeLessThanOrEqual(concurrency);
      }
      const run = await done;
      expect(c.peak()).toBe(concurrency);
      expect(c.started).toEqual(entries(7).map((e) => e.key));
      expect(run.results.map((r) => [r.key, r.outcome])).toEqual(entries(7).map((e) => [e.key, 'recovered']));
      expect(run.stopped).toBeUndefined();
    }
  });

  it('defaults to 2 at once', async () => {
    const c = controlled();
    const done = runReplays(entries(5), { replayOne: c.replayOne });
    await flush();
    expect(c.started).toEqual(['deal-1', 'deal-2']);
    while (c.pending.size > 0) await c.settle([...c.pending.keys()][0]);
    await done;
    expect(c.peak()).toBe(2);
  });

  it('launches nothing new after the first failed_again; replays already running finish; the rest are skipped', async () => {
    const c = controlled();
    const done = runReplays(entries(6), { concurrency: 2, replayOne: c.replayOne });
    await flush();
    await c.settle('deal-1'); // deal-3 starts
    expect(c.started).toEqual(['deal-1', 'deal-2', 'deal-3']);
    await c.settle('deal-2', 'failed_again', 'task board still answers 503');
    expect(c.started).toEqual(['deal-1', 'deal-2', 'deal-3']); // nothing new
    expect(c.pending.has('deal-3')).toBe(true); // left to finish
    await c.settle('deal-3', 'recovered');
    const run = await done;
    expect(run.results.map((r) => [r.key, r.outcome])).toEqual([
      ['deal-1', 'recovered'],
      ['deal-2', 'failed_again'],
      ['deal-3', 'recovered'],
      ['deal-4', 'skipped'],
      ['deal-5', 'skipped'],
      ['deal-6', 'skipped'],
    ]);
    expect(run.stopped).toEqual({
      key: 'deal-2',
      reason: expect.stringMatching(/^deal-2 failed again: task board still answers 503; 3 replay\(s\) not started/),
    });
    expect(run.results[3].message).toMatch(/not started: the run stopped after deal-2/);
  });

  it('a second failed_again among those already running does not replace the first stop', async () => {
    const c = controlled();
    const done = runReplays(entries(4), { concurrency: 2, replayOne: c.replayOne });
    await flush();
    await c.settle('deal-2', 'failed_again');
    await c.settle('deal-1', 'failed_again');
    const run = await done;
    expect(run.stopped?.key).toBe('deal-2');
    expect(run.results.map((r) => r.outcome)).toEqual(['failed_again', 'failed_again', 'skipped', 'skipped']);
  });

  it('refused and error do not stop the run', async () => {
    const outcomes: Record<string, ReplayAttempt['outcome']> = {
      'deal-1': 'refused',
      'deal-2': 'error',
      'deal-3': 'refused',
      'deal-4': 'recovered',
    };
    const run = await runReplays(entries(4), {
      concurrency: 1,
      replayOne: async (e) => ({ outcome: outcomes[e.key], message: `completed meanwhile` }),
    });
    expect(run.results.map((r) => r.outcome)).toEqual(['refused', 'error', 'refused', 'recovered']);
    expect(run.stopped).toBeUndefined();
  });

  it('keeps the given order in the results however replays finish', async () => {
    const c = controlled();
    const done = runReplays(entries(3), { concurrency: 3, replayOne: c.replayOne });
    await flush();
    await c.settle('deal-3', 'refused');
    await c.settle('deal-1', 'recovered');
    await c.settle('deal-2', 'recovered');
    const run = await done;
    expect(run.results.map((r) => r.entry)).toEqual(entries(3));
  });

  it('a replayOne that throws (or resolves nonsense) is an error result, never an aborted run', async () => {
    const run = await runReplays(entries(3), {
      concurrency: 1,
      replayOne: (e) => {
        if (e.key === 'deal-1') throw new Error('boom');
        if (e.key === 'deal-2') return Promise.resolve({ outcome: 'maybe' } as unknown as ReplayAttempt);
        return Promise.resolve({ outcome: 'recovered', message: 'ok' });
      },
    });
    expect(run.results.map((r) => [r.outcome, r.message])).toEqual([
      ['error', 'boom'],
      ['error', 'the replay reported no outcome'],
      ['recovered', 'ok'],
    ]);
  });

  it('stopOn widens what stops the run', async () => {
    const run = await runReplays(entries(3), {
      concurrency: 1,
      stopOn: ['failed_again', 'error'],
      replayOne: async () => ({ outcome: 'error', message: 'n8n unreachable' }),
    });
    expect(run.results.map((r) => r.outcome)).toEqual(['error', 'skipped', 'skipped']);
    expect(run.stopped?.reason).toMatch(/^deal-1 ended with error: n8n unreachable/);
  });

  it('nothing to run resolves at once; a bad concurrency is refused', async () => {
    await expect(runReplays([], { replayOne: async () => ({ outcome: 'recovered', message: '' }) })).resolves.toEqual({ results: [] });
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      await expect(runReplays(entries(1), { concurrency, replayOne: async () => ({ outcome: 'recovered', message: '' }) })).rejects.toThrow(
        /concurrency must be a whole number/,
      );
    }
  });
});
