// `npm run build`: the services and the libraries they use, compiled to JavaScript in dist/js/
// (the tree of the repository kept: dist/js/services/<name>/src/main.js). The image, Compose,
// `npm run dev`, the end-to-end harness and the benchmarks run the services from there, so that no
// TypeScript compiler, no run-time transform and no source kept in memory for it is part of a
// service process (docs/performance.md, "Memory"). The tests keep compiling at run time (jest).
//
// The same compilation as the run-time one (@swc/core, the settings of tsconfig.base.json: ES2023,
// CommonJS, legacy decorators with their metadata, no define semantics for class fields), the
// workspace's path aliases (@custody/<lib>) rewritten to relative paths. Test files are left out;
// files that are not TypeScript under a src/ folder (the audit UI's assets) are copied.
// Each run writes every file again and then removes whatever an earlier build left that this one did
// not write (a renamed or deleted source): nothing stale is left to be loaded. The files are replaced
// in place, not the folder, so a service already running from dist/js never finds it missing.
//   node tools/build.mjs [--quiet]
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const { transformFileSync } = require('@swc/core');

export const outDir = join(root, 'dist', 'js');
const TEST_FILE = /\.(spec|int-spec|e2e-spec|chaos-spec)\.ts$/;

function sourceFiles(dir, files = []) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) sourceFiles(full, files);
    else if (!TEST_FILE.test(name) && !name.endsWith('.d.ts')) files.push(full);
  }
  return files;
}

export function build({ quiet = false } = {}) {
  const started = Date.now();
  const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
  const options = {
    swcrc: false,
    jsc: {
      parser: { syntax: 'typescript', decorators: compilerOptions.experimentalDecorators },
      transform: {
        legacyDecorator: compilerOptions.experimentalDecorators,
        decoratorMetadata: compilerOptions.emitDecoratorMetadata,
        useDefineForClassFields: compilerOptions.useDefineForClassFields,
      },
      target: compilerOptions.target.toLowerCase(),
      keepClassNames: true,
      baseUrl: join(root, compilerOptions.baseUrl),
      paths: compilerOptions.paths,
    },
    module: { type: 'commonjs', noInterop: !compilerOptions.esModuleInterop },
    // Maps beside the files, without the sources (they stay in the repository): read only with --enable-source-maps.
    sourceMaps: true,
    inlineSourcesContent: false,
  };
  const written = new Set();
  let compiled = 0;
  let copied = 0;
  const projects = ['libs', 'services'].flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name, 'src')));
  for (const file of projects.filter(existsSync).flatMap((src) => sourceFiles(src))) {
    const target = join(outDir, relative(root, file));
    mkdirSync(dirname(target), { recursive: true });
    if (!file.endsWith('.ts')) {
      cpSync(file, target);
      written.add(target);
      copied++;
      continue;
    }
    const js = target.replace(/\.ts$/, '.js');
    const output = transformFileSync(file, { ...options, filename: file, sourceFileName: relative(dirname(js), file) });
    writeFileSync(js, `${output.code}\n//# sourceMappingURL=${basename(js)}.map\n`);
    writeFileSync(`${js}.map`, output.map);
    written.add(js).add(`${js}.map`);
    compiled++;
  }
  let removed = 0;
  const prune = (dir) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        prune(full);
        if (readdirSync(full).length === 0) rmSync(full, { recursive: true });
      } else if (!written.has(full)) {
        rmSync(full);
        removed++;
      }
    }
  };
  prune(outDir);
  if (!quiet) console.log(`build: ${compiled} files compiled, ${copied} copied to ${relative(root, outDir)}/${removed ? `, ${removed} stale removed` : ''} in ${Date.now() - started} ms`);
  return outDir;
}

if (process.argv[1] === import.meta.filename) build({ quiet: process.argv.includes('--quiet') });
