import { MESSAGE_DEFINITIONS, messagesOnTopic } from '../catalogue/catalogue';
import { messageKey, subjectAttribute, subjectOf } from '../envelope/subject';
import { EXAMPLES } from '../examples/examples';
import { IDS } from '../examples/fixtures';
import { ALL_TOPICS, commandResultsTopic, deadLetterTopic, isContractTopic, stateOfCommandResultsTopic, TOPICS } from './topics';

describe('topics', () => {
  it('names the topics of the contract', () => {
    expect([...ALL_TOPICS].sort()).toEqual([
      'custody.audit.checkpoints', 'custody.audit.findings', 'custody.command-results',
      'custody.facility.commands', 'custody.facility.events', 'custody.intake.commands',
      'custody.intake.events', 'custody.transfer.commands', 'custody.transfer.events',
    ]);
    expect(deadLetterTopic(TOPICS.intakeCommands)).toBe('custody.intake.commands.dlq');
    expect(isContractTopic('custody.transfer.events.dlq')).toBe(true);
    expect(isContractTopic('custody.prison.events')).toBe(false);
  });

  it('names each state\'s command results topic after its code, and refuses to name one after anything else', () => {
    expect(commandResultsTopic('BE')).toBe('custody.command-results.BE');
    expect(commandResultsTopic('XK')).toBe('custody.command-results.XK');
    for (const state of ['be', 'UK', 'BEL', '', 'BE.AL', '*']) expect(() => commandResultsTopic(state)).toThrow(TypeError);
    expect(stateOfCommandResultsTopic('custody.command-results.AL')).toBe('AL');
    expect(stateOfCommandResultsTopic('custody.command-results')).toBeUndefined();
    expect(stateOfCommandResultsTopic('custody.command-results.al')).toBeUndefined();
    expect(isContractTopic('custody.command-results.BE')).toBe(true);
    expect(isContractTopic('custody.command-results.ZZ')).toBe(false);
  });

  it('puts commands on commands topics and events on events topics, and every type on exactly one topic', () => {
    for (const definition of MESSAGE_DEFINITIONS) {
      if (definition.kind === 'command') expect(definition.topic).toMatch(/\.commands$/);
      else expect(definition.topic).not.toMatch(/\.commands$/);
    }
    const types = MESSAGE_DEFINITIONS.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
    expect(ALL_TOPICS.flatMap((t) => messagesOnTopic(t)).sort()).toEqual([...types].sort());
  });

  it('routes the receiving state\'s decision to the transfer service and admissions to the custody service', () => {
    expect(messagesOnTopic(TOPICS.transferCommands)).toContain('RecordReceivingStateDecision');
    expect(messagesOnTopic(TOPICS.facilityCommands)).toEqual(expect.arrayContaining(['AdmitInmate', 'ReservePlace']));
    expect(messagesOnTopic(TOPICS.commandResults)).toEqual(['CommandAccepted', 'CommandRejected']);
    expect(messagesOnTopic(TOPICS.auditFindings)).toEqual(['FindingRaised', 'FindingResolved']);
  });
});

describe('message keys', () => {
  it.each(MESSAGE_DEFINITIONS.map((d) => [d.type, d.subject] as const))('%s is keyed by its %s', (type, rule) => {
    const key = messageKey(type, EXAMPLES[type], 'correlation-1');
    const expected = { inmate: IDS.inmate, facility: IDS.facility, 'inmate-or-facility': IDS.inmate, 'inmate-facility-or-topic': IDS.inmate, ledger: 'ledger', command: 'correlation-1' }[rule];
    expect(key).toBe(expected);
  });

  it('keys a person\'s messages by the inmate id, whichever service publishes them', () => {
    for (const type of ['RegisterInmate', 'TransferRequested', 'CustodyReceived', 'InmateAdmitted', 'InmateReleased'] as const) {
      expect(messageKey(type, EXAMPLES[type])).toBe(IDS.inmate);
    }
  });

  it('keys facility-level messages by the facility id', () => {
    for (const type of ['RegisterFacility', 'ReservePlace', 'PlaceReserved', 'ReservationRefused', 'PlaceOccupied'] as const) {
      expect(messageKey(type, EXAMPLES[type])).toBe(IDS.facility);
    }
  });

  it('keys a facility-level finding by the facility', () => {
    const finding = { ...EXAMPLES.FindingRaised, inmateId: undefined, facilityId: IDS.facility };
    expect(subjectOf('FindingRaised', finding)).toEqual({ kind: 'facility', id: IDS.facility });
  });

  it('keys a topic-level finding, which names no person or facility, by the topic of the refused message it names', () => {
    const { inmateId: _inmate, ...rest } = EXAMPLES.FindingRaised as Record<string, unknown>;
    const finding = { ...rest, invariant: 'event-signatures-valid', refusedMessage: { topic: 'custody.transfer.events', partition: 1, offset: '42', reasonCode: 'EVENT_SIGNATURE_INVALID' } };
    expect(subjectOf('FindingRaised', finding)).toEqual({ kind: 'topic', id: 'custody.transfer.events' });
    expect(messageKey('FindingRaised', finding)).toBe('custody.transfer.events');
    expect(subjectAttribute({ kind: 'topic', id: 'custody.transfer.events' })).toBe('topic/custody.transfer.events');
    // A person named wins: the refused message is then detail.
    expect(subjectOf('FindingRaised', { ...finding, inmateId: IDS.inmate })).toEqual({ kind: 'inmate', id: IDS.inmate });
  });

  it('writes the CloudEvents subject with the kind', () => {
    expect(subjectAttribute({ kind: 'inmate', id: IDS.inmate })).toBe(`inmate/${IDS.inmate}`);
    expect(subjectAttribute({ kind: 'ledger', id: 'ledger' })).toBe('ledger');
  });

  it('has no key for an unknown type or a payload without the field', () => {
    expect(messageKey('RegisterPrisoner', EXAMPLES.RegisterInmate)).toBeUndefined();
    expect(messageKey('RegisterInmate', {})).toBeUndefined();
  });
});
