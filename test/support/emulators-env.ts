import { inject } from 'vitest';

// Before any test file imports a handler: point the SDK clients at the emulators.
Object.assign(process.env, inject('emulatorEnv'));
