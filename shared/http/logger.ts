/** One Powertools Logger for every function, set up once per container. */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({
  serviceName: 'clearway',
  logLevel: (process.env.CLEARWAY_LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
});
