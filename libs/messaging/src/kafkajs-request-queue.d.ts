// kafkajs ships its per-connection request queue as CommonJS without a declaration at this path;
// kafkajs-idle-queue.ts replaces one of its methods (and its spec drives one directly).
declare module 'kafkajs/src/network/requestQueue' {
  interface RequestQueue {
    pending: unknown[];
    throttleCheckTimeoutId: unknown;
    maybeThrottle(clientSideThrottleTime: number): void;
    push(request: { entry: { correlationId: number }; expectResponse: boolean; sendRequest: () => void; requestTimeout?: number }): void;
    checkPendingRequests(): void;
    scheduleCheckPendingRequests(): void;
    destroy(): void;
  }
  const RequestQueue: {
    prototype: RequestQueue;
    new (options: { maxInFlightRequests?: number; requestTimeout: number; enforceRequestTimeout: boolean; clientId: string; broker: string; logger: object }): RequestQueue;
  };
  export default RequestQueue;
}

// kafkajs's table of the broker's error codes (CommonJS, no declaration at this path); kafkajs-log.ts
// reads which answers kafkajs itself retries.
declare module 'kafkajs/src/protocol/error' {
  export const errorCodes: ReadonlyArray<{ type: string; code: number; retriable: boolean; message: string }>;
}
