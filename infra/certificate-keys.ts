/**
 * Certificate-signing key generations, oldest first; the last signs, every one stays published in
 * the JWKS so the certificates it signed keep verifying. To rotate: append a name and deploy.
 * Never remove or reorder one: its key would leave the JWKS (keys are retained in KMS anyway).
 */
export const CERTIFICATE_KEY_GENERATIONS = ['2026-12'] as const;
