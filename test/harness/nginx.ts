/**
 * A real nginx (Debian's, provision-system.sh nginx) terminating TLS in front of monitors, as an
 * agency would run it: a throw-away self-signed certificate made with openssl, its own config, pid,
 * logs and temp paths in a temp folder, one TLS port per upstream. Runs as root or not; started
 * under the harness' watchdog so it never outlives the test.
 */
import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { connect } from 'tls';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from './ports';
import { startService, tailFile, type ServiceProcess } from './processes';
import { waitFor } from '../support/wait';

export const NGINX = '/usr/sbin/nginx';

export interface NginxProxy {
  /** https://127.0.0.1:<port> per upstream, in the order given. */
  urls: string[];
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

/** `upstreams`: the monitors' http:// URLs; each gets its own TLS port. */
export async function startNginx(upstreams: string[]): Promise<NginxProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-nginx-'));
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'pipe' },
  );
  const ports = await Promise.all(upstreams.map(() => freePort()));
  const servers = upstreams.map(
    (upstream, i) => `
    server {
      listen 127.0.0.1:${ports[i]} ssl;
      ssl_certificate ${join(dir, 'cert.pem')};
      ssl_certificate_key ${join(dir, 'key.pem')};
      location / {
        proxy_pass ${upstream};
        # What a TLS-terminating proxy in front of the monitor sends (the README's example).
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      }
    }`,
  );
  // As root, nginx would switch its workers to nobody, who cannot write our temp folder.
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  writeFileSync(
    join(dir, 'nginx.conf'),
    `${user}
worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} info;
events { worker_connections 128; }
http {
  access_log ${join(dir, 'access.log')};
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
${servers.join('\n')}
}
`,
  );
  const logFile = join(dir, 'stdout.log');
  let service: ServiceProcess | undefined;
  const log = () => `${tailFile(logFile)}\n${tailFile(join(dir, 'error.log'))}`;
  try {
    // -e: the error log before the config is read (the default, /var/log/nginx, may not be writable).
    service = startService({
      command: NGINX,
      args: ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
      env: process.env,
      cwd: dir,
      logFile,
    });
    for (const port of ports) await waitForTls(port, service, log);
  } catch (err) {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    urls: ports.map((p) => `https://127.0.0.1:${p}`),
    dir,
    log,
    async stop() {
      await service?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForTls(port: number, service: ServiceProcess, log: () => string): Promise<void> {
  const handshake = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  await waitFor(
    `nginx to serve TLS on ${port}`,
    async () => {
      if (await handshake()) return true;
      // Thrown, not retried: an nginx that exited will not start serving.
      if (!service.isRunning()) throw new Error(`nginx exited before it served TLS on ${port}:\n${log()}`);
      return false;
    },
    { timeoutMs: 10_000, intervalMs: 50, detail: log },
  );
}
