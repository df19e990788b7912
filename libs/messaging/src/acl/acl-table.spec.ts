import { ALL_TOPICS, commandResultsTopic, TOPIC_PUBLISHERS, TOPICS } from '@custody/contracts';
import { RELAY_CHECKPOINT_TOPIC, relayTransactionalId } from '../relay-publishers';
import { deadLetterTopic } from '../topics';
import { aclBindings, AclTableError, describeBinding, parseAclTable, readAclTable, type AclDeployment } from './acl-table';

const deployment: AclDeployment = {
  topicPrefix: 'p.',
  services: {
    intake: { username: 'intake', groupId: 'intake-group' },
    transfer: { username: 'transfer', groupId: 'transfer-group' },
    custody: { username: 'custody', groupId: 'custody-group' },
    audit: { username: 'audit', groupId: 'audit-ledger' },
  },
  ministries: { BE: { username: 'ministry-BE' }, AL: { username: 'ministry-AL' } },
  operator: { username: 'operator' },
};

/** The bindings of the table of docs/security.md, as lines. */
const lines = (principal?: string) =>
  aclBindings(readAclTable(), deployment)
    .filter((binding) => !principal || binding.principal === `User:${principal}`)
    .map(describeBinding);

describe('the ACL table of docs/security.md', () => {
  it("gives a ministry Write on the commands topics, Read on its own results topic and on the audit's, and its own groups: nothing else", () => {
    expect(lines('ministry-BE').sort()).toEqual(
      [
        'User:ministry-BE Write topic p.custody.intake.commands',
        'User:ministry-BE Write topic p.custody.transfer.commands',
        'User:ministry-BE Write topic p.custody.facility.commands',
        'User:ministry-BE Read topic p.custody.command-results.BE',
        'User:ministry-BE Read topic p.custody.audit.findings',
        'User:ministry-BE Read topic p.custody.audit.checkpoints',
        'User:ministry-BE Read group p.custody.ministry.BE.*',
      ].sort(),
    );
    expect(lines('ministry-AL')).toContain('User:ministry-AL Read topic p.custody.command-results.AL');
    expect(lines('ministry-AL')).not.toContain('User:ministry-AL Read topic p.custody.command-results.BE');
  });

  it("gives a service Write on its own events topic and its relay's transactional id, and on no other service's", () => {
    const transfer = lines('transfer');
    expect(transfer).toEqual(
      expect.arrayContaining([
        'User:transfer Write topic p.custody.transfer.events',
        'User:transfer Write transactional-id p.custody.relay.transfer',
        'User:transfer Read group p.custody.relay.transfer',
        'User:transfer Read group transfer-group',
        'User:transfer Read topic p.custody.relay.checkpoints',
        'User:transfer Read topic p.custody.transfer.commands',
        'User:transfer Write topic p.custody.command-results.BE',
        'User:transfer Write topic p.custody.command-results.AL',
        'User:transfer Write topic p.custody.command-results',
      ]),
    );
    const writes = transfer.filter((line) => / Write topic /.test(line) && !line.endsWith('.dlq'));
    expect(writes.sort()).toEqual(
      ['p.custody.transfer.events', 'p.custody.command-results', 'p.custody.command-results.BE', 'p.custody.command-results.AL'].map((t) => `User:transfer Write topic ${t}`).sort(),
    );
    expect(transfer.filter((line) => line.includes('transactional-id'))).toEqual(['User:transfer Write transactional-id p.custody.relay.transfer']);
    expect(lines('audit').filter((line) => / Write topic /.test(line) && !line.endsWith('.dlq')).sort()).toEqual(
      ['User:audit Write topic p.custody.audit.checkpoints', 'User:audit Write topic p.custody.audit.findings'],
    );
  });

  it('agrees with the contract: each topic written by its publishers alone, every topic named, every topic read has its dead-letter twin writable by its readers', () => {
    const all = aclBindings(readAclTable(), { ...deployment, topicPrefix: '' });
    const principalsWith = (operation: string, topic: string) =>
      all.filter((b) => b.resource === 'topic' && b.pattern === 'literal' && b.name === topic && b.operation === operation).map((b) => b.principal).sort();
    for (const [topic, publishers] of Object.entries(TOPIC_PUBLISHERS)) {
      expect({ topic, writers: principalsWith('Write', topic) }).toEqual({ topic, writers: publishers!.map((service) => `User:${service}`).sort() });
    }
    // Each state's results topic is written by the shared topic's publishers.
    expect(principalsWith('Write', commandResultsTopic('BE'))).toEqual(TOPIC_PUBLISHERS[TOPICS.commandResults]!.map((s) => `User:${s}`).sort());
    // Commands topics: the ministries write, nobody else.
    for (const topic of [TOPICS.intakeCommands, TOPICS.transferCommands, TOPICS.facilityCommands]) {
      expect(principalsWith('Write', topic)).toEqual(['User:ministry-AL', 'User:ministry-BE']);
    }
    for (const topic of [...ALL_TOPICS, RELAY_CHECKPOINT_TOPIC]) {
      expect({ topic, named: all.some((b) => b.name === topic) }).toEqual({ topic, named: true });
    }
    const services = Object.values(deployment.services).map((s) => `User:${s.username}`);
    for (const read of all.filter((b) => b.operation === 'Read' && b.resource === 'topic' && services.includes(b.principal) && b.name !== RELAY_CHECKPOINT_TOPIC)) {
      expect({ reader: read.principal, dlq: principalsWith('Write', deadLetterTopic(read.name)).includes(read.principal) }).toEqual({ reader: read.principal, dlq: true });
    }
    // The relays' names are relayTransactionalId's.
    for (const service of Object.keys(deployment.services)) {
      expect(all).toContainEqual({ resource: 'transactional-id', name: relayTransactionalId('', service), pattern: 'literal', principal: `User:${service}`, operation: 'Write' });
    }
  });

  it('refuses a table it cannot read, naming the row', () => {
    const table = (row: string) => `## Kafka: topic ACLs\n\n| Resource | Name | Principals | Operations | Why |\n| --- | --- | --- | --- | --- |\n${row}\n`;
    expect(parseAclTable(table('| topic | `a.b` | `service:intake` | Read | |'))).toEqual([{ resource: 'topic', name: 'a.b', principals: [{ kind: 'service', name: 'intake' }], operations: ['Read'] }]);
    expect(() => parseAclTable(table('| table | `a.b` | `service:intake` | Read | |'))).toThrow(/line 5: the resource must be/);
    expect(() => parseAclTable(table('| topic | `a.b` | `minister:BE` | Read | |'))).toThrow(/a principal is service/);
    expect(() => parseAclTable(table('| topic | `a.b` | `service:intake` | Fly | |'))).toThrow(/operations are/);
    expect(() => parseAclTable(table('| topic | `a.<STATE>` | `ministry:*` | Read | |'))).toThrow(/<STATE>/);
    expect(() => parseAclTable(table('| topic | `a` | `ministry:<STATE>` | Read | |'))).toThrow(/needs a name with <STATE>/);
    expect(() => parseAclTable('# nothing here')).toThrow(AclTableError);
  });
});
