export { batchJob } from './batch-job';
