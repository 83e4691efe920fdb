/** First-start data for local mode (the cloud runs the same seed from a deploy-time trigger). */
export async function bootstrap(): Promise<void> {
  const { seed } = await import('../functions/seed.js');
  await seed();
}
