import { randomBytes } from 'node:crypto';
import { logLevel, type Kafka } from 'kafkajs';
import { createKafka } from '../kafka';
import { aclBindings, applyAcls, readAclTable, type AclBinding, type AclDeployment, type AclRule } from './acl-table';
import { upsertScramUsers, type ScramUser } from './scram-credentials';

/**
 * The SCRAM principals of a deployment with their passwords: what `npm run dev` keeps in
 * .infra/kafka-credentials.json, the end-to-end stack makes for itself, and Compose's set-up
 * container is given (docs/security.md, "Kafka: topic ACLs").
 */
export interface KafkaCredentials {
  mechanism: 'scram-sha-512';
  /** The brokers' SASL listener, where the principals connect. */
  brokers: string;
  topicPrefix: string;
  /** Each service: its user, password and consumer group (KAFKA_GROUP_ID). */
  services: Record<string, ScramUser & { groupId: string }>;
  /** Each ministry's system by state. */
  ministries: Record<string, ScramUser>;
  operator?: ScramUser;
  /** A super user of the broker (super.users), for the administrator's tools. */
  admin?: ScramUser;
}

/** A fresh password: 32 random bytes, base64url. */
export const newPassword = () => randomBytes(32).toString('base64url');

/** New credentials: one user per service (named after it) and per ministry (`ministry-<STATE>`), an operator and an administrator, each with a random password. */
export function generateCredentials(options: { brokers: string; topicPrefix?: string; services: Record<string, string>; states: readonly string[] }): KafkaCredentials {
  const prefix = options.topicPrefix ?? '';
  return {
    mechanism: 'scram-sha-512',
    brokers: options.brokers,
    topicPrefix: prefix,
    services: Object.fromEntries(Object.entries(options.services).map(([name, groupId]) => [name, { username: `${prefix}${name}`, password: newPassword(), groupId }])),
    ministries: Object.fromEntries(options.states.map((state) => [state, { username: `${prefix}ministry-${state}`, password: newPassword() }])),
    operator: { username: `${prefix}operator`, password: newPassword() },
    admin: { username: 'admin', password: newPassword() },
  };
}

/** The deployment the ACL table is applied to. */
export function deploymentOf(credentials: KafkaCredentials): AclDeployment {
  return {
    topicPrefix: credentials.topicPrefix,
    services: credentials.services,
    ministries: credentials.ministries,
    ...(credentials.operator ? { operator: credentials.operator } : {}),
  };
}

/** Every user of the credentials, the administrator first. */
export function usersOf(credentials: KafkaCredentials): ScramUser[] {
  return [
    ...(credentials.admin ? [credentials.admin] : []),
    ...Object.values(credentials.services),
    ...Object.values(credentials.ministries),
    ...(credentials.operator ? [credentials.operator] : []),
  ].map(({ username, password }) => ({ username, password }));
}

/** Checks credentials read from a file or the environment; throws a sentence naming what is missing. */
export function checkCredentials(value: unknown): KafkaCredentials {
  const credentials = value as Partial<KafkaCredentials>;
  if (!credentials || typeof credentials !== 'object') throw new TypeError('the Kafka credentials must be a JSON object');
  if (typeof credentials.brokers !== 'string' || !credentials.brokers) throw new TypeError('the Kafka credentials name no brokers');
  const users: Array<[string, Partial<ScramUser> | undefined]> = [
    ...Object.entries(credentials.services ?? {}).map(([name, user]) => [`service ${name}`, user] as [string, Partial<ScramUser>]),
    ...Object.entries(credentials.ministries ?? {}).map(([state, user]) => [`ministry ${state}`, user] as [string, Partial<ScramUser>]),
    ['operator', credentials.operator],
    ['admin', credentials.admin],
  ];
  for (const [who, user] of users) {
    if (user === undefined && (who === 'operator' || who === 'admin')) continue;
    if (!user?.username || !user.password) throw new TypeError(`the Kafka credentials of the ${who} need a username and a password`);
  }
  for (const [name, service] of Object.entries(credentials.services ?? {})) {
    if (!service.groupId) throw new TypeError(`the Kafka credentials of the service ${name} need its groupId (KAFKA_GROUP_ID)`);
  }
  return {
    ...credentials,
    mechanism: 'scram-sha-512',
    topicPrefix: credentials.topicPrefix ?? '',
    services: credentials.services ?? {},
    ministries: credentials.ministries ?? {},
  } as KafkaCredentials;
}

/**
 * Makes the broker enforce the credentials: their SCRAM users created (or their passwords set) over
 * `bootstrap`, a listener without SASL whose principal is a super user, then the ACLs of the table
 * created through `kafka` (a client of a principal allowed to). Returns the bindings created.
 */
export async function secureBroker(options: { bootstrap: string; kafka: Kafka; credentials: KafkaCredentials; rules?: AclRule[] }): Promise<AclBinding[]> {
  const users = usersOf(options.credentials);
  await upsertScramUsers(options.bootstrap, users);
  if (users.length > 0) await untilLogsIn(options.credentials.brokers, users[users.length - 1]);
  const bindings = aclBindings(options.rules ?? readAclTable(), deploymentOf(options.credentials));
  await applyAcls(options.kafka, bindings);
  return bindings;
}

/** Waits until `user` logs in on the SASL listener: the controller took the credentials, the broker may not hold them yet. */
async function untilLogsIn(brokers: string, user: ScramUser, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const admin = createKafka({
      brokers: brokers.split(',').map((b) => b.trim()),
      clientId: 'custody-scram-check',
      logLevel: logLevel.NOTHING,
      sasl: { mechanism: 'scram-sha-512', username: user.username, password: user.password },
    }).admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${user.username} cannot log in on ${brokers} ${timeoutMs / 1000} s after its credentials were set: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
