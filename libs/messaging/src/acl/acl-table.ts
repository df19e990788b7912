import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type AclEntry, type Kafka } from 'kafkajs';

/**
 * The broker's authorisation as docs/security.md states it ("Kafka: topic ACLs"): one table, read
 * here, turned into the ACL bindings of a deployment (its topic prefix, its services and their
 * consumer groups, its ministries) and created on the broker. The table is the only source: what
 * the document says is what the broker enforces.
 */

/** Where the table lives, from the workspace root. */
export const ACL_TABLE_DOCUMENT = join('docs', 'security.md');
/** The heading of the section that holds the table. */
export const ACL_TABLE_HEADING = '## Kafka: topic ACLs';

export type AclResourceKind = 'topic' | 'group' | 'transactional-id';
export type AclOperation = 'Read' | 'Write' | 'Create' | 'Delete' | 'Describe' | 'DescribeConfigs';

/** Who a row of the table names: a service (or every service), a ministry (every one, or the state of the row's name), the operators. */
export type AclPrincipalPattern = { kind: 'service'; name: string } | { kind: 'ministry'; state: string } | { kind: 'operator' };

/** One row of the table. */
export interface AclRule {
  resource: AclResourceKind;
  /**
   * The resource's name: behind KAFKA_TOPIC_PREFIX, except `<group>` (a service's KAFKA_GROUP_ID as
   * configured); `<service>` and `<STATE>` stand for the principal's service and state; a final `*`
   * makes it a prefix.
   */
  name: string;
  principals: AclPrincipalPattern[];
  operations: AclOperation[];
}

/** A SCRAM principal of a deployment. */
export interface KafkaPrincipal {
  username: string;
}

/** What a deployment is made of: who the table's principals are. */
export interface AclDeployment {
  /** KAFKA_TOPIC_PREFIX of every name of the table (`<group>` excepted). */
  topicPrefix: string;
  /** Each service by name, with its SCRAM user and its consumer group (KAFKA_GROUP_ID). */
  services: Record<string, KafkaPrincipal & { groupId: string }>;
  /** Each ministry by state (ISO 3166-1 alpha-2, or XK), with its SCRAM user. */
  ministries: Record<string, KafkaPrincipal>;
  /** The operators' user, if the deployment has one. */
  operator?: KafkaPrincipal;
}

/** One ACL as the broker keeps it: allow `principal` `operation` on a resource (literal, or every name with a prefix). */
export interface AclBinding {
  resource: AclResourceKind;
  name: string;
  pattern: 'literal' | 'prefixed';
  principal: string;
  operation: AclOperation;
}

/** The table is missing or a row of it cannot be read: the sentence names the row and what is wrong. */
export class AclTableError extends Error {
  readonly code = 'ACL_TABLE_INVALID';
}

const RESOURCES: readonly AclResourceKind[] = ['topic', 'group', 'transactional-id'];
const OPERATIONS: readonly AclOperation[] = ['Read', 'Write', 'Create', 'Delete', 'Describe', 'DescribeConfigs'];
const HEADER = ['Resource', 'Name', 'Principals', 'Operations'];

/** The rows of the ACL table of a document (docs/security.md): the first table after {@link ACL_TABLE_HEADING}. */
export function parseAclTable(markdown: string): AclRule[] {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === ACL_TABLE_HEADING);
  if (start < 0) throw new AclTableError(`no section "${ACL_TABLE_HEADING}" in the document`);
  let at = start + 1;
  while (at < lines.length && !lines[at].trim().startsWith('|')) {
    if (lines[at].startsWith('## ')) throw new AclTableError(`the section "${ACL_TABLE_HEADING}" has no table`);
    at++;
  }
  const header = cells(lines[at] ?? '');
  if (HEADER.some((title, i) => header[i] !== title)) {
    throw new AclTableError(`the table of "${ACL_TABLE_HEADING}" must begin with the columns ${HEADER.join(' | ')}, not ${header.join(' | ')}`);
  }
  const rules: AclRule[] = [];
  for (at += 2; at < lines.length && lines[at].trim().startsWith('|'); at++) rules.push(parseRow(cells(lines[at]), at + 1));
  if (rules.length === 0) throw new AclTableError(`the table of "${ACL_TABLE_HEADING}" has no row`);
  return rules;
}

/** The table of the workspace's docs/security.md. */
export function readAclTable(workspaceRoot = join(__dirname, '..', '..', '..', '..')): AclRule[] {
  return parseAclTable(readFileSync(join(workspaceRoot, ACL_TABLE_DOCUMENT), 'utf8'));
}

function cells(line: string): string[] {
  const trimmed = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return trimmed.split('|').map((cell) => cell.trim());
}

const code = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]);

function parseRow(row: string[], lineNumber: number): AclRule {
  const where = `docs/security.md line ${lineNumber}`;
  const [resourceCell, nameCell, principalsCell, operationsCell] = row;
  const resource = resourceCell as AclResourceKind;
  if (!RESOURCES.includes(resource)) throw new AclTableError(`${where}: the resource must be ${RESOURCES.join(', ')}, not "${resourceCell}"`);
  const names = code(nameCell ?? '');
  if (names.length !== 1) throw new AclTableError(`${where}: the name must be one name in backticks, not "${nameCell}"`);
  const name = names[0];
  const principals = code(principalsCell ?? '').map((text) => principalPattern(text, where));
  if (principals.length === 0) throw new AclTableError(`${where}: no principal in backticks in "${principalsCell}"`);
  const operations = (operationsCell ?? '').split(',').map((op) => op.trim()) as AclOperation[];
  const unknown = operations.filter((op) => !OPERATIONS.includes(op));
  if (unknown.length > 0 || operations.length === 0) throw new AclTableError(`${where}: operations are ${OPERATIONS.join(', ')}, not "${unknown.join(', ') || operationsCell}"`);
  for (const placeholder of name.match(/<[^>]+>/g) ?? []) {
    if (placeholder === '<STATE>' && !principals.every((p) => p.kind === 'service' || (p.kind === 'ministry' && p.state === '<STATE>'))) {
      throw new AclTableError(`${where}: a name with <STATE> is for ministry:<STATE> or services, not another ministry or the operators`);
    }
    if ((placeholder === '<service>' || placeholder === '<group>') && !principals.every((p) => p.kind === 'service' && p.name === '*')) {
      throw new AclTableError(`${where}: a name with ${placeholder} is for service:* (each service its own)`);
    }
    if (!['<STATE>', '<service>', '<group>'].includes(placeholder)) throw new AclTableError(`${where}: unknown placeholder ${placeholder} (<STATE>, <service>, <group>)`);
  }
  if (principals.some((p) => p.kind === 'ministry' && p.state === '<STATE>') && !name.includes('<STATE>')) {
    throw new AclTableError(`${where}: ministry:<STATE> needs a name with <STATE>`);
  }
  return { resource, name, principals, operations };
}

function principalPattern(text: string, where: string): AclPrincipalPattern {
  if (text === 'operator') return { kind: 'operator' };
  const [kind, value] = text.split(':');
  if (kind === 'service' && value && /^(\*|[a-z][a-z0-9-]*)$/.test(value)) return { kind: 'service', name: value };
  if (kind === 'ministry' && value && /^(\*|<STATE>|[A-Z]{2})$/.test(value)) return { kind: 'ministry', state: value };
  throw new AclTableError(`${where}: a principal is service:<name>, service:*, ministry:<STATE>, ministry:* or operator, not "${text}"`);
}

/**
 * The bindings of a deployment: each row for each principal it names that the deployment has (a
 * service or a ministry the deployment lacks is left out), its placeholders filled in. Sorted and
 * without duplicates.
 */
export function aclBindings(rules: readonly AclRule[], deployment: AclDeployment): AclBinding[] {
  const bindings = new Map<string, AclBinding>();
  const add = (rule: AclRule, principal: KafkaPrincipal, fill: { service?: string; state?: string }) => {
    let name = rule.name;
    if (name.includes('<group>')) name = name.replaceAll('<group>', deployment.services[fill.service!].groupId);
    else name = `${deployment.topicPrefix}${name}`;
    if (fill.service) name = name.replaceAll('<service>', fill.service);
    if (fill.state) name = name.replaceAll('<STATE>', fill.state);
    const pattern = name.endsWith('*') ? 'prefixed' : 'literal';
    if (pattern === 'prefixed') name = name.slice(0, -1);
    for (const operation of rule.operations) {
      const binding: AclBinding = { resource: rule.resource, name, pattern, principal: `User:${principal.username}`, operation };
      bindings.set(JSON.stringify(binding), binding);
    }
  };
  const states = Object.keys(deployment.ministries);
  for (const rule of rules) {
    const perState = rule.name.includes('<STATE>');
    for (const pattern of rule.principals) {
      if (pattern.kind === 'operator') {
        if (deployment.operator) add(rule, deployment.operator, {});
      } else if (pattern.kind === 'service') {
        const names = pattern.name === '*' ? Object.keys(deployment.services) : [pattern.name].filter((name) => deployment.services[name]);
        for (const service of names) {
          if (perState) for (const state of states) add(rule, deployment.services[service], { service, state });
          else add(rule, deployment.services[service], { service });
        }
      } else {
        const chosen = pattern.state === '*' || pattern.state === '<STATE>' ? states : states.filter((state) => state === pattern.state);
        for (const state of chosen) add(rule, deployment.ministries[state], { state });
      }
    }
  }
  return [...bindings.values()].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

const RESOURCE_TYPES: Record<AclResourceKind, AclResourceTypes> = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  'transactional-id': AclResourceTypes.TRANSACTIONAL_ID,
};
const OPERATION_TYPES: Record<AclOperation, AclOperationTypes> = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Create: AclOperationTypes.CREATE,
  Delete: AclOperationTypes.DELETE,
  Describe: AclOperationTypes.DESCRIBE,
  DescribeConfigs: AclOperationTypes.DESCRIBE_CONFIGS,
};

/** A binding as kafkajs's CreateAcls takes it (any host). */
export function aclEntry(binding: AclBinding): AclEntry {
  return {
    resourceType: RESOURCE_TYPES[binding.resource],
    resourceName: binding.name,
    resourcePatternType: binding.pattern === 'prefixed' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
    principal: binding.principal,
    host: '*',
    operation: OPERATION_TYPES[binding.operation],
    permissionType: AclPermissionTypes.ALLOW,
  };
}

/**
 * Creates the bindings on the broker (CreateAcls; one that exists already is left as it is), as a
 * principal allowed to (a super user, or one with Alter on the cluster). ACLs the table no longer
 * names are not removed: that is the operator's call (docs/security.md).
 */
export async function applyAcls(kafka: Kafka, bindings: readonly AclBinding[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let i = 0; i < bindings.length; i += 100) await admin.createAcls({ acl: bindings.slice(i, i + 100).map(aclEntry) });
    // The controller has them once CreateAcls answers; wait until the broker's authoriser holds them too.
    const wanted = new Set(bindings.map((binding) => JSON.stringify(aclEntry(binding))));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const described = await admin.describeAcls({
        resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
      });
      const held = new Set(
        described.resources.flatMap((resource) =>
          resource.acls.map((acl) =>
            JSON.stringify(aclEntry({ ...fromEntry(resource.resourceType, resource.resourcePatternType, acl.operation), name: resource.resourceName, principal: acl.principal })),
          ),
        ),
      );
      const missing = [...wanted].filter((entry) => !held.has(entry));
      if (missing.length === 0) return;
      if (Date.now() > deadline) throw new Error(`the broker does not hold ${missing.length} of the ACLs created 30 s ago, e.g. ${missing[0]}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

/** The kind, pattern and operation of an ACL the broker describes (unknown ones come out as what no binding is). */
function fromEntry(resourceType: AclResourceTypes, patternType: ResourcePatternTypes, operation: AclOperationTypes): Pick<AclBinding, 'resource' | 'pattern' | 'operation'> {
  const resource = (Object.keys(RESOURCE_TYPES) as AclResourceKind[]).find((kind) => RESOURCE_TYPES[kind] === resourceType) ?? ('unknown' as AclResourceKind);
  const op = (Object.keys(OPERATION_TYPES) as AclOperation[]).find((name) => OPERATION_TYPES[name] === operation) ?? ('unknown' as AclOperation);
  return { resource, pattern: patternType === ResourcePatternTypes.PREFIXED ? 'prefixed' : 'literal', operation: op };
}

/** A binding as one line: `User:intake Write topic custody.intake.events` (`custody.ministry.BE.*` for a prefix). */
export function describeBinding(binding: AclBinding): string {
  return `${binding.principal} ${binding.operation} ${binding.resource} ${binding.name}${binding.pattern === 'prefixed' ? '*' : ''}`;
}
