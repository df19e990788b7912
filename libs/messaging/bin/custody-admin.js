#!/usr/bin/env node
// custody-admin: registers the TypeScript loader of the workspace and runs the operator's CLI.
const path = require('node:path');
process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', '..', '..', 'tsconfig.base.json');
require('@swc-node/register');
require('../src/admin/main.ts');
