/**
 * A declaration's release as its header stores it (`release`: bureau, certificate number, digest,
 * HMAC signature and the certificate's JWS), read back without the rest of the header. The one
 * place the release is read by itself: `GET /certificates/{no}` (shared/adapters/declaration-store.ts)
 * and a release's webhook, whose event does not hold the JWS again (shared/adapters/outbox.ts).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, dynamo, tableName, type ItemReader } from './aws.js';
import { keys } from './keys.js';

export type StoredRelease = { certificateNo?: unknown; digest?: unknown; signature?: unknown; jws?: unknown };

const RELEASE_ONLY = { ProjectionExpression: 'pk, #release', ExpressionAttributeNames: { '#release': 'release' } };
const releaseOf = (header: Record<string, unknown> | undefined) => header?.release as StoredRelease | undefined;

/** One declaration's release, strongly consistent (undefined: no declaration, or not released). */
export async function readRelease(declarationId: string): Promise<StoredRelease | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: tableName(), Key: keys.declaration(declarationId), ConsistentRead: true, ...RELEASE_ONLY }),
  );
  return releaseOf(Item);
}

/** Several declarations' releases in one BatchGetItem, by declaration id (absent: not released). */
export async function readReleases(declarationIds: readonly string[]): Promise<Map<string, StoredRelease>> {
  const headers = await batchGetAll(
    declarationIds.map((id) => keys.declaration(id)),
    { consistent: true, projection: RELEASE_ONLY },
  );
  return new Map(headers.flatMap((h) => (releaseOf(h) ? [[keys.declarationIdOf(String(h.pk)), releaseOf(h)!]] : [])));
}

/** A declaration's release read through `read` (a batch's shared reader: one request with its other reads). */
export const releaseWith =
  (read: ItemReader) =>
  async (declarationId: string): Promise<StoredRelease | undefined> =>
    releaseOf(await read(keys.declaration(declarationId)));
