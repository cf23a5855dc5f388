/**
 * HANDOFF_TRUST_PROXY (issue 18 item 2): hops or addresses, as express's `trust proxy` takes them;
 * a bad value is refused with the variable, the value and the fix.
 */
import express from 'express';
import { ConfigError, loadConfig } from '../../monitor/src/config/env';

const TOKEN = 'a'.repeat(32);
const load = (value?: string) =>
  loadConfig({ HANDOFF_MONITOR_TOKEN: TOKEN, ...(value === undefined ? {} : { HANDOFF_TRUST_PROXY: value }) });

function problem(value: string): string {
  try {
    load(value);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.join('\n');
  }
  throw new Error(`expected HANDOFF_TRUST_PROXY=${value} to be refused`);
}

describe('HANDOFF_TRUST_PROXY', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['127.0.0.1', ['127.0.0.1']],
    [' loopback, 10.0.0.0/8 ,fd00::/8', ['loopback', '10.0.0.0/8', 'fd00::/8']],
    ['10.1.2.3/255.255.0.0', ['10.1.2.3/255.255.0.0']],
    ['linklocal,uniquelocal,::1', ['linklocal', 'uniquelocal', '::1']],
  ])('%p → %p, which express takes as its trust proxy setting', (value, expected) => {
    const { trustProxy } = load(value);
    expect(trustProxy).toEqual(expected);
    expect(() => express().set('trust proxy', trustProxy)).not.toThrow();
  });

  it.each([
    ['true', /^HANDOFF_TRUST_PROXY \(got "true"\) would trust the X-Forwarded-\* headers of every client.*set it to the number of proxies/],
    ['11', /^HANDOFF_TRUST_PROXY \(got "11"\) is more hops than a chain of proxies has \(at most 10\)/],
    [
      'nginx',
      /^HANDOFF_TRUST_PROXY \(got "nginx"\) "nginx" is not an IP address, a subnet such as 10\.0\.0\.0\/8, or one of loopback, linklocal, uniquelocal; set it to/,
    ],
    ['10.0.0.256', /"10\.0\.0\.256" is not an IP address/],
    ['10.0.0.0/33', /"10\.0\.0\.0\/33" has a bad prefix length: use 0 to 32 after the slash/],
    ['::1/129', /"::1\/129" has a bad prefix length: use 0 to 128/],
    ['loopback,,10.0.0.1', /has an empty entry between commas/],
    ['-1', /"-1" is not an IP address/],
  ])('%p is refused, naming the variable, the value and the fix', (value, message) => {
    expect(problem(value)).toMatch(message);
  });
});
