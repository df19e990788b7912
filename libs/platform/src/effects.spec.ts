import { Logger } from '@nestjs/common';
import { CommandRejection } from '@custody/contracts';
import { PermanentHandlerError, type DecodedEvent } from '@custody/messaging';
import { applyEffect } from './effects';
import { runObserved, type CommandRecorder } from './observability/context';

const event: DecodedEvent = {
  id: '5e0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
  type: 'PlaceReserved',
  schemaVersion: 1,
  subject: 'facility/1',
  occurredAt: '2026-03-01T09:00:00Z',
  extensions: {},
  data: {},
};

describe('applyEffect: another service\'s event applied here', () => {
  let refused: Array<[string, string, string]>;
  let warnings: string[];
  const recorder: CommandRecorder = {
    command: () => undefined,
    appendSeconds: () => undefined,
    effectRefused: (...args) => void refused.push(args),
  };
  const observed = (work: () => Promise<void>) => runObserved({ service: 'transfer', recorder }, work);

  beforeEach(() => {
    refused = [];
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });
  afterEach(() => jest.restoreAllMocks());

  it('an effect applied is neither counted nor logged', async () => {
    let applied = 0;
    await observed(() => applyEffect(event, { type: 'ConfirmPlaceReservation' }, async () => void applied++));
    expect({ applied, refused, warnings }).toEqual({ applied: 1, refused: [], warnings: [] });
  });

  it('a refusal of the rules is an answer: the message is consumed, the refusal counted and logged with what it left unchanged', async () => {
    const apply = async () => {
      throw new CommandRejection('RESERVATION_NOT_FOUND', 'No such reservation for this case.');
    };
    await expect(observed(() => applyEffect(event, { type: 'ConfirmPlaceReservation' }, apply, { target: 'transfer 7' }))).resolves.toBeUndefined();
    expect(refused).toEqual([['PlaceReserved', 'ConfirmPlaceReservation', 'RESERVATION_NOT_FOUND']]);
    expect(warnings).toEqual([`PlaceReserved ${event.id} left transfer 7 unchanged: ConfirmPlaceReservation refused RESERVATION_NOT_FOUND (No such reservation for this case.)`]);
  });

  it('a code named for the dead-letter topic sets the message aside with that code, and is not counted as a refused effect', async () => {
    const apply = async () => {
      throw new CommandRejection('INMATE_NOT_FOUND', 'No inmate is registered under this id.');
    };
    const outcome = observed(() => applyEffect(event, { type: 'SuspendEnforcement' }, apply, { deadLetter: ['INMATE_NOT_FOUND'] }));
    await expect(outcome).rejects.toBeInstanceOf(PermanentHandlerError);
    await expect(outcome).rejects.toMatchObject({ code: 'INMATE_NOT_FOUND', message: `PlaceReserved ${event.id}: No inmate is registered under this id.` });
    expect({ refused, warnings }).toEqual({ refused: [], warnings: [] });
  });

  it('any other failure is thrown as it is, for the transporter to retry or set aside by its kind', async () => {
    const failure = new Error('connection terminated');
    const apply = async () => {
      throw failure;
    };
    await expect(observed(() => applyEffect(event, { type: 'ConfirmPlaceReservation' }, apply))).rejects.toBe(failure);
    expect({ refused, warnings }).toEqual({ refused: [], warnings: [] });
  });
});
