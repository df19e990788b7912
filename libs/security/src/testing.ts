// Testing only: a ministry's identity provider whose keys are generated in memory. Never
// imported by production code (lint refuses it outside specs and test helpers).
export { TestIssuer } from './testing/test-issuer';
