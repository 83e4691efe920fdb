import { Validations, type Stack } from 'aws-cdk-lib';

/**
 * Findings of the cdk-nag AwsSolutions pack that are deliberate, each with its reason. Everything
 * else the pack reports fails synthesis (and the infra test).
 */
export const NAG_ACKNOWLEDGEMENTS = [
  {
    id: 'AwsSolutions::AwsSolutions-SMG4',
    reason:
      'The admin API key is handed to the operator out of band; it is rotated by updating the secret (functions cache it for 5 minutes), not by a rotation Lambda that could not tell the operator.',
  },
] as const;

export type NagAcknowledgement = { readonly id: string; readonly reason: string };

export function acknowledgeNagFindings(stack: Stack, acknowledgements: readonly NagAcknowledgement[] = NAG_ACKNOWLEDGEMENTS): void {
  if (acknowledgements.length) Validations.of(stack).acknowledge(...acknowledgements);
}
