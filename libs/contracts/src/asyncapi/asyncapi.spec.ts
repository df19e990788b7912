import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { MESSAGE_DEFINITIONS } from '../catalogue/catalogue';
import { validateCommand, validateEvent } from '../validation/validate';
import { publishedMessages } from './document';
import { renderAsyncApiDocument } from './render';

const documentPath = join(__dirname, '..', '..', 'asyncapi.yaml');
const committed = readFileSync(documentPath, 'utf8');
type Payload = Record<string, unknown>;
interface MessageObject {
  payload: { $ref: string };
  examples: { payload: Payload; headers: Record<string, string> }[];
  description?: string;
  'x-schema-version': number;
}
interface Doc {
  components: { messages: Record<string, MessageObject>; schemas: Record<string, { type?: string }> };
  channels: Record<string, { address: string; messages: Record<string, unknown> }>;
}
const document = parse(committed) as Doc;

// The whole document is the root, so `#/components/schemas/...` resolves exactly as a reader's would.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(document, 'urn:custody:asyncapi');
const compiled = new Map<string, ValidateFunction>();
function schemaAt(pointer: string): ValidateFunction {
  if (!compiled.has(pointer)) compiled.set(pointer, ajv.getSchema(`urn:custody:asyncapi#${pointer}`)!);
  return compiled.get(pointer)!;
}
const payloadOf = (name: string) => schemaAt(`/components/messages/${name}/payload`);

describe('the AsyncAPI document', () => {
  it('is exactly what `npm run contracts:generate` produces from the code (no drift)', () => {
    expect(committed).toBe(renderAsyncApiDocument());
  });

  it('parses with @asyncapi/parser without errors or warnings', async () => {
    const script = join(__dirname, '..', '..', 'tools', 'check-asyncapi.mjs');
    const { stdout } = await promisify(execFile)(process.execPath, [script, documentPath], { maxBuffer: 64 * 1024 * 1024 });
    const result = JSON.parse(stdout) as { parsed: boolean; version: string; diagnostics: { severity: number; message: string; path: string }[] };
    expect(result.parsed).toBe(true);
    expect(result.version).toBe('3.0.0');
    expect(result.diagnostics.filter((d) => d.severity <= 1)).toEqual([]);
  }, 180_000);

  it('has a message with a schema and at least one example for every message type of the code', () => {
    const inDocument = Object.keys(document.components.messages);
    for (const definition of MESSAGE_DEFINITIONS) {
      const message = document.components.messages[definition.type];
      expect(message).toBeDefined();
      const schemaName = (message.payload.$ref as string).split('/').pop()!;
      expect(document.components.schemas[schemaName]).toMatchObject({ type: 'object' });
      expect(message.examples.length).toBeGreaterThanOrEqual(1);
      expect(Object.values(document.channels).some((c) => c.address === definition.topic && c.messages[definition.type])).toBe(true);
    }
    expect(inDocument.sort()).toEqual(publishedMessages().map((m) => m.name).sort());
  });

  it('documents older versions beside the current one', () => {
    expect(document.components.messages.InmateRegisteredV1['x-schema-version']).toBe(1);
    expect(document.components.messages.InmateRegistered['x-schema-version']).toBe(3);
    expect(document.components.messages.InmateRegisteredV1.description).toContain('nationalities');
    expect(document.components.messages.InmateRegisteredV2['x-schema-version']).toBe(2);
    expect(document.components.messages.InmateRegisteredV2.description).toContain('encrypted');
  });

  it.each(Object.keys(document.components.messages))(
    '%s: every example validates against its payload and header schemas',
    (name) => {
      const message = document.components.messages[name];
      for (const example of message.examples) {
        const payload = payloadOf(name);
        expect(payload(example.payload) ? [] : payload.errors).toEqual([]);
        const headers = schemaAt(`/components/messages/${name}/headers`);
        expect(headers(example.headers) ? [] : headers.errors).toEqual([]);
      }
    },
  );

  it.each(publishedMessages().map((m) => [m.name, m] as const))('%s: the documented example passes class-validator', (name, published) => {
    const example = document.components.messages[name].examples[0].payload;
    const { type, kind } = published.definition;
    const result = kind === 'command' ? validateCommand(type, example) : validateEvent(type, published.version, example);
    expect(result.ok ? [] : result.error.errors).toEqual([]);
  });
});

describe('the JSON Schemas are as strict as class-validator', () => {
  const example = () => structuredClone(document.components.messages.RegisterInmate.examples[0].payload);
  const nested = (p: Payload, field: string) => p[field] as Payload;
  const cases: [string, (p: Payload) => void][] = [
    ['an unknown field', (p) => (p.shoeSize = 44)],
    ['an unknown nested field', (p) => (nested(p, 'residence').colour = 'blue')],
    ['a state code outside ISO 3166-1', (p) => (p.sendingState = 'UK')],
    ['a date that is not a calendar date', (p) => (nested(p, 'identity').dateOfBirth = '1988-13-01')],
    ['an instant without a time zone', (p) => (p.occurredAt = '2026-03-02T09:30:00')],
    ['an id that is not a UUID', (p) => (p.inmateId = 'inmate-42')],
    ['a missing nested object', (p) => delete p.holdingFacility],
    ['an empty list of nationalities', (p) => (p.nationalities = [])],
  ];
  it.each(cases)('both reject %s', (_case, breakIt) => {
    const payload = example();
    breakIt(payload);
    expect(payloadOf('RegisterInmate')(payload)).toBe(false);
    expect(validateCommand('RegisterInmate', payload).ok).toBe(false);
  });

  it('both apply the conditional rules (a refusal names its ground)', () => {
    const decision = structuredClone(document.components.messages.RecordReceivingStateDecision.examples[0].payload);
    decision.decision = 'refused';
    delete decision.procedure;
    delete decision.adaptedSentence;
    expect(payloadOf('RecordReceivingStateDecision')(decision)).toBe(false);
    expect(validateCommand('RecordReceivingStateDecision', decision).ok).toBe(false);
    decision.refusalGround = 'no-double-criminality';
    expect(payloadOf('RecordReceivingStateDecision')(decision)).toBe(true);
    expect(validateCommand('RecordReceivingStateDecision', decision).ok).toBe(true);
  });
});
