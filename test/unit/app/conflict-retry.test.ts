import { describe, expect, it } from 'vitest';
import { LOST_RACE, retryOnConflict } from '../../../shared/app/conflict-retry.js';
import { DomainError } from '../../../shared/domain/errors.js';

describe('retryOnConflict', () => {
  it('decides again after each lost race and answers the first commit', async () => {
    let attempts = 0;
    const result = await retryOnConflict('the record', async () => (++attempts < 3 ? LOST_RACE : `committed on ${attempts}`));
    expect(result).toBe('committed on 3');
    expect(attempts).toBe(3);
  });

  it('answers 409 naming the record after the last lost race, having tried exactly that often', async () => {
    let attempts = 0;
    const error = await retryOnConflict('enterprise X', async () => (attempts++, LOST_RACE), 4).catch((e: unknown) => e);
    expect(attempts).toBe(4);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).kind).toBe('conflict');
    expect((error as DomainError).message).toBe('enterprise X is changing too often; try again');
  });

  it('stops at once when an attempt throws (the domain refusing the new state)', async () => {
    let attempts = 0;
    const refusal = new DomainError('conflict', 'already decided');
    await expect(
      retryOnConflict('x', async () => {
        attempts++;
        if (attempts === 2) throw refusal;
        return LOST_RACE;
      }),
    ).rejects.toBe(refusal);
    expect(attempts).toBe(2);
  });

  it('passes falsy results through (only the marker means retry)', async () => {
    expect(await retryOnConflict('x', async () => undefined)).toBeUndefined();
    expect(await retryOnConflict('x', async () => false)).toBe(false);
  });
});
