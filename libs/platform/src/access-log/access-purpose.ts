import { CommandRejection, REJECTIONS } from '@custody/contracts';
import type { Principal } from '@custody/security';

/** The header in which the caller states why it reads personal data. */
export const PURPOSE_HEADER = 'x-access-purpose';
/** The header naming who the data goes to, when not the caller's own organisation. */
export const RECIPIENT_HEADER = 'x-access-recipient';

export const MAX_PURPOSE_LENGTH = 500;
export const MAX_RECIPIENT_LENGTH = 200;

/** What a disclosure records when authentication is off (local development and the end-to-end stack). */
export const NOT_STATED = 'not stated (AUTH_MODE=off)';

/** Why and for whom personal data is read, as the log records it. */
export interface StatedAccess {
  purpose: string;
  recipient: string;
}

// C0 and C1 control characters: a purpose is one line of text an auditor reads.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value.join(', ') : value)?.trim() || undefined;
}

/**
 * The purpose and the recipient of a read of personal data (Directive (EU) 2016/680 Art 25:
 * the justification, the identity of the person who consulted and of the recipients). The
 * purpose is required: missing, blank, longer than 500 characters or with control characters,
 * the read is refused with 400 PURPOSE_REQUIRED, except with AUTH_MODE=off where a missing
 * purpose is recorded as not stated. The recipient defaults to the principal's organisation,
 * else its state.
 */
export function statedAccess(
  headers: Record<string, string | string[] | undefined>,
  principal: Principal | undefined,
  mode: 'on' | 'off',
): StatedAccess {
  const purpose = headerValue(headers, PURPOSE_HEADER);
  const purposeProblem =
    purpose === undefined
      ? mode === 'off' ? undefined : 'state the purpose of this read of personal data (a case reference, a task)'
      : purpose.length > MAX_PURPOSE_LENGTH ? `the purpose takes ${purpose.length} characters; at most ${MAX_PURPOSE_LENGTH} are kept`
      : CONTROL.test(purpose) ? 'the purpose may not contain control characters'
      : undefined;
  if (purposeProblem) {
    throw new CommandRejection('PURPOSE_REQUIRED', REJECTIONS.PURPOSE_REQUIRED.message, {}, [{ path: `headers.${PURPOSE_HEADER}`, problem: purposeProblem }]);
  }
  const recipient = headerValue(headers, RECIPIENT_HEADER);
  if (recipient !== undefined && (recipient.length > MAX_RECIPIENT_LENGTH || CONTROL.test(recipient))) {
    throw new CommandRejection('VALIDATION_FAILED', REJECTIONS.VALIDATION_FAILED.message, {}, [
      { path: `headers.${RECIPIENT_HEADER}`, problem: `the recipient must be one line of at most ${MAX_RECIPIENT_LENGTH} characters` },
    ]);
  }
  return {
    purpose: purpose ?? NOT_STATED,
    recipient: recipient ?? principal?.organisation ?? principal?.state ?? NOT_STATED,
  };
}
