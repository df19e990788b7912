// Every environment variable a service reads is described in docs/configuration.md, and
// deploy/.env.example names no variable that nothing reads. The variables are taken from the
// services' configuration classes (services/<name>/src/config.ts, the library classes each extends,
// and the classes each app loads with loadConfig), so a variable added there without a line in the
// reference fails this test.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8');

/** The variables a configuration class declares: its upper-case fields with a default. */
function fieldsOf(source: string, className: string): string[] {
  const start = source.indexOf(`class ${className}`);
  if (start < 0) throw new Error(`class ${className} not found`);
  const body = source.slice(start, source.indexOf('\n}', start));
  const fields = [...body.matchAll(/^\s+(?:override\s+)?([A-Z][A-Z0-9_]*)\s*(?::[^=;]+)?=/gm)].map((m) => m[1]);
  // the service's own defaults of shared variables, passed to ServiceConfig's constructor
  const defaults = /super\(\{([^}]*)\}\)/.exec(body)?.[1] ?? '';
  return [...fields, ...[...defaults.matchAll(/\b([A-Z][A-Z0-9_]*)\s*:/g)].map((m) => m[1])];
}

/** The file of the library (platform, security, personal-data...) that declares a class. */
function librarySourceOf(className: string): string {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.includes('spec') ? [join(dir, e.name)] : [],
    );
  const libraries = readdirSync(join(root, 'libs')).map((name) => join('libs', name, 'src')).filter((dir) => existsSync(join(root, dir)));
  const file = libraries.flatMap(walk).find((f) => new RegExp(`class ${className}\\b`).test(read(f)));
  if (!file) throw new Error(`class ${className} is not in libs/*/src`);
  return read(file);
}

/** Every variable one service reads, by where it is declared. */
function variablesOf(service: string): { own: string[]; shared: string[] } {
  const config = read('services', service, 'src', 'config.ts');
  const className = /export class (\w+)/.exec(config)![1];
  const own = fieldsOf(config, className);
  const shared: string[] = [];
  // the library classes it extends, to the root (ServiceConfig extends SecurityConfig)
  let parent = /class \w+ extends (\w+)/.exec(config)?.[1];
  while (parent) {
    const source = librarySourceOf(parent);
    shared.push(...fieldsOf(source, parent));
    parent = new RegExp(`class ${parent} extends (\\w+)`).exec(source)?.[1];
  }
  const sources = readdirSync(join(root, 'services', service, 'src'))
    .filter((f) => f.endsWith('.ts') && !f.includes('spec'))
    .map((file) => read('services', service, 'src', file));
  // the application the platform builds for the service (createServiceApp) loads its own classes
  if (sources.some((source) => source.includes('createServiceApp('))) sources.push(read('libs', 'platform', 'src', 'service-app.ts'));
  for (const source of sources) {
    for (const [, loaded] of source.matchAll(/loadConfig\((\w+)\)/g)) {
      if (loaded !== className) shared.push(...fieldsOf(librarySourceOf(loaded), loaded));
    }
  }
  return { own, shared };
}

const SERVICES = ['intake', 'transfer', 'custody', 'audit'];
const reference = read('docs', 'configuration.md');
/** The reference's sections: "## intake" → its text. */
const sections = Object.fromEntries(reference.split(/^## /m).slice(1).map((s) => [s.slice(0, s.indexOf('\n')).trim(), s]));
const describedIn = (text: string, variable: string) => new RegExp(`^\\| \`${variable}\` \\|`, 'm').test(text);

describe('the configuration reference (docs/configuration.md)', () => {
  it.each(SERVICES)('describes every variable %s reads, in its section or among those of every service', (service) => {
    const { own, shared } = variablesOf(service);
    expect(own.length).toBeGreaterThan(5);
    const missing = [
      ...own.filter((v) => !describedIn(sections[service] ?? '', v) && !describedIn(sections['Every service'], v)),
      ...shared.filter((v) => !describedIn(reference, v)),
    ];
    expect(missing).toEqual([]);
  });

  it('finds the variables of a configuration class, inherited and loaded ones included', () => {
    const intake = variablesOf('intake');
    expect(intake.own).toEqual(expect.arrayContaining(['PORT', 'DATABASE_SCHEMA', 'PROJECTION_ENABLED']));
    expect(intake.shared).toEqual(expect.arrayContaining(['DATABASE_URL', 'KAFKA_TOPIC_PREFIX', 'KAFKA_SASL_MECHANISM', 'AUTH_MODE', 'LOG_LEVEL']));
    expect(variablesOf('transfer').own).toContain('CLOCK_OFFSET_MS');
  });

  it('deploy/.env.example names only variables that a service or the Compose file reads', () => {
    const known = new Set([
      ...SERVICES.flatMap((s) => Object.values(variablesOf(s)).flat()),
      ...[...read('docker-compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]),
    ]);
    const named = [...read('deploy', '.env.example').matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((v) => !known.has(v))).toEqual([]);
  });
});
