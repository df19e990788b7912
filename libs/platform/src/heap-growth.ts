import { setFlagsFromString } from 'node:v8';

/**
 * Bounds how far the heap grows between two full collections, in percent of what the last one
 * kept (NODE_HEAP_GROWING_PERCENT; 0 or undefined leaves V8's own choice, which lets the heap of
 * a busy service reach about four times what it holds). Call it before the application is
 * built: V8 reads the factor at each collection, so it holds from the first one on
 * (docs/performance.md, "Memory").
 */
export function applyHeapGrowth(percent: number | undefined): void {
  if (percent) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
