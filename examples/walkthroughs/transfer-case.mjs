// One transfer case from the registration with the sending state's intake service to the admission
// in the receiving facility, as each party sends its commands (docs/domain.md). Used by
// belgium-to-albania.mjs and denmark-to-kosovo.mjs, which give the parties and the facility.
import { clockFrom, daysBetween, id, read, send, waitFor } from './lib.mjs';

/** Intake answers these while its events are not yet published; the transfer service has not heard of the person yet. */
const INMATE_NOT_YET_PUBLISHED = ['INMATE_NOT_FOUND', 'SENTENCE_NOT_RECORDED'];
/** Custody answers this before transfer's relay published the two sides of the hand-over (Rule 11). */
const HAND_OVER_NOT_YET_PUBLISHED = ['ADMISSION_WITHOUT_HAND_OVER'];

/**
 * @param shape the parties: sendingState, receivingState, legalBasis, nationality, person, facility (its registration body
 *   without ids and dates), consent, the organisations; for a transfer of enforcement the receiving authority and the
 *   procedure (recognition), for a lease (`isLease`) the lessee's `placement` (Rule 18); see the two walk-throughs.
 */
export async function runTransferCase(shape) {
  // Every act within the last six days, in order: none in the future, none before the step it
  // follows, none recorded late (Rule 17; COMMAND_LATE_RECORDING_DAYS is 7 by default).
  const { at, day } = clockFrom(6);
  const inmateId = id();
  const transferId = id();
  const facilityId = id();
  const reservationId = id();
  const passport = `P${inmateId.slice(0, 8).toUpperCase()}`;
  const s = shape;
  const enforcementStartDate = day(-850);
  const end = new Date(`${enforcementStartDate}T00:00:00Z`);
  end.setUTCFullYear(end.getUTCFullYear() + 6);
  const sentenceEndDate = end.toISOString().slice(0, 10);
  const preTrialDays = 131;
  const officer = { state: s.sendingState, organisation: s.holdingFacility, officer: s.sendingOfficer };
  const receivingAuthority = s.receivingAuthority ? { state: s.receivingState, organisation: s.receivingAuthority } : undefined;
  const escort = { state: s.sendingState, organisation: s.escortOrganisation, leadOfficer: s.escortOfficer };
  const identity = {
    ...s.person,
    documents: [{ kind: 'passport', number: passport, issuingState: s.nationality }],
  };
  const ids = { transferId, inmateId };

  // 0. The receiving facility, registered with custody (its places are what the case reserves).
  await send('custody registers the receiving facility', 'custody', '/facilities', { occurredAt: at(0), facilityId, ...s.facility });

  // 1. The sending state's intake: the person and the sentence (published on custody.intake.events,
  //    which transfer and custody fold into their own copies of the person's facts).
  await send('intake registers the person', 'intake', '/inmates', {
    occurredAt: at(1), inmateId, identity, nationalities: [s.nationality], sendingState: s.sendingState,
    holdingFacility: { name: s.holdingFacility }, residence: { status: 'irregular', habitualResidence: s.sendingState },
  });
  await send('intake records the sentence', 'intake', `/inmates/${inmateId}/sentence`, {
    occurredAt: at(1, 5), inmateId,
    sentence: {
      court: s.court, caseReference: `CR-${passport}`, finalJudgmentDate: day(-870), offences: [s.offence], kind: 'determinate',
      length: { years: 6, months: 0, days: 0 }, sentenceEndDate, enforcementStartDate, preTrialDays,
      daysServed: preTrialDays + daysBetween(enforcementStartDate, day(0)),
    },
  });
  if (s.expulsionOrder) {
    // What the lease asks (Rule 4): a final expulsion order and a health assessment.
    await send('intake records the expulsion order', 'intake', `/inmates/${inmateId}/expulsion-orders`, {
      occurredAt: at(1, 10), inmateId,
      expulsionOrder: { ...s.expulsionOrder, issuingAuthority: { state: s.sendingState, organisation: 'Immigration Service' }, issuedOn: day(-20), isFinal: true },
    });
    await send('intake records the health assessment', 'intake', `/inmates/${inmateId}/health-assessments`, {
      occurredAt: at(1, 15), inmateId, hasSeriousMentalIllness: false, hasTerminalIllness: false,
      assessedBy: { state: s.sendingState, organisation: s.holdingFacility }, assessedOn: day(-5),
    });
  }

  // 2. The sending state requests the transfer (Rule 1: the basis fits the pair of states; Rule 6:
  //    no other open case). While intake's events are still on their way, transfer answers 409
  //    NOT_YET_KNOWN_HERE with Retry-After, and the command is sent again.
  await send(`${s.sendingState} requests the transfer under ${s.legalBasis}`, 'transfer', '/transfers', {
    occurredAt: at(2), ...ids, sendingState: s.sendingState, receivingState: s.receivingState, legalBasis: s.legalBasis,
    ...(s.isLease ? { facilityId } : {}), reason: s.reason,
  }, { notYet: INMATE_NOT_YET_PUBLISHED });

  // 3. Eligibility: every rule with its citation; the inmate's opinion; consent (or why it is not required, Rule 5).
  await send('eligibility', 'transfer', `/transfers/${transferId}/eligibility`, { occurredAt: at(2, 30), ...ids }, { notYet: INMATE_NOT_YET_PUBLISHED });
  await send("the inmate's opinion", 'transfer', `/transfers/${transferId}/opinion`, {
    occurredAt: at(3), ...ids, opinion: s.opinion, language: s.language, recordedBy: officer,
  });
  await send('consent', 'transfer', `/transfers/${transferId}/consent`, { occurredAt: at(3, 10), ...ids, ...s.consent, recordedBy: officer });

  if (s.isLease) {
    // 4-5. Under a lease there is nothing for the host state to recognise or adapt (Rule 18): the
    //      lessee, the sending state, decides the placement itself, under its own law, in the
    //      facility the request named. A certificate or a recognition here is refused
    //      RECOGNITION_NOT_UNDER_LEASE. The person is told of the decision and of the appeal.
    await send(`${s.sendingState} decides the placement in the leased places`, 'transfer', `/transfers/${transferId}/placement`, {
      occurredAt: at(24), ...ids, decisionReference: `PLACE-${passport}`, decidedBy: s.placement.decidedBy, facilityId,
      grounds: s.placement.grounds, legalGround: s.placement.legalGround,
    });
    await send('the inmate is told', 'transfer', `/transfers/${transferId}/notifications`, {
      occurredAt: at(25), ...ids, language: s.language, subject: s.placement.notice,
    });
  } else {
    // 4. The certificate goes to the receiving state, which acknowledges it.
    await send('the certificate', 'transfer', `/transfers/${transferId}/certificate`, {
      occurredAt: at(4), ...ids, certificateReference: `${s.sendingState}-${s.receivingState}-${passport}`, isJudgmentEnclosed: true, receivingAuthority,
    });
    await send('the receiving state acknowledges the certificate', 'transfer', `/transfers/${transferId}/certificate-receipt`, {
      occurredAt: at(6), ...ids, receivedBy: receivingAuthority,
    });

    // 5. The receiving state recognises the judgment. A conversion deducts every day served by the
    //    decision (fewer is TIME_SERVED_NOT_DEDUCTED, a longer sentence ADAPTED_SENTENCE_HARSHER).
    await send(`${s.receivingState} recognises the judgment (${s.procedure})`, 'transfer', `/transfers/${transferId}/decision`, {
      occurredAt: at(24), ...ids, decision: 'recognised', decisionReference: `DEC-${passport}`, decidedBy: receivingAuthority,
      procedure: s.procedure, facilityId,
      ...(s.procedure === 'conversion'
        ? {
            adaptedSentence: {
              measure: 'custodial', kind: 'determinate', length: { years: 6, months: 0, days: 0 }, sentenceEndDate,
              daysDeducted: preTrialDays + daysBetween(enforcementStartDate, day(1)), legalGround: s.adaptationGround,
            },
          }
        : {}),
    });
    await send('the inmate is told', 'transfer', `/transfers/${transferId}/notifications`, {
      occurredAt: at(25), ...ids, language: s.language, subject: 'The receiving state recognised the judgment',
    });
  }

  // 6. A place at the receiving facility: transfer asks custody on Kafka; custody answers
  //    PlaceReserved, and the case moves to place-reserved.
  await send('a place at the receiving facility', 'transfer', `/transfers/${transferId}/reservation`, {
    occurredAt: at(26), ...ids, facilityId, reservationId,
    profile: {
      nationalities: [s.nationality], hasExpulsionOrder: !!s.expulsionOrder, offenceCategories: [s.offence.category],
      sentenceKind: 'determinate', hasSeriousMentalIllness: false, hasTerminalIllness: false,
    },
  });
  await waitFor('custody reserves the place', 'transfer', `/transfers/${transferId}`, (t) => t.stage === 'place-reserved', (t) => ({ stage: t.stage, reservation: t.reservation }));
  const occupancy = await read('the facility holds the place', 'custody', `/facilities/${facilityId}/occupancy`);
  console.log(`   occupancy: ${JSON.stringify({ capacity: occupancy.capacity, reserved: occupancy.reserved, occupied: occupancy.occupied, governingState: occupancy.governingState })}`);

  // 7. Schedule, then the two sides of the hand-over (Rule 11): the sending side dispatches, the receiving side receives.
  await send('the transfer is scheduled', 'transfer', `/transfers/${transferId}/schedule`, {
    occurredAt: at(48), ...ids, plannedDeparture: at(72), destinationFacilityId: facilityId, escort,
  });
  await send(`${s.sendingState} hands the person over`, 'transfer', `/transfers/${transferId}/dispatch`, {
    occurredAt: at(72), ...ids, dispatchedBy: { state: s.sendingState, organisation: s.escortOrganisation, officer: s.escortOfficer, place: s.airport }, escort,
  });
  const receivedBy = { state: s.receivingState, organisation: s.prisonService, officer: s.receivingOfficer, place: s.airport };
  await send(`${s.receivingState} receives the person`, 'transfer', `/transfers/${transferId}/receipt`, { occurredAt: at(72, 5), ...ids, facilityId, receivedBy });

  // 8. The facility admits the person (custody, once it has read both sides of the hand-over:
  //    until then 409 NOT_YET_KNOWN_HERE); InmateAdmitted completes the case in the transfer service.
  await send('the facility admits the person', 'custody', `/custody/${inmateId}/admission`, {
    occurredAt: at(74), inmateId, facilityId, transferId, reservationId,
    admission: {
      identity,
      commitment: { reason: s.commitmentReason, authority: s.commitmentAuthority, warrantReference: `W-${passport}` },
      admittedAt: at(73, 45),
      propertyInventory: [{ description: 'Wristwatch', quantity: 1 }],
      hasVisibleInjuries: false,
      health: { summary: 'No acute condition; takes no medication.', isFitForDetention: true, examinedBy: { state: s.receivingState, organisation: 'Facility medical service', officer: 'Dr. V. Berisha' } },
    },
  }, { notYet: HAND_OVER_NOT_YET_PUBLISHED });
  const completed = await waitFor('the case completes', 'transfer', `/transfers/${transferId}`, (t) => t.stage === 'completed', (t) => ({
    stage: t.stage, openDeadlines: t.openDeadlines, timeline: t.timeline?.map((step) => step.step),
  }));
  const held = await waitFor('custody holds the person', 'custody', `/custody/${inmateId}`, (c) => c.status === 'in-custody', (c) => ({
    status: c.status, whereabouts: c.whereabouts, law: c.law, releaseOn: c.releaseOn,
  }));
  return { inmateId, transferId, facilityId, reservationId, stage: completed.stage, steps: completed.timeline?.map((step) => step.step), custody: { status: held.status, facilityId: held.facilityId, governingState: held.law?.governingState, governedBy: held.law?.governedBy } };
}
