// Testing only: a ministry's identity provider, command-signing key and JWKS endpoint, their keys
// generated in memory. Never imported by production code (lint refuses it outside specs and test
// helpers).
export { TestIssuer } from './testing/test-issuer';
export { TestJwksServer, TestMinistry } from './testing/test-ministry';
export type { CommandMessage } from './testing/test-ministry';
