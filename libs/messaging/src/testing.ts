// Testing only: the messaging tests' harness (a schema, prefixed topics, a producer, an effects
// table), for the tests of the libraries that build on messaging, e.g. the signed commands of
// @custody/security. Never imported by production code (lint refuses it outside specs and test
// helpers).
export { Harness } from './testing/harness';
export type { EffectRow } from './testing/harness';
export { brokenCommandCases } from './testing/broken-commands';
export type { BrokenCommandCase } from './testing/broken-commands';
