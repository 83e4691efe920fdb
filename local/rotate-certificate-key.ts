/**
 * `npm run rotate-certificate-key`: a new local certificate-signing key signs from now on; the
 * earlier ones stay in the JWKS, so certificates they signed still verify. Safe while the platform
 * runs (it reads the current key at every signature). In the cloud: infra/certificate-keys.ts.
 */
import path from 'node:path';
import { rotateLocalSigningKey } from '../shared/adapters/local-signer.js';

const dir = path.resolve(process.env.CLEARWAY_DATA_DIR || '.clearway', 'certificate-keys');
console.log(`clearway: certificates are now signed with key ${rotateLocalSigningKey(dir)} (in ${dir})`);
