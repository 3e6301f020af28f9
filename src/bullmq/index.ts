export { createQueueHandoff, DEFAULT_JOB_OPTIONS, type HandoffJobOptions, type HandoffQueue, type QueueHandoffOptions } from './queue-handoff';
export { createWorker, DEFAULT_QUEUE_NAME, type CreateWorkerOptions } from './worker';
export { retryFailedJobs, type RetryFailedJobsOptions, type RetryQueue } from './retry-failed-jobs';
export { jobIdFor } from './job-id';
export type { QueuedContext, QueuedEvent } from './queued-event';
