import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { eventStoreContract } from '../contract/event-store.contract';
import { KurrentDbEventStore } from './kurrentdb-event-store';

const KURRENTDB_IMAGE = 'docker.kurrent.io/kurrent-latest/kurrentdb:25.1';

/**
 * Where this suite's KurrentDB comes from: KURRENTDB_CONNECTION_STRING, or a container when a
 * Docker engine answers. Jest registers suites synchronously, so the Docker probe (the shared
 * dockerAnswers helper) runs in a child process.
 */
function kurrentDbSource(): { kind: 'url'; url: string } | { kind: 'container' } | { kind: 'none'; reason: string } {
  const url = process.env.KURRENTDB_CONNECTION_STRING;
  if (url) return { kind: 'url', url };
  const helper = join(__dirname, '..', '..', '..', 'testing', 'src', 'infrastructure.ts');
  const probe = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', '-e', `require(${JSON.stringify(helper)}).dockerAnswers().then((ok) => process.exit(ok ? 0 : 1))`],
    { stdio: 'ignore', timeout: 30_000 },
  );
  if (probe.status === 0) return { kind: 'container' };
  return {
    kind: 'none',
    reason: 'no KurrentDB reachable (set KURRENTDB_CONNECTION_STRING, e.g. kurrentdb://127.0.0.1:2113?tls=false, or run where a Docker engine answers)',
  };
}

const source = kurrentDbSource();

if (source.kind === 'none') {
  const title = `KurrentDB contract suite — skipped: ${source.reason}`;
  // Jest does not list the tests of a file that skips them all: say it on the terminal too.
  process.stderr.write(`\n${title}\n`);
  describe('KurrentDbEventStore', () => {
    it.skip(title, () => undefined);
  });
} else {
  eventStoreContract('KurrentDbEventStore', async () => {
    let url: string;
    let stopContainer = async () => undefined;
    if (source.kind === 'url') {
      url = source.url;
    } else {
      const { KurrentDbContainer } = await import('@testcontainers/kurrentdb');
      // The contract appends 1 MiB events: raise the server's append limit above the default 1 MiB.
      const container = await new KurrentDbContainer(KURRENTDB_IMAGE).withEnvironment({ KURRENTDB_MAX_APPEND_SIZE: String(4 * 1024 * 1024) }).start();
      url = container.getConnectionString();
      stopContainer = async () => void (await container.stop());
    }
    const store = new KurrentDbEventStore({ connection: url });
    return {
      store,
      async dispose() {
        await store.close();
        await stopContainer();
      },
    };
  });
}
