import { spawn } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createKafka, generateCredentials, secureBroker, type KafkaCredentials } from '@custody/messaging';
import { OwnKafka } from '@custody/testing';
import { freePort, SERVICE_NAMES, ServiceProcess, workspaceRoot, type ServiceName } from './service-process';

export interface StackOptions {
  /** A label for names and logs. */
  label: string;
  /** Broker addresses (default: the run's KAFKA_BROKERS). */
  brokers?: string;
  /** The PostgreSQL server of the services and of the test's reads (default: the run's DATABASE_URL). */
  databaseUrl?: string;
  /** Instances of each service (default 1). Extra instances share the schema and the group. */
  instances?: number;
  /** Extra environment per service. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Start the services all at once, as `npm run dev` does (default: one after the other). */
  together?: boolean;
  /**
   * A broker of the stack's own with the authoriser: every service and each of these states'
   * ministries gets a SCRAM user, the ACLs of docs/security.md are applied, and the services
   * connect with SCRAM (`kafkaCredentials` holds the users). Give every state of COMMAND_SIGNERS.
   */
  secureKafka?: { states: string[] };
}

/** The run id of the test run (globalSetup sets TEST_RUN_ID), for names no other run uses. */
const runId = () => process.env.TEST_RUN_ID ?? 'local';

/**
 * The four services as separate processes, the way operators run them: each with its own fresh
 * schema, one Kafka topic prefix shared by the four and no other run, consumer groups of their
 * own, free ports, and the keys they need (the audit service's Ed25519 signing key, each service's
 * event-signing key), generated here.
 */
export class Stack {
  readonly id = `${runId()}_${randomBytes(3).toString('hex')}`;
  readonly topicPrefix: string;
  brokers: string;
  /** The SCRAM users of the stack's own broker (StackOptions.secureKafka). */
  kafkaCredentials?: KafkaCredentials;
  private ownKafka?: OwnKafka;
  readonly databaseUrl: string;
  readonly schemas: Record<ServiceName, string>;
  readonly auditPublicKeyPem: string;
  readonly logDir: string;
  readonly processes: Record<ServiceName, ServiceProcess[]> = { intake: [], transfer: [], custody: [], audit: [] };
  readonly pool: Pool;
  private readonly auditPrivateKeyPem: string;
  /** Each service's event-signing key (Ed25519, PKCS#8 PEM): its relay signs what it publishes, the others verify (docs/adr/0013-signed-events.md). */
  private readonly eventSigningKeys = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()]),
  ) as Record<ServiceName, string>;
  /** Every service's public event key, as each service is given them (EVENT_PUBLISHER_KEYS). */
  readonly eventPublisherKeys = JSON.stringify(
    SERVICE_NAMES.map((service) => ({ service, publicKeyPem: createPublicKey(this.eventSigningKeys[service]).export({ type: 'spki', format: 'pem' }).toString() })),
  );
  /** Intake's master key for personal data: one per stack, so that a restarted intake still reads what it wrote. */
  private readonly personalDataMasterKey = randomBytes(32).toString('base64');

  private constructor(readonly options: StackOptions) {
    const label = options.label.toLowerCase().replace(/[^a-z0-9]/g, '');
    this.topicPrefix = `e2e-${this.id}-${label}.`;
    this.brokers = options.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
    this.databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    this.schemas = Object.fromEntries(SERVICE_NAMES.map((name) => [name, `e2e_${this.id}_${label.slice(0, 12)}_${name}`])) as Record<ServiceName, string>;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    this.auditPrivateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    this.auditPublicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.logDir = join(workspaceRoot, 'dist', 'e2e-logs', `${label}-${this.id}`);
    this.pool = new Pool({ connectionString: this.databaseUrl, max: 4 });
    // An idle connection ends when the server restarts (the chaos suite restarts its own): the pool
    // drops it and opens another at the next query; without a listener the error would end the test run.
    this.pool.on('error', () => undefined);
  }

  /** Creates the schemas, picks the ports and starts every service; resolves when all are healthy. */
  static async start(options: StackOptions): Promise<Stack> {
    const stack = new Stack(options);
    mkdirSync(stack.logDir, { recursive: true });
    if (options.secureKafka) {
      try {
        await stack.startSecureKafka(options.secureKafka.states);
      } catch (error) {
        await stack.stop();
        throw error;
      }
    }
    for (const schema of Object.values(stack.schemas)) await stack.pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const instances = options.instances ?? 1;
    for (const name of SERVICE_NAMES) {
      for (let i = 0; i < instances; i++) {
        const port = await freePort();
        stack.processes[name].push(new ServiceProcess(name, port, stack.environment(name, i), join(stack.logDir, `${name}${i ? `-${i}` : ''}.log`), i));
      }
    }
    try {
      // Started one after the other unless asked: four TypeScript compilations at once on two cores only take longer.
      if (options.together) await Promise.all(stack.all().map((p) => p.start()));
      else for (const name of SERVICE_NAMES) for (const p of stack.processes[name]) await p.start();
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** Each service's consumer group. */
  groupOf(name: ServiceName): string {
    return name === 'audit' ? `${this.topicPrefix}audit-ledger` : `${this.topicPrefix}${name}`;
  }

  /** The stack's own broker with the authoriser, its SCRAM users and the ACLs of docs/security.md; the services will connect to its SCRAM listener. */
  private async startSecureKafka(states: string[]): Promise<void> {
    this.ownKafka = await OwnKafka.create(1, { heap: '-Xms128m -Xmx384m' });
    await this.ownKafka.start();
    const loopback = `127.0.0.1:${this.ownKafka.port}`;
    this.kafkaCredentials = generateCredentials({
      brokers: `127.0.0.1:${this.ownKafka.scramPort}`,
      topicPrefix: this.topicPrefix,
      services: Object.fromEntries(SERVICE_NAMES.map((name) => [name, this.groupOf(name)])),
      states,
    });
    await secureBroker({ bootstrap: loopback, kafka: createKafka({ brokers: [loopback], clientId: `${this.topicPrefix}administrator` }), credentials: this.kafkaCredentials });
    this.brokers = this.kafkaCredentials.brokers;
  }

  /** The environment of one service: everything it is configured with. */
  environment(name: ServiceName, instance = 0): Record<string, string> {
    const base: Record<string, string> = {
      DATABASE_URL: this.databaseUrl,
      DATABASE_SCHEMA: this.schemas[name],
      KAFKA_BROKERS: this.brokers,
      KAFKA_TOPIC_PREFIX: this.topicPrefix,
      KAFKA_GROUP_ID: this.groupOf(name),
      KAFKA_CLIENT_ID: `${this.topicPrefix}${name}-${instance}`,
      // Each instance's own name in its group, the same when it is started again: a restart removes
      // the member its killed run left (docs/adr/0017-restart-replaces-previous-member.md).
      KAFKA_INSTANCE_ID: `${name}-${instance}`,
      KAFKA_PARTITIONS: '6',
      // The end-to-end tests follow the business flows; authentication and authorisation are
      // covered per service (e.g. intake's security.int-spec.ts).
      AUTH_MODE: 'off',
      // Likewise the ministries' signatures of Kafka commands: each service's signed-commands.int-spec.ts covers them.
      COMMAND_SIGNATURES: 'off',
      // Events are signed by their publishing service and verified by every consumer, as in production.
      EVENT_SIGNATURES: 'required',
      EVENT_SIGNING_KEY: this.eventSigningKeys[name],
      EVENT_PUBLISHER_KEYS: this.eventPublisherKeys,
      RATE_LIMIT_PER_MINUTE: '100000',
      ...(this.kafkaCredentials
        ? {
            KAFKA_SASL_MECHANISM: 'scram-sha-512',
            KAFKA_SASL_USERNAME: this.kafkaCredentials.services[name].username,
            KAFKA_SASL_PASSWORD: this.kafkaCredentials.services[name].password,
          }
        : {}),
    };
    const own: Record<ServiceName, Record<string, string>> = {
      intake: { PERSONAL_DATA_MASTER_KEY: this.personalDataMasterKey },
      transfer: { DEADLINE_SCAN_INTERVAL_MS: '500', PERSONAL_DATA_MASTER_KEY: this.personalDataMasterKey },
      custody: { PERSONAL_DATA_MASTER_KEY: this.personalDataMasterKey },
      audit: {
        AUDIT_SIGNING_KEY: this.auditPrivateKeyPem,
        AUDIT_SIGNING_KEY_ID: `e2e-${this.id}`,
        AUDIT_CHECKPOINT_INTERVAL_MS: '2000',
        LEDGER_CHAIN_INTERVAL_MS: '50',
        // Rule 10's grace for a hand-over in flight: seconds here, so that a gap or an overlap
        // that stays is raised within the test (and one that closes is resolved).
        INVARIANT_GRACE_PERIOD_MS: '10000',
        // A person's access history gathers the other services' logs (they are created first).
        ACCESS_LOG_SOURCES: JSON.stringify(
          (['intake', 'transfer', 'custody'] as const).flatMap((service) => (this.processes[service][0] ? [{ service, url: this.processes[service][0].url }] : [])),
        ),
      },
    };
    return { ...base, ...own[name], ...(this.options.env?.[name] ?? {}) };
  }

  /** The first instance of a service. */
  service(name: ServiceName): ServiceProcess {
    return this.processes[name][0];
  }

  /** A running instance of the service, in turn (round robin); the first when none runs (the caller retries). */
  url(name: ServiceName): string {
    const running = this.processes[name].filter((p) => p.isRunning);
    if (running.length === 0) return this.service(name).url;
    this.turn = (this.turn + 1) % 1_000_000;
    return running[this.turn % running.length].url;
  }

  private turn = 0;

  all(): ServiceProcess[] {
    return SERVICE_NAMES.flatMap((name) => this.processes[name]);
  }

  /** SIGKILL one service's instances, then start them again (waits for health). */
  async killAndRestart(name: ServiceName, extraEnv: Record<string, string> = {}): Promise<void> {
    for (const p of this.processes[name]) await p.kill();
    for (const p of this.processes[name]) await p.start(extraEnv);
  }

  /** Stops every process (SIGTERM, then SIGKILL) and drops the schemas unless E2E_KEEP is set. */
  async stop(): Promise<void> {
    await Promise.all(this.all().map((p) => p.stop().catch(() => undefined)));
    await Promise.all(this.all().map((p) => p.close()));
    if (!process.env.E2E_KEEP) {
      for (const schema of Object.values(this.schemas)) await this.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    }
    await this.pool.end();
    await this.ownKafka?.destroy();
  }

  /** Runs the auditor's CLI (`custody-audit`) on the audit service's database, as an auditor would. */
  auditCli(args: string[], timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [join(workspaceRoot, 'services', 'audit', 'bin', 'custody-audit.js'), ...args], {
        cwd: workspaceRoot,
        // The auditor trusts the ledger's public key as the ministry published it, never a key read from the database.
        env: {
          ...process.env,
          DATABASE_URL: this.databaseUrl,
          DATABASE_SCHEMA: this.schemas.audit,
          AUDIT_TRUSTED_KEYS: JSON.stringify([{ keyId: `e2e-${this.id}`, publicKeyPem: this.auditPublicKeyPem }]),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => (child.kill('SIGKILL'), fail(new Error(`custody-audit ${args.join(' ')} ran over ${timeoutMs} ms`))), timeoutMs);
      child.once('exit', (code) => (clearTimeout(timer), done({ code, stdout, stderr })));
    });
  }

  /** The last log lines of every process, to explain a failure. */
  lastLines(n = 25): string {
    return this.all().map((p) => p.lastLines(n)).join('\n');
  }
}
