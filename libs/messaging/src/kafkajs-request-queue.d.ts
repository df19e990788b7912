// kafkajs ships its per-connection request queue as CommonJS without a declaration at this path;
// armRequestChecksOnlyWhenPending (kafkajs-idle-queue.ts) replaces one of its methods.
declare module 'kafkajs/src/network/requestQueue' {
  const RequestQueue: { prototype: object };
  export default RequestQueue;
}
