import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@custody/ministry-client';
import { kafkaBrokers } from '@custody/testing';
import { startIntake, type IntakeTestApp } from './testing/intake-test-app';

/**
 * custody-ministry, the reference client, against the real intake service on the real broker: a
 * ministry's developer takes the contract's example, sends it signed with the ministry's key and
 * reads the answer, verified with intake's public key; an unsigned command is answered SIGNATURE_MISSING; the resulting event is read
 * back decoded from the events topic.
 */
describe('custody-ministry against intake (real broker and PostgreSQL)', () => {
  let intake: IntakeTestApp;
  let dir: string;
  const belgium = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // Intake's event-signing key: the client verifies each result with its public key (docs/security.md).
  const intakeEvents = generateKeyPairSync('ed25519');
  const publisherKeys = JSON.stringify([{ service: 'intake', publicKeyPem: intakeEvents.publicKey.export({ type: 'spki', format: 'pem' }) }]);
  const kid = `be-cli-${randomUUID().slice(0, 8)}`;

  const cli = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await run(['--brokers', kafkaBrokers().join(','), '--topic-prefix', intake.config.KAFKA_TOPIC_PREFIX, ...argv], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env: {},
    });
    return { code, stdout, stderr };
  };

  /** The contract's example of a registration, made unique, as a ministry edits it. */
  const registrationFile = async (name: string) => {
    const { stdout } = await cli('example', 'RegisterInmate');
    const command = JSON.parse(stdout) as { type: string; data: Record<string, unknown> & { identity: { documents: Array<Record<string, string>> } } };
    const inmateId = randomUUID();
    delete command.data.commandId;
    command.data.inmateId = inmateId;
    command.data.identity.documents = command.data.identity.documents.map((d) => ({ ...d, number: `${d.number.slice(0, 3)}${inmateId.slice(0, 8)}` }));
    const file = join(dir, name);
    await writeFile(file, JSON.stringify(command));
    return { file, inmateId };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custody-ministry-'));
    await writeFile(join(dir, 'be.pem'), belgium.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    intake = await startIntake('ministry-client', {
      COMMAND_SIGNERS: JSON.stringify([{ kid, state: 'BE', publicKeyPem: belgium.publicKey.export({ type: 'spki', format: 'pem' }) }]),
      EVENT_SIGNING_KEY: intakeEvents.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
  });

  afterAll(async () => {
    await intake?.close();
  });

  it('sends a signed registration and prints CommandAccepted (exit 0); an unsigned one is answered SIGNATURE_MISSING (exit 1); tail prints the event decoded', async () => {
    const signed = await registrationFile('register.json');
    const accepted = await cli('send', signed.file, '--state', 'BE', '--organisation', 'FPS Justice', '--key', join(dir, 'be.pem'), '--kid', kid, '--publisher-keys', publisherKeys, '--timeout', '60');
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(JSON.parse(accepted.stdout)).toMatchObject({ result: 'CommandAccepted', commandId: expect.any(String) });

    const unsigned = await registrationFile('unsigned.json');
    const refused = await cli('send', unsigned.file, '--state', 'BE', '--organisation', 'FPS Justice', '--publisher-keys', publisherKeys, '--timeout', '60');
    expect(refused.stderr).toContain('sent unsigned');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ result: 'CommandRejected', code: 'SIGNATURE_MISSING' });

    // Waiting for a result that cannot be verified is refused before anything is sent.
    const keyless = await cli('send', (await registrationFile('keyless.json')).file, '--state', 'BE', '--organisation', 'FPS Justice', '--key', join(dir, 'be.pem'), '--kid', kid, '--timeout', '60');
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain('the results cannot be verified');

    const tailed = await cli('tail', 'custody.intake.events', '--from-beginning', '--max', '1');
    expect(tailed.code).toBe(0);
    const event = JSON.parse(tailed.stdout.trim()) as { type: string; subject: string };
    expect(event).toMatchObject({ type: 'InmateRegistered', subject: `inmate/${signed.inmateId}` });
  });
});
