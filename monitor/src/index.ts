/** The monitor as a library: what tests, benchmarks and the local stack start programmatically. */
export { createApp } from './app';
export { loadConfig, ConfigError } from './config/env';
export type { MonitorConfig } from './config/env';
export { parseContract, ContractError } from './contract/load';
export { startMonitor } from './server';
export type { RunningMonitor } from './server';
export { openStore } from './store';
export { createLogger } from './util/logger';
