import RequestQueue from 'kafkajs/src/network/requestQueue';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** kafkajs's request queue of one connection, driven directly (no socket): what timers it arms. */
describe('kafkajs\'s request queue, once our seam over kafkajs is loaded', () => {
  const original = RequestQueue.prototype.scheduleCheckPendingRequests;
  let delays: number[];

  beforeAll(async () => {
    await import('./kafka');
  });

  beforeEach(() => {
    delays = [];
    const setTimeoutOf = global.setTimeout as (...args: unknown[]) => NodeJS.Timeout;
    jest.spyOn(global, 'setTimeout').mockImplementation(((callback: () => void, delay?: number, ...args: unknown[]) => {
      delays.push(delay ?? 0);
      return setTimeoutOf(callback, delay, ...args);
    }) as typeof setTimeout);
  });
  afterEach(() => jest.restoreAllMocks());

  const queue = (maxInFlightRequests?: number) =>
    new RequestQueue({ maxInFlightRequests, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'broker:9092', logger: quiet });

  it('is changed by loading kafka.ts', () => {
    expect(RequestQueue.prototype.scheduleCheckPendingRequests).not.toBe(original);
  });

  it('arms no check while no request is pending (kafkajs armed one with a delay of -1 - Date.now())', () => {
    const idle = queue();
    idle.checkPendingRequests(); // as after every answer
    expect({ delays, armed: idle.throttleCheckTimeoutId }).toEqual({ delays: [], armed: null });
    idle.destroy();
  });

  it('arms kafkajs\'s own check when a request waits: at the end of a throttle, or after 10 ms behind the requests in flight', () => {
    const sent: number[] = [];
    const request = (correlationId: number) => ({ entry: { correlationId }, expectResponse: true, sendRequest: () => void sent.push(correlationId) });

    const throttled = queue();
    throttled.maybeThrottle(5_000);
    throttled.push(request(1));
    expect(sent).toEqual([]);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThan(4_000);
    expect(delays[0]).toBeLessThanOrEqual(5_000);
    throttled.destroy();

    delays = [];
    const full = queue(1);
    full.push(request(2));
    full.push(request(3));
    expect(sent).toEqual([2]);
    expect(delays).toEqual([10]);
    full.destroy();
  });
});
