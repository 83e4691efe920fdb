/**
 * A function for the local runtime's own tests: reports the environment it runs with, and reads a
 * variable the way Clearway's adapters do (requiredEnv), so a test can show what happens when its
 * manifest does not give it that variable.
 */
import { requiredEnv } from '../../../shared/adapters/aws.js';

export const handler = async (event: { read?: string }) => ({
  variables: Object.keys(process.env).sort(),
  ...(event.read ? { value: requiredEnv(event.read) } : {}),
});
