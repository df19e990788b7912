import 'reflect-metadata';
import { run } from './cli';

void run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isInteractive: process.stderr.isTTY,
}).then((code) => {
  process.exitCode = code;
});
