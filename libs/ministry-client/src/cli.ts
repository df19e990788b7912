import { readFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXAMPLES, MESSAGE_DEFINITIONS } from '@custody/contracts';
import { kafkaSecurity, TopicNames } from '@custody/messaging';
import { parsePublisherKeys } from '@custody/security';
import {
  ClientUsageError, loadSigningKey, MinistryClient, prepareCommand, ResultSignatureError, type CommandFile, type CommandResult, type MinistryIdentity, type ResultVerification,
} from './client';

/** Where the CLI writes (standard output and error in main.ts; strings in tests). */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Stops a `tail` without --max (Ctrl-C in main.ts). */
  signal?: AbortSignal;
}

export const EXIT = { accepted: 0, rejected: 1, error: 2 } as const;

const positiveInt = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${name} must be a whole number from 1`);
  return Number(value);
};

/** The custody-ministry program. `run` returns the exit code instead of exiting. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.accepted;
  let client: MinistryClient | undefined;
  const program = new Command('custody-ministry');
  // The ministry's state names its consumer groups, which the broker's ACLs allow it alone (docs/security.md).
  const connect = (state = io.env.MINISTRY_STATE, verification: ResultVerification = {}) => {
    const options = program.opts<{ brokers: string; topicPrefix: string }>();
    client = new MinistryClient(
      { brokers: options.brokers.split(',').map((b) => b.trim()).filter(Boolean), clientId: 'custody-ministry', ...kafkaSecurity(io.env) },
      new TopicNames(options.topicPrefix),
      state || undefined,
      verification,
    );
    return client;
  };

  program
    .description("A ministry's reference client: send a signed command and wait for its result, read a topic decoded, print the contract's examples.")
    .addOption(new Option('--brokers <list>', 'Kafka brokers, comma-separated').env('KAFKA_BROKERS').default('127.0.0.1:9092'))
    .addOption(new Option('--topic-prefix <prefix>', 'a prefix of every topic name (test stacks)').env('KAFKA_TOPIC_PREFIX').default(''))
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError()
    .exitOverride();

  program
    .command('example')
    .description("Print the contract's example of a message type (a command body to start from), or list the command types.")
    .argument('[type]', 'e.g. RegisterInmate')
    .action((type?: string) => {
      if (!type) {
        for (const d of MESSAGE_DEFINITIONS.filter((m) => m.kind === 'command')) io.stdout(`${d.type.padEnd(34)} ${d.topic}\n`);
        return;
      }
      const example = (EXAMPLES as Record<string, object | undefined>)[type];
      if (!example) throw new ClientUsageError(`${type} is not a message type of the contract; run custody-ministry example to list the commands`);
      io.stdout(JSON.stringify({ type, data: example }, null, 2) + '\n');
    });

  program
    .command('send')
    .description('Sign a command with the ministry\'s key, send it on the topic the contract names, and wait for its result on the state\'s own results topic, custody.command-results.<STATE>. Exit 0 accepted, 1 rejected, 2 no result in time or an error.')
    .argument('<file>', 'a JSON file { "type": "RegisterInmate", "data": { …the body… } } (as `example` prints it); the commandId is made when absent')
    .addOption(new Option('--state <code>', 'the acting state, ISO 3166-1 alpha-2 (the signing key must be this state\'s)').env('MINISTRY_STATE').makeOptionMandatory())
    .addOption(new Option('--organisation <name>', 'the acting organisation').env('MINISTRY_ORGANISATION').makeOptionMandatory())
    .addOption(new Option('--officer <name>', 'the acting officer').env('MINISTRY_OFFICER'))
    .addOption(new Option('--key <file>', "the ministry's command-signing private key (PEM: EC P-256 for ES256, RSA for RS256); without it the command goes unsigned").env('MINISTRY_SIGNING_KEY_FILE'))
    .addOption(new Option('--kid <id>', 'the id under which the services know the key (COMMAND_SIGNERS or the ministry\'s JWKS)').env('MINISTRY_SIGNING_KEY_ID'))
    .option('--timeout <seconds>', 'how long to wait for the result', positiveInt('--timeout'), 30)
    .option('--no-wait', 'send and exit without waiting for the result')
    .addOption(new Option('--publisher-keys <json>', 'the public keys of the services that publish results, as their EVENT_PUBLISHER_KEYS lists them: a JSON array of { "service": "intake", "publicKeyPem": "…" } or { "service", "keyFile" }; each result must carry a valid signature by one of them').env('MINISTRY_PUBLISHER_KEYS'))
    .option('--unverified-results', 'local development only: take results without checking their signatures', false)
    .option('--results-topic <topic>', 'where the result comes, the prefix added (default: custody.command-results.<STATE> for a signed command; custody.command-results, the operators\' topic, for an unsigned one)')
    .addHelpText('after', '\nExample:\n  custody-ministry example RegisterInmate > register.json   # edit it\n  custody-ministry send register.json --state BE --organisation "FPS Justice" --key be-commands.pem --kid be-commands-1 --publisher-keys "$(cat service-keys.json)"\n')
    .action(async (file: string, options: { state: string; organisation: string; officer?: string; key?: string; kid?: string; timeout: number; wait: boolean; resultsTopic?: string; publisherKeys?: string; unverifiedResults: boolean }) => {
      let command: CommandFile;
      try {
        command = JSON.parse(await readFile(file, 'utf8')) as CommandFile;
      } catch (error) {
        throw new ClientUsageError(`${file} is not a JSON file of { "type", "data" }: ${(error as Error).message}`);
      }
      if (typeof command?.type !== 'string' || typeof command.data !== 'object' || command.data === null) throw new ClientUsageError(`${file} must hold { "type": "<CommandType>", "data": { … } }`);
      if (options.key && !options.kid) throw new ClientUsageError('--key needs --kid: the key id the services know it by');
      const sender: MinistryIdentity = {
        state: options.state,
        organisation: options.organisation,
        officer: options.officer,
        signingKey: options.key ? loadSigningKey(await readFile(options.key, 'utf8'), options.kid!) : undefined,
      };
      let verification: ResultVerification = {};
      if (options.publisherKeys) {
        try {
          verification = { publisherKeys: parsePublisherKeys(options.publisherKeys) };
        } catch (error) {
          throw new ClientUsageError(`--publisher-keys: ${(error as Error).message}`);
        }
      }
      if (options.unverifiedResults) {
        if (options.publisherKeys) throw new ClientUsageError('--unverified-results and --publisher-keys exclude each other');
        verification = { unverified: true };
        if (options.wait) io.stderr('warning: --unverified-results: the result is taken without checking who signed it (local development only)\n');
      }
      const c = connect(options.state, verification);
      const prepared = await prepareCommand(command, sender, c.names);
      if (!sender.signingKey) {
        io.stderr(`note: sent unsigned (no --key); services that require signatures answer SIGNATURE_MISSING, on ${prepared.resultsTopic} (no state's own topic: nothing verified the sender)\n`);
      }
      let result: CommandResult | undefined;
      try {
        result = await c.send(prepared, {
          timeoutMs: options.wait ? options.timeout * 1000 : 0,
          ...(options.resultsTopic ? { resultsTopic: c.names.physical(options.resultsTopic) } : {}),
          onRefused: (refusal) => io.stderr(`custody-ministry: ${refusal.message}\n`),
        });
      } catch (error) {
        if (!(error instanceof ResultSignatureError)) throw error;
        // Each refusal is printed above as it came.
        io.stderr(`custody-ministry: no genuine result for command ${prepared.commandId} within ${options.timeout} s; the result(s) above were refused for their signature\n`);
        exitCode = EXIT.error;
        return;
      }
      if (!options.wait) {
        io.stdout(JSON.stringify({ sent: prepared.commandId, topic: prepared.topic }) + '\n');
        return;
      }
      if (!result) {
        io.stderr(`custody-ministry: no result for command ${prepared.commandId} within ${options.timeout} s (is the service running? it answers once it has processed the command)\n`);
        exitCode = EXIT.error;
        return;
      }
      io.stdout(JSON.stringify({ result: result.type, ...result.data }, null, 2) + '\n');
      exitCode = result.type === 'CommandAccepted' ? EXIT.accepted : EXIT.rejected;
    });

  program
    .command('tail')
    .description('Print the messages of a topic, decoded by the contract, one JSON line each (Ctrl-C stops).')
    .argument('<topic>', 'e.g. custody.intake.events (the prefix is added)')
    .option('--from-beginning', 'from the first message the topic keeps, not only new ones', false)
    .option('--max <n>', 'stop after n messages', positiveInt('--max'))
    .addHelpText('after', '\nMINISTRY_STATE (the ministry\'s state) names its consumer group, as the broker\'s ACLs require (docs/security.md).\n')
    .action(async (topic: string, options: { fromBeginning: boolean; max?: number }) => {
      const c = connect();
      await c.tail(c.names.physical(topic), { fromBeginning: options.fromBeginning, max: options.max, signal: io.signal }, (event) => io.stdout(JSON.stringify(event) + '\n'));
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      exitCode = error.exitCode === 0 ? EXIT.accepted : EXIT.error;
    } else {
      io.stderr(`custody-ministry: ${(error as Error).message}\n`);
      exitCode = EXIT.error;
    }
  } finally {
    await client?.close();
  }
  return exitCode;
}
