/**
 * Shell entry (n8n-start.sh): a throwaway n8n with this node package installed, for poking at the
 * nodes by hand or from curl. Prints URL, login and API key; Ctrl-C stops it and removes its folder.
 * For the whole stack (monitor and mock systems too) use `npm start`.
 */
import { startN8n } from './n8n';

async function main() {
  const n8n = await startN8n({ port: process.env.HANDOFF_N8N_PORT ? Number(process.env.HANDOFF_N8N_PORT) : undefined });
  console.log(`n8n ${n8n.install.n8nVersion} at ${n8n.baseUrl}
  login    ${n8n.owner.email} / ${n8n.owner.password}
  API key  ${n8n.apiKey}
  folder   ${n8n.userFolder} (log: n8n.log)
Ctrl-C stops it.`);
  // n8n runs detached and unref'd; this timer is what keeps us (its owner) alive until Ctrl-C.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const stop = () => void n8n.stop().then(() => (clearInterval(keepAlive), process.exit(0)));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
