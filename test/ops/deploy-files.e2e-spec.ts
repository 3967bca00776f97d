import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { loadConfig } from '../../src/config/app-config';

/**
 * The deployment files against what the app and docs/deploy.md rely on. No JSON schema of Cloud Run's
 * Knative service or of app.yaml is published on npm, so they are parsed and their keys checked here.
 */
const ROOT = join(__dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Probe {
  httpGet: { path: string; port: number };
}
interface KnativeService {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    template: {
      metadata: { annotations: Record<string, string> };
      spec: {
        serviceAccountName: string;
        containerConcurrency: number;
        timeoutSeconds: number;
        containers: {
          image: string;
          ports: { containerPort: number }[];
          env: { name: string; value: string }[];
          volumeMounts: { name: string; mountPath: string }[];
          startupProbe: Probe;
          livenessProbe: Probe;
        }[];
        volumes: { name: string; secret: { secretName: string; items: { key: string; path: string }[] } }[];
      };
    };
  };
}

describe('deploy/cloud-run/service.yaml', () => {
  const service = load(read('deploy/cloud-run/service.yaml')) as KnativeService;
  const template = service.spec.template;
  const [container] = template.spec.containers;
  const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));

  it('is a Knative service with startup and liveness probes on /healthz of the port the image listens on', () => {
    expect([service.apiVersion, service.kind, service.metadata.name]).toEqual(['serving.knative.dev/v1', 'Service', 'bookshelf']);
    expect(template.spec.containers).toHaveLength(1);
    expect(container.ports).toEqual([{ name: 'http1', containerPort: 8080 }]);
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 8080 });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 8080 });
    expect(template.spec.containerConcurrency).toBeGreaterThan(1);
    expect(template.spec.timeoutSeconds).toBe(60);
  });

  it('mounts the Cloud SQL instance that SQL_URL connects through', () => {
    const instance = template.metadata.annotations['run.googleapis.com/cloudsql-instances'];
    expect(instance).toBe('PROJECT_ID:REGION:bookshelf-sql');
    expect(env.SQL_URL).toContain(`host=/cloudsql/${instance}`);
  });

  it('takes every secret from a Secret Manager file pinned to a version, never latest', () => {
    const fileSettings = Object.entries(env).filter(([name]) => name.endsWith('_FILE'));
    expect(fileSettings.map(([name]) => name).sort()).toEqual([
      'GOOGLE_OAUTH2_CLIENT_SECRET_FILE',
      'SESSION_SECRET_FILE',
      'SQL_PASSWORD_FILE',
    ]);
    for (const [, path] of fileSettings) {
      const mount = container.volumeMounts.find((m) => path.startsWith(`${m.mountPath}/`));
      expect(mount).toBeDefined();
      const volume = template.spec.volumes.find((v) => v.name === mount!.name)!;
      expect(volume.secret.items).toEqual([{ key: expect.stringMatching(/^\d+$/), path: path.slice(mount!.mountPath.length + 1) }]);
    }
    for (const name of ['SESSION_SECRET', 'GOOGLE_OAUTH2_CLIENT_SECRET', 'SQL_PASSWORD']) expect(env).not.toHaveProperty(name);
  });

  it('is a configuration the app accepts in production, once the guide filled in its placeholders', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bookshelf-secrets-'));
    try {
      const filled: Record<string, string> = { NODE_ENV: 'production' };
      for (const [name, value] of Object.entries(env)) {
        filled[name] = value
          .replaceAll('PROJECT_NUMBER', '123456789012')
          .replaceAll('PROJECT_ID', 'my-project')
          .replaceAll('REGION', 'europe-west1')
          .replace('OAUTH_CLIENT_ID', '1234-abc.apps.googleusercontent.com');
        if (name.endsWith('_FILE')) {
          filled[name] = join(dir, name);
          writeFileSync(
            filled[name],
            `${name === 'SESSION_SECRET_FILE' ? 'ef08d8992c6774abac62fac5580c38b982a5f3161df6dee776d31b620848af99' : 'GOCSPX-x1y2z3'}\n`,
          );
        }
      }
      const config = loadConfig(filled);
      expect(config).toMatchObject({ production: true, trustProxy: 1, storageBackend: 'gcs', coverUrls: 'signed' });
      expect(config.sqlUrl).toBe('postgres://bookshelf:GOCSPX-x1y2z3@/bookshelf?host=/cloudsql/my-project:europe-west1:bookshelf-sql');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses the names docs/deploy.md creates: service account, secrets, instance, bucket, image repository', () => {
    const guide = read('docs/deploy.md');
    expect(guide).toContain('deploy/cloud-run/service.yaml');
    for (const name of [
      'bookshelf-run@',
      'bookshelf-sql',
      'bookshelf-covers',
      'docker.pkg.dev',
      ...template.spec.volumes.map((v) => v.secret.secretName),
    ]) {
      expect([name, guide.includes(name)]).toEqual([name, true]);
    }
    expect(container.image).toBe('REGION-docker.pkg.dev/PROJECT_ID/bookshelf/bookshelf:TAG');
    expect(guide).not.toMatch(/--region[= ](?!"?\$REGION)/);
  });
});

describe('app.yaml (App Engine flexible)', () => {
  const app = load(read('app.yaml')) as {
    runtime: string;
    env: string;
    env_variables: Record<string, string>;
    beta_settings: { cloud_sql_instances: string };
    liveness_check: { path: string };
    readiness_check: { path: string };
  };

  it('builds the Dockerfile, probes /healthz and /readyz, and mounts the instance SQL_URL connects through', () => {
    expect([app.runtime, app.env]).toEqual(['custom', 'flex']);
    expect(app.liveness_check.path).toBe('/healthz');
    expect(app.readiness_check.path).toBe('/readyz');
    expect(app.env_variables.SQL_URL).toContain(`/cloudsql/${app.beta_settings.cloud_sql_instances}`);
    expect(app.env_variables).toMatchObject({ NODE_ENV: 'production', TRUST_PROXY: '1' });
  });
});
