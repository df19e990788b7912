// `node tools/profile-summary.mjs <dir> [<before-dir>]`: summarises the V8 CPU profiles a benchmark
// run left in <dir> (NODE_OPTIONS="--cpu-prof --cpu-prof-dir=<dir>" npm run bench -- pipeline),
// one per service process: busy seconds, the top self-time functions and the packages they belong
// to. With <before-dir>, also what grew most between the two runs, in inclusive seconds, among the
// project's own functions (libs/, services/) and the packages. Only the first profile of each
// service is read (the single-instance part of the pipeline benchmark). docs/performance.md.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SERVICES = ['intake', 'transfer', 'custody', 'audit'];

function load(dir) {
  const services = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const service = SERVICES.find((name) => profile.nodes.some((n) => n.callFrame.url.includes(`services/${name}/src/main`)));
    if (!service || services[service]) continue;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const sampled = new Map();
    profile.samples.forEach((id, i) => sampled.set(id, (sampled.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const self = new Map();
    const inclusive = new Map();
    let busy = 0;
    for (const [id, micros] of sampled) {
      const frame = byId.get(id).callFrame;
      if (frame.functionName === '(idle)') continue;
      busy += micros;
      const name = functionName(frame);
      self.set(name, (self.get(name) ?? 0) + micros);
      const seen = new Set();
      for (let at = id; at !== undefined; at = parent.get(at)) {
        const key = groupOf(byId.get(at).callFrame);
        if (seen.has(key)) continue;
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
      }
    }
    services[service] = { busy, self, inclusive };
  }
  return services;
}

/** A function as `name file:line`, with paths cut to the package or the project's folder. */
function functionName(frame) {
  const where = frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/((libs|services)\/)/, '$1').replace(/^file:\/\//, '');
  return `${frame.functionName || '(anonymous)'} ${where}${where ? `:${frame.lineNumber + 1}` : ''}`;
}

/** What a frame counts towards inclusively: its npm package, or the project's function. */
function groupOf(frame) {
  const npm = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (npm) return `npm:${npm[1]}`;
  const own = /((libs|services)\/[^/]+\/src\/.*)$/.exec(frame.url);
  if (own) return `${own[1]}#${frame.functionName || '(anonymous)'}`;
  return `node:${frame.functionName || '(anonymous)'}`;
}

const seconds = (micros) => (micros / 1e6).toFixed(2);
const [dir, beforeDir] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node tools/profile-summary.mjs <profiles-dir> [<before-profiles-dir>]');
  process.exit(2);
}
const after = load(dir);
const before = beforeDir ? load(beforeDir) : undefined;
for (const service of SERVICES.filter((s) => after[s])) {
  const { busy, self, inclusive } = after[service];
  console.log(`\n## ${service}: ${seconds(busy)} s busy${before?.[service] ? ` (before: ${seconds(before[service].busy)} s)` : ''}`);
  console.log('\ntop self time:');
  for (const [name, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${((100 * micros) / busy).toFixed(1).padStart(5)}%  ${name}`);
  const packages = [...inclusive].filter(([k]) => k.startsWith('npm:')).sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`\npackages (inclusive): ${packages.map(([k, v]) => `${k.slice(4)} ${((100 * v) / busy).toFixed(0)}%`).join(', ')}`);
  if (before?.[service]) {
    const old = before[service].inclusive;
    const grown = [...new Set([...inclusive.keys(), ...old.keys()])]
      .filter((k) => !k.startsWith('node:'))
      .map((k) => [k, old.get(k) ?? 0, inclusive.get(k) ?? 0])
      .sort((a, b) => b[2] - b[1] - (a[2] - a[1]))
      .slice(0, 12);
    console.log('\ngrew most (inclusive seconds, before → after):');
    for (const [k, was, is] of grown) console.log(`  ${seconds(was).padStart(6)} → ${seconds(is).padStart(6)}  ${k}`);
  }
}
