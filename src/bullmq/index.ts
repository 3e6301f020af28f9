export { createQueueHandoff, DEFAULT_JOB_OPTIONS, type HandoffJobOptions, type HandoffQueue, type QueueHandoffOptions } from './queue-handoff';
export { createWorker, type CreateWorkerOptions } from './worker';
export { DEFAULT_QUEUE_NAME } from './queued-event';
export { retryFailedJobs, type RetryFailedJobsOptions, type RetryQueue } from './retry-failed-jobs';
export { jobIdFor } from './job-id';
export type { QueuedContext, QueuedEvent } from './queued-event';
