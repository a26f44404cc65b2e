export { computePerformance, evaluatePerformance, type PerformanceInput, type PerformanceRow } from './compute-performance';
export { parseTargetValue, type ParsedTarget } from './target-values';
