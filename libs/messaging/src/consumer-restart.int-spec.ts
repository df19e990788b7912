import { eventually, uniqueName } from '@custody/testing';
import type { Admin } from 'kafkajs';
import { ChildConsumer } from './testing/child-consumer';
import { inmateRegistered } from './testing/events';
import { Harness } from './testing/harness';

/**
 * A consumer whose process dies (SIGKILL) leaves its member in the group until the member's
 * session times out, and the group's next rebalance waits for it. Started again under the same
 * instance name, the consumer removes that member before joining
 * (docs/adr/0017-restart-replaces-previous-member.md); stopped with SIGTERM, it leaves the group
 * itself. The members here have a session of 5 minutes: a member left behind would hold the group
 * far longer than these tests wait (bench/restart.bench.ts measures how long a restart takes).
 */
describe('a consumer restarted after SIGKILL, and one stopped with SIGTERM', () => {
  const LONG_SESSION = { SESSION_TIMEOUT_MS: '300000', HEARTBEAT_INTERVAL_MS: '3000' };
  let h: Harness;
  let admin: Admin;
  const children: ChildConsumer[] = [];

  beforeEach(async () => {
    h = await Harness.create('consumer-restart');
    await h.startRelay();
    admin = h.kafka.admin();
    await admin.connect();
  });

  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill();
    await admin?.disconnect();
    await h?.close();
  });

  const start = (env: Record<string, string>): ChildConsumer => {
    const child = new ChildConsumer(h.childEnv({ CONSUMER_SCHEMA: h.db.schema, ...env }));
    children.push(child);
    return child;
  };
  const group = async (groupId: string) => (await admin.describeGroups([groupId])).groups[0];
  const recordedMember = async (groupId: string, instanceId: string): Promise<string | undefined> => {
    const { rows } = await h.db.pool.query<{ member_id: string }>(`SELECT member_id FROM "${h.db.schema}".consumer_member WHERE consumer = $1 AND instance_id = $2`, [groupId, instanceId]);
    return rows[0]?.member_id;
  };
  const joinedWithPartitions = (child: ChildConsumer, message: string) =>
    eventually(() => child.joined(), { timeoutMs: 60_000, message: `${message} to join with partitions (last lines: ${child.stderr.slice(-3).join(' | ')})` });
  /** An event appended (the relay publishes it) and applied by `child`. */
  const consumedBy = async (child: ChildConsumer, message: string) => {
    const event = inmateRegistered();
    await h.append([event]);
    await eventually(() => child.processed(event.id), { timeoutMs: 60_000, message });
    return event.id;
  };

  it('started again under the same instance name, it removes the member its killed run left, joins, and consumes an event published after its start', async () => {
    const groupId = uniqueName('restart-group');
    const env = { GROUP_ID: groupId, INSTANCE_ID: 'instance-a', ...LONG_SESSION };
    const first = start(env);
    await joinedWithPartitions(first, 'the first consumer');
    const before = await consumedBy(first, 'the first consumer to apply an event');
    const [dead] = (await group(groupId)).members;
    expect(await eventually(() => recordedMember(groupId, 'instance-a'), { message: 'the member id recorded' })).toBe(dead.memberId);

    await first.kill();
    // The broker still counts the killed consumer a member: its session has minutes to run.
    expect((await group(groupId)).members.map((m) => m.memberId)).toEqual([dead.memberId]);

    const second = start(env);
    const joined = await joinedWithPartitions(second, 'the restarted consumer');
    expect(second.logs()).toContainEqual(expect.stringContaining(`removed member ${dead.memberId}, left in the group by the previous run of instance instance-a`));
    const members = (await group(groupId)).members.map((m) => m.memberId);
    expect(members).toHaveLength(1);
    expect(members).not.toContain(dead.memberId);
    expect(await eventually(async () => ((await recordedMember(groupId, 'instance-a')) === members[0] ? members[0] : undefined), { message: 'the new member id recorded' })).toBe(members[0]);

    const after = await consumedBy(second, 'the restarted consumer to apply an event published after its start');
    const consumed = second.processed(after)!;
    expect((await h.effects()).map((e) => e.event_id)).toEqual([before, after]);
    console.log(`consumer killed with SIGKILL and started again: joined ${joined.at - second.startedAt} ms after its start, consumed ${consumed.at - second.startedAt} ms after it`);
  }, 240_000);

  it('started under another instance name, it leaves the killed member alone: the group waits for that member', async () => {
    const groupId = uniqueName('restart-group');
    const first = start({ GROUP_ID: groupId, INSTANCE_ID: 'instance-a', ...LONG_SESSION });
    await joinedWithPartitions(first, 'the first consumer');
    const [dead] = (await group(groupId)).members;
    await eventually(() => recordedMember(groupId, 'instance-a'), { message: 'the member id recorded' });
    await first.kill();

    const other = start({ GROUP_ID: groupId, INSTANCE_ID: 'instance-b', ...LONG_SESSION });
    // Its join starts a rebalance, which waits for the killed member to join again (it never will).
    const waiting = await eventually(async () => {
      const described = await group(groupId);
      return described.state === 'PreparingRebalance' ? described : undefined;
    }, { timeoutMs: 60_000, message: 'the other instance to ask to join' });
    expect(waiting.members.map((m) => m.memberId)).toContain(dead.memberId);
    expect(other.joined()).toBeUndefined();
    expect(other.logs().filter((line) => line.includes('removed member'))).toEqual([]);
    expect(await recordedMember(groupId, 'instance-a')).toBe(dead.memberId);
  }, 240_000);

  it('stopped with SIGTERM, it leaves the group: the next consumer joins an empty group and consumes', async () => {
    const groupId = uniqueName('restart-group');
    // No instance name: nothing is removed at start, the member leaves by itself.
    const first = start({ GROUP_ID: groupId, ...LONG_SESSION });
    await joinedWithPartitions(first, 'the first consumer');
    const before = await consumedBy(first, 'the first consumer to apply an event');
    expect((await group(groupId)).members).toHaveLength(1);

    expect(await first.stop()).toBe(0);
    const left = await group(groupId);
    expect({ state: left.state, members: left.members }).toEqual({ state: 'Empty', members: [] });

    const next = start({ GROUP_ID: groupId, ...LONG_SESSION });
    const joined = await joinedWithPartitions(next, 'the next consumer');
    expect(next.logs().filter((line) => line.includes('removed member'))).toEqual([]);
    const after = await consumedBy(next, 'the next consumer to apply an event published after its start');
    expect((await h.effects()).map((e) => e.event_id)).toEqual([before, after]);
    console.log(`consumer stopped with SIGTERM, the next started: joined ${joined.at - next.startedAt} ms after its start`);
  }, 240_000);
});
