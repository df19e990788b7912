// Parses an AsyncAPI document with @asyncapi/parser and prints its diagnostics as JSON.
// Run in a child process by the unit tests: the parser (Spectral rulesets) is heavy to load in jest.
import { readFileSync } from 'node:fs';
import parserPackage from '@asyncapi/parser';

const { Parser } = parserPackage;

const file = process.argv[2];
try {
  const { document, diagnostics } = await new Parser().parse(readFileSync(file, 'utf8'), { source: file });
  const out = diagnostics.map((d) => ({ severity: d.severity, code: d.code, message: d.message, path: d.path.join('/') }));
  process.stdout.write(JSON.stringify({ parsed: document !== undefined, version: document?.version(), diagnostics: out }));
} catch (error) {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(2);
}
