// Each service listens on the loopback interface unless HTTP_HOST says otherwise, and the image
// and Compose say otherwise (a container is reached through its own interface). The end-to-end
// clean start (clean-start.e2e-spec.ts) checks the address the four running processes bound.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@custody/config';
import { ServiceConfig } from '@custody/platform';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');
const SERVICES = ['intake', 'transfer', 'custody', 'audit'];

describe('The address each service listens on', () => {
  it('is 127.0.0.1 by default, HTTP_HOST otherwise, and no service sets a default of its own', () => {
    expect(new ServiceConfig().HTTP_HOST).toBe('127.0.0.1');
    expect(loadConfig(ServiceConfig, { HTTP_HOST: '0.0.0.0', AUTH_MODE: 'off' }).HTTP_HOST).toBe('0.0.0.0');
    for (const name of SERVICES) {
      expect({ name, setsHttpHost: readFileSync(join(root, 'services', name, 'src', 'config.ts'), 'utf8').includes('HTTP_HOST') }).toEqual({ name, setsHttpHost: false });
    }
  });

  it('is every interface in the image and in each Compose service', () => {
    expect(readFileSync(join(root, 'deploy', 'Dockerfile'), 'utf8')).toMatch(/^ENV .*\bHTTP_HOST=0\.0\.0\.0\b/m);
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { environment?: Record<string, unknown> }> };
    for (const name of SERVICES) expect({ name, HTTP_HOST: compose.services[name].environment?.HTTP_HOST }).toEqual({ name, HTTP_HOST: '0.0.0.0' });
  });
});
