/**
 * The Grafana dashboard loads through file provisioning (issue 18 item 5): its panels pick Prometheus
 * through a `datasource` template variable, so a provisioned copy (which Grafana does not run through
 * the import dialog, leaving `${DS_PROMETHEUS}` unreplaced) still finds a data source; `__inputs` stays
 * for the UI import, whose choice preselects the variable. The provisioning example beside it parses
 * and points where its own instructions put the file.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';

const OBSERVABILITY = join(__dirname, '..', '..', 'monitor', 'observability');
const dashboard = JSON.parse(readFileSync(join(OBSERVABILITY, 'grafana-dashboard.json'), 'utf8'));

type Ref = { type?: string; uid?: string };
/** Every `datasource` reference in panels, their targets and the template variables, with where it sits. */
function references(): { where: string; ref: Ref }[] {
  const out: { where: string; ref: Ref }[] = [];
  const walk = (x: unknown, where: string) => {
    if (Array.isArray(x)) x.forEach((v, i) => walk(v, `${where}[${i}]`));
    else if (x && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        if (k === 'datasource') out.push({ where: `${where}.datasource`, ref: v as Ref });
        else walk(v, `${where}.${k}`);
      }
    }
  };
  walk(dashboard.panels, 'panels');
  walk(dashboard.templating.list, 'templating');
  return out;
}

describe('the Grafana dashboard under file provisioning', () => {
  const variable = dashboard.templating.list.find((v: { type: string }) => v.type === 'datasource');

  it('has a datasource variable for Prometheus', () => {
    expect(variable).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus', includeAll: false, multi: false });
  });

  it('every panel, query and variable uses that variable, none the import-only ${DS_PROMETHEUS}', () => {
    const refs = references();
    expect(refs.length).toBeGreaterThan(20);
    const wrong = refs.filter(
      ({ ref }) => !(ref?.type === 'prometheus' && (ref.uid === `\${${variable.name}}` || ref.uid === `$${variable.name}`)),
    );
    expect(wrong).toEqual([]);
    // ${DS_PROMETHEUS} appears only where the UI import replaces it: __inputs and the variable's preselection.
    const text = JSON.stringify({
      ...dashboard,
      __inputs: undefined,
      templating: { list: dashboard.templating.list.filter((v: unknown) => v !== variable) },
    });
    expect(text).not.toContain('DS_PROMETHEUS');
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
  });

  it('keeps a fixed uid and no numeric id, so provisioning updates one dashboard in place', () => {
    expect(dashboard.uid).toBe('handoff-guard-failed-sync');
    expect(dashboard.id ?? null).toBeNull();
  });
});

describe('the provisioning example', () => {
  const dir = join(OBSERVABILITY, 'grafana-provisioning');

  it('provides the dashboard from the folder its instructions install it to', () => {
    const text = readFileSync(join(dir, 'dashboards', 'handoff-guard.yml'), 'utf8');
    const config = parse(text);
    expect(config.apiVersion).toBe(1);
    expect(config.providers).toHaveLength(1);
    const [provider] = config.providers;
    expect(provider).toMatchObject({ type: 'file', options: { path: expect.stringMatching(/^\//) } });
    expect(text).toContain(`install -D -m 0644 grafana-dashboard.json ${provider.options.path}/grafana-dashboard.json`);
  });

  it('has an example Prometheus data source', () => {
    const config = parse(readFileSync(join(dir, 'datasources', 'prometheus.yml'), 'utf8'));
    expect(config.apiVersion).toBe(1);
    expect(config.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', access: 'proxy', url: expect.stringMatching(/^https?:\/\//) }),
    ]);
  });
});
