import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAsyncApiDocument } from './render';

// `npm run contracts:generate`: writes libs/contracts/asyncapi.yaml from the catalogue.
const target = join(__dirname, '..', '..', 'asyncapi.yaml');
writeFileSync(target, renderAsyncApiDocument());
process.stdout.write(`wrote ${target}\n`);
