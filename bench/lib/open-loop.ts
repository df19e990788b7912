/**
 * The pipeline benchmark's two parts share bench/results/pipeline.json: the closed loop
 * (pipeline.bench.ts, a fixed number of cases in flight) and the open loop (pipeline-open.bench.ts,
 * cases arriving at fixed rates). Each part rewrites its own figures and keeps the other's.
 */
export function isOpenLoopFigure(id: string): boolean {
  return id.startsWith('pipeline.open.') || id === 'pipeline.saturation' || id.endsWith('.at10');
}
