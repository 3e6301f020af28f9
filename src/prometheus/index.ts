export { collectMetrics, NO_CODE, NO_TYPE, OTHER_TYPE, type CollectMetricsOptions } from './collect-metrics';
