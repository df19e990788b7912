import type { StartedContainers } from './infrastructure';

/** Stops the containers that globalSetup started, if any. */
export default async function globalTeardown(): Promise<void> {
  const containers = (globalThis as { __custodyContainers?: StartedContainers[] }).__custodyContainers ?? [];
  await Promise.all(containers.map((c) => c.stop()));
}
