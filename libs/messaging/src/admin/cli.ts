import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isInstant } from '@custody/contracts';
import type { Kafka, Producer } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { aclBindings, describeBinding, readAclTable } from '../acl/acl-table';
import { checkCredentials, deploymentOf, secureBroker, type KafkaCredentials } from '../acl/credentials';
import { createKafka, custodyPartitioner } from '../kafka';
import { kafkaSecurity } from '../kafka-security';
import { DeadLetterError, readDeadLetters, redactPersonalData, replayDeadLetters, type DeadLetter, type DeadLetterFilter } from './dead-letters';

/** Where the CLI writes (standard output and error in main.ts; strings in tests), and its environment. */
export interface AdminIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
}

/** Exit codes: 0 done, 1 nothing matched what was asked, 2 a usage or operational error. */
export const EXIT = { ok: 0, nothing: 1, error: 2 } as const;

const instant = (value: string) => {
  if (!isInstant(value)) throw new InvalidArgumentError('must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T09:30:00Z');
  return new Date(value);
};
const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((id) => id.trim()).filter(Boolean)];

interface Selection {
  topic: string;
  since?: Date;
  id?: string[];
  code?: string;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const where = (letter: DeadLetter) => `${letter.partition}@${letter.offset}`;

/** One line per dead letter: where it lies, when, why, where from, what. */
function table(letters: DeadLetter[]): string {
  const rows = letters.map((l) => [where(l), l.failedAt, l.code, String(l.attempts), `${l.original.topic}/${l.original.partition}@${l.original.offset}`, l.id, l.type, clip(l.reason.replace(/\s+/g, ' '), 120)]);
  const head = ['AT', 'FAILED AT', 'CODE', 'ATTEMPTS', 'FROM', 'CE_ID', 'TYPE', 'REASON'];
  const widths = head.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (row: string[]) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

/** A dead letter as JSON: what it is and why, without its value (`show` prints the value). */
function summary(letter: DeadLetter) {
  return {
    topic: letter.topic, partition: letter.partition, offset: letter.offset, timestamp: letter.timestamp,
    id: letter.id, type: letter.type, code: letter.code, reason: letter.reason, attempts: letter.attempts, failedAt: letter.failedAt, original: letter.original,
  };
}

/** The value of a dead letter for `show`: its JSON with personal data redacted, or its text as is (`raw`). */
function shownValue(letter: DeadLetter, raw: boolean): unknown {
  if (!letter.value || letter.value.length === 0) return null;
  const text = letter.value.toString('utf8');
  if (raw) return text;
  try {
    return redactPersonalData(JSON.parse(text));
  } catch {
    return `[not JSON: ${letter.value.length} bytes; --raw shows them]`;
  }
}

/**
 * The custody-admin program: an operator's commands. `dlq list | show | replay` read a dead-letter
 * topic and re-drive chosen dead letters onto their original topic (docs/operations.md, "Dead
 * letters"). `run` returns the exit code instead of exiting.
 */
export async function run(argv: string[], io: AdminIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  let kafka: Kafka | undefined;
  let producer: Producer | undefined;
  const program = new Command('custody-admin');
  const connect = () => {
    const options = program.opts<{ brokers: string }>();
    kafka ??= createKafka({ brokers: options.brokers.split(',').map((b) => b.trim()).filter(Boolean), clientId: 'custody-admin', ...kafkaSecurity(io.env) });
    return kafka;
  };
  const topicOf = (topic: string) => `${program.opts<{ topicPrefix: string }>().topicPrefix}${topic}`;
  const select = async ({ topic, since, id, code }: Selection): Promise<DeadLetter[]> => {
    const filter: DeadLetterFilter = { ...(since ? { since } : {}), ...(id && id.length > 0 ? { ids: id } : {}), ...(code ? { code } : {}) };
    return readDeadLetters(connect(), topicOf(topic), filter, { groupPrefix: program.opts<{ topicPrefix: string }>().topicPrefix });
  };

  program
    .description("An operator's commands: dead letters listed with their reasons, shown, and replayed onto their original topic; the broker's SCRAM users and ACLs.")
    .addOption(new Option('--brokers <list>', 'Kafka brokers, comma-separated (SASL/TLS from KAFKA_SASL_* and KAFKA_SSL*)').env('KAFKA_BROKERS').default('127.0.0.1:9092'))
    .addOption(new Option('--topic-prefix <prefix>', 'a prefix of every topic name (test stacks)').env('KAFKA_TOPIC_PREFIX').default(''))
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError()
    .exitOverride();

  const dlq = program.command('dlq').description('Dead letters: the messages a consumer set aside in <topic>.dlq, with the reason.');
  const selection = (command: Command) =>
    command
      .requiredOption('--topic <topic>', 'the dead-letter topic, e.g. custody.intake.commands.dlq')
      .option('--since <time>', 'only those set aside at or after this instant (ISO 8601)', instant)
      .option('--id <ce_id>', 'only the message(s) with this ce_id (repeat, or comma-separated)', collect)
      .option('--code <code>', 'only those set aside with this code (e.g. HANDLER_FAILED)');

  selection(dlq.command('list'))
    .description('List the dead letters with where they came from and why they were set aside.')
    .option('--format <format>', 'table, or json (one line each)', 'table')
    .action(async (options: Selection & { format: string }) => {
      if (options.format !== 'table' && options.format !== 'json') throw new DeadLetterError('--format must be table or json');
      const letters = await select(options);
      if (options.format === 'json') for (const letter of letters) io.stdout(JSON.stringify(summary(letter)) + '\n');
      else io.stdout(letters.length > 0 ? table(letters) : `no dead letters in ${topicOf(options.topic)}${options.since || options.id || options.code ? ' that match' : ''}\n`);
      io.stderr(`${letters.length} dead letter(s)\n`);
    });

  selection(dlq.command('show'))
    .description('Show dead letters whole: headers, key and value (personal data redacted unless --raw).')
    .option('--raw', 'print the value as it is, personal data included', false)
    .action(async (options: Selection & { raw: boolean }) => {
      if (!options.id && !options.since && !options.code) throw new DeadLetterError('show needs --id (or --since / --code): which dead letters?');
      const letters = await select(options);
      if (letters.length === 0) {
        io.stderr(`no dead letter in ${topicOf(options.topic)} matches\n`);
        exitCode = EXIT.nothing;
        return;
      }
      for (const letter of letters) {
        const headers = Object.fromEntries(Object.entries(letter.headers).map(([name, value]) => [name, Buffer.isBuffer(value) ? value.toString('utf8') : value]));
        io.stdout(JSON.stringify({ ...summary(letter), key: letter.key?.toString('utf8') ?? null, headers, value: shownValue(letter, options.raw) }, null, 2) + '\n');
      }
    });

  selection(dlq.command('replay'))
    .description('Re-drive dead letters onto their original topic as they first came (same key, value and headers): the consumer applies each once; one already applied changes nothing.')
    .option('--all', 'every dead letter of the topic (or since --since): required when neither --id nor --code is given', false)
    .option('--dry-run', 'list what would be replayed, send nothing', false)
    .action(async (options: Selection & { all: boolean; dryRun: boolean }) => {
      if (!options.id && !options.code && !options.all) throw new DeadLetterError('replay needs --id or --code, or --all (with --since to bound it): which dead letters?');
      const letters = await select(options);
      const missing = (options.id ?? []).filter((id) => !letters.some((letter) => letter.id === id));
      for (const id of missing) io.stderr(`no dead letter with ce_id ${id} in ${topicOf(options.topic)}${options.since || options.code ? ' that matches' : ''}\n`);
      if (letters.length === 0) {
        exitCode = EXIT.nothing;
        return;
      }
      if (options.dryRun) {
        for (const letter of letters) io.stdout(`would replay ${letter.id || '(no ce_id)'} ${letter.type} (${letter.code}) from ${letter.topic}/${where(letter)} onto ${letter.original.topic}\n`);
        return;
      }
      producer = connect().producer({ createPartitioner: custodyPartitioner, allowAutoTopicCreation: false });
      await producer.connect();
      const replayed = await replayDeadLetters(producer, letters);
      for (const { letter, topic, partition, offset } of replayed) {
        io.stdout(`replayed ${letter.id || '(no ce_id)'} ${letter.type} (${letter.code}) from ${letter.topic}/${where(letter)} to ${topic}/${partition}@${offset}\n`);
      }
      io.stderr(`${replayed.length} dead letter(s) replayed; the consumer applies each once (see its outcome and the dead-letter topic)\n`);
      if (missing.length > 0) exitCode = EXIT.nothing;
    });

  program
    .command('kafka-acls')
    .description(
      'Make the broker enforce docs/security.md ("Kafka: topic ACLs"): create the SCRAM users of the credentials (or set their passwords) and the ACLs the table gives them. ' +
        'Over --brokers, a listener without SASL whose principal is a super user (the local broker\'s loopback listener; in Compose, the set-up listener).',
    )
    .addOption(new Option('--credentials <file>', 'a JSON file of the principals and their passwords (as npm run dev writes .infra/kafka-credentials.json); else the JSON of KAFKA_CREDENTIALS'))
    .option('--dry-run', 'print the ACLs the table gives, create nothing', false)
    .action(async (options: { credentials?: string; dryRun: boolean }) => {
      const text = options.credentials ? readFileSync(options.credentials, 'utf8') : io.env.KAFKA_CREDENTIALS;
      if (!text) throw new Error('kafka-acls needs --credentials <file> or KAFKA_CREDENTIALS');
      let credentials: KafkaCredentials;
      try {
        credentials = checkCredentials(JSON.parse(text));
      } catch (error) {
        throw new Error(`the credentials cannot be used: ${(error as Error).message}`);
      }
      if (options.dryRun) {
        for (const binding of aclBindings(readAclTable(), deploymentOf(credentials))) io.stdout(`${describeBinding(binding)}\n`);
        return;
      }
      const bootstrap = program.opts<{ brokers: string }>().brokers.split(',')[0].trim();
      const bindings = await secureBroker({ bootstrap, kafka: connect(), credentials });
      io.stderr(`${Object.keys(credentials.services).length + Object.keys(credentials.ministries).length + (credentials.operator ? 1 : 0) + (credentials.admin ? 1 : 0)} SCRAM user(s) set, ${bindings.length} ACL(s) created from docs/security.md\n`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.error;
    } else {
      io.stderr(`custody-admin: ${(error as Error).message}\n`);
      exitCode = EXIT.error;
    }
  } finally {
    await producer?.disconnect().catch(() => undefined);
  }
  return exitCode;
}
