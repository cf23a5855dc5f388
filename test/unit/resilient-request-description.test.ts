// The editor's defaults are literals (n8n's lint reads them), so they are held to the policy here.
import type { INodeProperties } from 'n8n-workflow';
import { DEFAULT_BACKOFF_POLICY } from '../../nodes/shared/backoff';
import { DEFAULT_ATTEMPT_TIMEOUT_MS, requestProperties } from '../../nodes/ResilientRequest/description';
import { ResilientRequest } from '../../nodes/ResilientRequest/ResilientRequest.node';

const retryOptions = (requestProperties.find((p) => p.name === 'retry')?.options ?? []) as INodeProperties[];
const defaultOf = (name: string) => retryOptions.find((o) => o.name === name)?.default;

describe('Resilient Request description', () => {
  it.each([
    ['maxAttempts', DEFAULT_BACKOFF_POLICY.maxAttempts],
    ['baseDelayMs', DEFAULT_BACKOFF_POLICY.baseDelayMs],
    ['maxDelayMs', DEFAULT_BACKOFF_POLICY.maxDelayMs],
    ['fullJitter', DEFAULT_BACKOFF_POLICY.fullJitter],
    ['totalBudgetSeconds', DEFAULT_BACKOFF_POLICY.totalBudgetMs / 1000],
    ['attemptTimeoutMs', DEFAULT_ATTEMPT_TIMEOUT_MS],
  ])('retry option %s defaults to the policy (%p)', (name, expected) => {
    expect(defaultOf(name)).toBe(expected);
  });

  it('declares two named outputs and a credential per authentication choice', () => {
    const { description } = new ResilientRequest();
    expect(description.outputNames).toEqual(['Success', 'Failed']);
    expect(description.outputs).toHaveLength(2);
    const choices = (requestProperties.find((p) => p.name === 'authentication')?.options ?? []).map((o) => (o as { value: string }).value);
    expect(description.credentials?.map((c) => c.name)).toEqual(choices.filter((c) => c !== 'none'));
  });

  it("takes the key from the Gate's _handoff.key by default", () => {
    expect(requestProperties.find((p) => p.name === 'keySource')?.default).toBe('field');
    expect(requestProperties.find((p) => p.name === 'keyField')?.default).toBe('_handoff.key');
  });
});
