/**
 * The time of the service, injected so that tests move it: the deadline scheduler and the
 * overdue reads ask it, never `Date.now()`.
 */
export abstract class Clock {
  abstract now(): Date;
}

/** The machine's clock. */
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** The machine's clock moved by a fixed offset (CLOCK_OFFSET_MS): end-to-end tests let deadlines pass. */
export class OffsetClock extends Clock {
  constructor(private readonly offsetMs: number) {
    super();
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

/** A clock a test sets and moves forward. */
export class MovableClock extends Clock {
  constructor(private current: Date = new Date()) {
    super();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(instant: string | Date): void {
    this.current = new Date(instant);
  }

  advanceDays(days: number): void {
    this.current = new Date(this.current.getTime() + days * 86_400_000);
  }
}
