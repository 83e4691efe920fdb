/**
 * A bureau's work and the declarations that involve it (contract section 12), in GSI4.
 *
 * - Every step is a small item beside its declaration (`STEP#<kind>`), rewritten by the same
 *   transaction that changes the step (see `stepItemPut`, used by `declarationStore.apply`). While
 *   it is PENDING it sits in `WORK#<bureau>#<kind>#PENDING` sorted by requiredSince (oldest first);
 *   once recorded or waived in `...#DONE` sorted by recordedAt; a step in any other state (e.g.
 *   cancelled) is in no worklist. A pending step is also in the pending-work index (GSI2,
 *   `STEP_DUE#<shard>` by dueAt) until the overdue sweep has seen it pass its due time.
 * - Every bureau a declaration involves gets an involvement item (`BUREAU#<code>`, written with the
 *   declaration) in `BUREAUDECL#<bureau>` sorted by creation, naming its roles.
 *
 * One partition per bureau, kind and state keeps "oldest pending first" a single ordered read
 * however many steps wait (tens of thousands at peak are a few MB of index; one partition takes
 * 1,000 writes/s, far above any one bureau's step rate); a listing without a kind merges the
 * per-kind partitions, at most one page from each.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DeclarationRecord } from '../domain/declaration.js';
import type { WorkStep } from '../domain/transition.js';
import { DECLARATION_SUMMARY_FIELDS, WORK_KINDS, type DeclarationStatus, type StoredDeclarationSummary } from '../schemas/declaration.js';
import { batchGetAll, dynamo, tableName } from './aws.js';
import { BUREAU_WORK_ATTRIBUTES, decodeCursor, encodeCursor, GSI3, GSI4, DAY_SHARDS, keys } from './keys.js';
import type { TransactItems } from './transact.js';

export { WORK_KINDS };
export type { WorkKind } from '../schemas/declaration.js';
import type { WorkKind } from '../schemas/declaration.js';
export type WorkState = 'PENDING' | 'DONE';

export { BUREAU_WORK_ATTRIBUTES };

export type Involvement = 'declaredAt' | 'port' | 'inspection' | 'release' | 'step';

export type WorkItem = {
  declarationId: string;
  enterpriseId: string;
  direction: string;
  route: string | null;
  kind: string;
  bureau: string;
  status: string;
  requiredSince: string | null;
  dueAt: string | null;
  overdue: boolean;
  recordedAt?: string;
  recordedByBureau?: string;
};

type WorkOwner = Pick<DeclarationRecord, 'id' | 'enterpriseId' | 'direction'> & { decision: { route: string } | null };

const workState = (status: string): WorkState | undefined =>
  status === 'PENDING' ? 'PENDING' : status === 'PASSED' || status === 'FAILED' || status === 'WAIVED' ? 'DONE' : undefined;

/** The Put of a step's worklist item as the step now is (one item of a transition's transaction). */
export function stepItemPut(d: WorkOwner, step: WorkStep) {
  const state = workState(step.status);
  const orderedBy = state === 'PENDING' ? step.requiredSince : step.recordedAt;
  const dueIndexed = state === 'PENDING' && step.dueAt && !step.overdueNotifiedAt;
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.step(d.id, step.kind),
        itemType: 'step',
        declarationId: d.id,
        enterpriseId: d.enterpriseId,
        direction: d.direction,
        route: d.decision?.route ?? null,
        ...step,
        ...(state && orderedBy
          ? { gsi4pk: keys.worklist(step.bureau, step.kind, state), gsi4sk: keys.worklistSort(orderedBy, d.id, step.kind) }
          : {}),
        ...(dueIndexed ? { gsi2pk: keys.stepDue(d.id), gsi2sk: step.dueAt } : {}),
      },
    },
  };
}

/** The bureaus a declaration involves at filing, with their roles (a step's bureau is added when it differs). */
export function involvements(
  d: Pick<DeclarationRecord, 'declaredAt' | 'portBureau' | 'inspectionBureau' | 'releaseBureau'>,
): Map<string, Involvement[]> {
  const roles = new Map<string, Involvement[]>();
  const add = (bureau: string, role: Involvement) => roles.set(bureau, [...(roles.get(bureau) ?? []), role]);
  add(d.declaredAt, 'declaredAt');
  add(d.portBureau, 'port');
  add(d.inspectionBureau, 'inspection');
  add(d.releaseBureau, 'release');
  return roles;
}

/**
 * The bureaus a declaration involves now: its filing roles, and `step` for a bureau that owes one
 * of its steps without any other role (an officer's ADD_STEP at another bureau, contract section 12).
 */
export function involvementsWithSteps(
  d: Pick<DeclarationRecord, 'declaredAt' | 'portBureau' | 'inspectionBureau' | 'releaseBureau' | 'steps'>,
): Map<string, Involvement[]> {
  const roles = involvements(d);
  for (const step of d.steps) if (!roles.has(step.bureau)) roles.set(step.bureau, ['step']);
  return roles;
}

/**
 * The involvement Puts a transition needs for the worklist entries it writes: a step at a bureau
 * the declaration does not involve otherwise makes the declaration appear in that bureau's listing.
 */
export function stepInvolvementPuts(
  d: Pick<DeclarationRecord, 'id' | 'createdAt' | 'declaredAt' | 'portBureau' | 'inspectionBureau' | 'releaseBureau'>,
  steps: readonly Pick<WorkStep, 'bureau'>[],
): TransactItems {
  const filing = involvements(d);
  const extra = new Set(steps.map((s) => s.bureau).filter((b) => !filing.has(b)));
  return [...extra].map((bureau) => involvementPut(d, bureau, ['step']));
}

/** The Puts of a new declaration's involvement items (in its intake transaction). */
export function involvementPuts(
  d: Pick<DeclarationRecord, 'id' | 'createdAt' | 'declaredAt' | 'portBureau' | 'inspectionBureau' | 'releaseBureau'>,
): TransactItems {
  return [...involvements(d)].map(([bureau, roles]) => involvementPut(d, bureau, roles));
}

export function involvementPut(d: Pick<DeclarationRecord, 'id' | 'createdAt'>, bureau: string, roles: Involvement[]) {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.involvement(d.id, bureau),
        itemType: 'involvement',
        declarationId: d.id,
        bureau,
        roles,
        createdAt: d.createdAt,
        gsi4pk: keys.bureauListing(bureau),
        gsi4sk: keys.worklistSort(d.createdAt, d.id, 'DECL'),
      },
    },
  };
}

export type WorklistQuery = { status: WorkState; kind?: WorkKind; limit: number; cursor?: string };

const CURSOR_KEYS = ['after'];

/**
 * One page of a bureau's worklist: PENDING oldest requiredSince first, DONE newest first. The
 * cursor is the sort key of the last entry returned, so a merged page over kinds resumes exactly.
 */
export async function listWorklist(
  bureau: string,
  q: WorklistQuery,
  now: string,
): Promise<{ items: WorkItem[]; nextCursor: string | null } | 'bad-cursor'> {
  const start = decodeCursor(q.cursor, CURSOR_KEYS);
  if (q.cursor && !start) return 'bad-cursor';
  const ascending = q.status === 'PENDING';
  const kinds = q.kind ? [q.kind] : WORK_KINDS;
  const pages = await Promise.all(
    kinds.map((kind) =>
      dynamo.send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: GSI4,
          KeyConditionExpression: `gsi4pk = :p${start ? ` AND gsi4sk ${ascending ? '>' : '<'} :after` : ''}`,
          ExpressionAttributeValues: { ':p': keys.worklist(bureau, kind, q.status), ...(start ? { ':after': start.after } : {}) },
          ScanIndexForward: ascending,
          Limit: q.limit,
        }),
      ),
    ),
  );
  const all = pages.flatMap((p) => p.Items ?? []);
  all.sort((a, b) => (ascending ? 1 : -1) * String(a.gsi4sk).localeCompare(String(b.gsi4sk)));
  const items = all.slice(0, q.limit);
  const more = all.length > q.limit || pages.some((p) => p.LastEvaluatedKey);
  const last = items.at(-1);
  return {
    items: items.map((i) => workItem(i, now)),
    nextCursor: more && last ? (encodeCursor({ after: last.gsi4sk as string }) ?? null) : null,
  };
}

export function workItem(i: Record<string, unknown>, now: string): WorkItem {
  const dueAt = (i.dueAt as string | undefined) ?? null;
  return {
    declarationId: i.declarationId as string,
    enterpriseId: i.enterpriseId as string,
    direction: i.direction as string,
    route: (i.route as string | undefined) ?? null,
    kind: i.kind as string,
    bureau: i.bureau as string,
    status: i.status as string,
    requiredSince: (i.requiredSince as string | undefined) ?? null,
    dueAt,
    overdue: i.status === 'PENDING' && dueAt !== null && dueAt < now,
    ...(i.recordedAt ? { recordedAt: i.recordedAt as string } : {}),
    ...(i.recordedByBureau ? { recordedByBureau: i.recordedByBureau as string } : {}),
  };
}

/** A listing entry: the summary schema's stored fields (read with `SUMMARY_PROJECTION`). */
export type DeclarationSummaryItem = StoredDeclarationSummary;
export type BureauListQuery = { status?: DeclarationStatus; from?: string; to?: string; limit: number; cursor?: string };

const SUMMARY_PROJECTION = {
  ProjectionExpression: DECLARATION_SUMMARY_FIELDS.map((_, i) => `#f${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(DECLARATION_SUMMARY_FIELDS.map((f, i) => [`#f${i}`, f])),
};

/** The summaries of these declarations (one BatchGet per 100), in the order asked. */
export async function summariesOf(ids: string[]): Promise<DeclarationSummaryItem[]> {
  const items = await batchGetAll(
    ids.map((id) => keys.declaration(id)),
    { projection: SUMMARY_PROJECTION },
  );
  const found = new Map(items.map((item) => [item.id as string, item as DeclarationSummaryItem]));
  return ids.flatMap((id) => (found.has(id) ? [found.get(id)!] : []));
}

/**
 * Declarations involving a bureau, newest first, optionally narrowed to one role; `status` is
 * applied to the headers read (a status changes often, an involvement never), reading on (bounded)
 * while a page is short. The cursor is the index position after the last declaration looked at.
 */
export async function listInvolving(
  bureau: string,
  q: BureauListQuery & { involvement?: Exclude<Involvement, 'step'> },
): Promise<{ items: DeclarationSummaryItem[]; nextCursor: string | null } | 'bad-cursor'> {
  const partition = keys.bureauListing(bureau);
  const start = decodeCursor(q.cursor, ['pk', 'sk', 'gsi4pk', 'gsi4sk']);
  if (q.cursor && (!start || start.gsi4pk !== partition)) return 'bad-cursor';
  const range = keys.createdBetween(q.from, q.to);
  const items: DeclarationSummaryItem[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined = start;
  for (let reads = 0; reads < 10 && items.length < q.limit; reads++) {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: GSI4,
        KeyConditionExpression: 'gsi4pk = :p AND gsi4sk BETWEEN :from AND :to',
        ...(q.involvement ? { FilterExpression: 'contains(#roles, :role)', ExpressionAttributeNames: { '#roles': 'roles' } } : {}),
        ExpressionAttributeValues: {
          ':p': partition,
          ':from': range.from,
          ':to': range.to,
          ...(q.involvement ? { ':role': q.involvement } : {}),
        },
        ScanIndexForward: false,
        Limit: q.limit - items.length,
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    const summaries = await summariesOf((page.Items ?? []).map((i) => i.declarationId as string));
    items.push(...summaries.filter((s) => !q.status || s.status === q.status));
    exclusiveStartKey = page.LastEvaluatedKey;
    if (!exclusiveStartKey) break;
  }
  return { items, nextCursor: encodeCursor(exclusiveStartKey) ?? null };
}

/** How many days back an admin listing without `from` reaches, and how many days one page may look at. */
const ADMIN_DAYS_BACK = 366;
const ADMIN_DAYS_PER_PAGE = 31;

/**
 * Every declaration of the region, newest first (admin): the day index (GSI3), all shards of a day
 * merged. The cursor is the sort key to continue before (an entry, or the start of a day when a
 * page ran out of days to look at).
 */
export async function listAll(
  q: BureauListQuery,
  now: string,
): Promise<{ items: DeclarationSummaryItem[]; nextCursor: string | null } | 'bad-cursor'> {
  const start = decodeCursor(q.cursor, ['before']);
  if (q.cursor && !start) return 'bad-cursor';
  const range = keys.createdBetween(q.from, q.to);
  let before = start?.before ?? range.to;
  const lastDay = (q.from ?? new Date(Date.parse(now) - ADMIN_DAYS_BACK * 86_400_000).toISOString()).slice(0, 10);
  const items: DeclarationSummaryItem[] = [];
  let day = (before < range.to ? before : (q.to ?? now)).slice(0, 10);
  for (let days = 0; days < ADMIN_DAYS_PER_PAGE && day >= lastDay && items.length < q.limit;) {
    const need = q.limit - items.length;
    const pages = await Promise.all(
      Array.from({ length: DAY_SHARDS }, (_, shard) =>
        dynamo.send(
          new QueryCommand({
            TableName: tableName(),
            IndexName: GSI3,
            KeyConditionExpression: 'gsi3pk = :day AND gsi3sk BETWEEN :from AND :before',
            ExpressionAttributeValues: { ':day': keys.declarationsOfDay(day, shard), ':from': range.from, ':before': before },
            ScanIndexForward: false,
            Limit: need + 1,
          }),
        ),
      ),
    );
    const entries = pages
      .flatMap((p) => p.Items ?? [])
      .filter((i) => (i.gsi3sk as string) < before)
      .sort((a, b) => String(b.gsi3sk).localeCompare(String(a.gsi3sk)));
    const taken = entries.slice(0, need);
    const summaries = await summariesOf(taken.map((i) => keys.declarationIdOf(i.pk as string)));
    items.push(...summaries.filter((s) => !q.status || s.status === q.status));
    if (entries.length > need || pages.some((p) => p.LastEvaluatedKey)) {
      before = taken.at(-1)!.gsi3sk as string; // more on this day
    } else {
      before = day; // the day is exhausted: continue before its first instant
      day = new Date(Date.parse(day) - 86_400_000).toISOString().slice(0, 10);
      days++;
    }
  }
  const exhausted = day < lastDay || before <= range.from;
  return { items, nextCursor: exhausted ? null : (encodeCursor({ before }) ?? null) };
}

/** Per bureau and kind: the pending partition's key range holding the steps past dueAt at `now`. */
function overdueRange(bureau: string, kind: string, now: string, limitS: (kind: string) => number, direction?: string) {
  // Sorted by requiredSince; with dueAt = requiredSince + limit(kind), "due before now" is "required
  // before now - limit". The filter on dueAt keeps the answer exact for steps due earlier (a limit
  // since lengthened is found at the next page, a shortened one by the filter on what is read).
  const cut = new Date(Date.parse(now) - limitS(kind) * 1000).toISOString();
  return {
    TableName: tableName(),
    IndexName: GSI4,
    KeyConditionExpression: 'gsi4pk = :p AND gsi4sk < :cut',
    FilterExpression: `dueAt < :now${direction ? ' AND direction = :dir' : ''}`,
    ExpressionAttributeValues: {
      ':p': keys.worklist(bureau, kind, 'PENDING'),
      ':cut': cut,
      ':now': now,
      ...(direction ? { ':dir': direction } : {}),
    },
  };
}

/** The most overdue pending steps of these bureaus (smallest dueAt first), at most `limit`. */
export async function overdueSteps(bureaus: readonly string[], now: string, limit: number, limitS: (kind: string) => number) {
  const pages = await Promise.all(
    bureaus.flatMap((bureau) =>
      WORK_KINDS.map((kind) => dynamo.send(new QueryCommand({ ...overdueRange(bureau, kind, now, limitS), Limit: limit }))),
    ),
  );
  return pages
    .flatMap((p) => p.Items ?? [])
    .sort((a, b) => String(a.dueAt).localeCompare(String(b.dueAt)))
    .slice(0, limit)
    .map((i) => workItem(i, now));
}

/** How many steps a bureau has pending past dueAt now (counted in the index, every page). */
export async function countOverdue(bureau: string, now: string, limitS: (kind: string) => number, direction?: string): Promise<number> {
  const counts = await Promise.all(
    WORK_KINDS.map(async (kind) => {
      let count = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await dynamo.send(
          new QueryCommand({ ...overdueRange(bureau, kind, now, limitS, direction), Select: 'COUNT', ExclusiveStartKey: start }),
        );
        count += page.Count ?? 0;
        start = page.LastEvaluatedKey;
      } while (start);
      return count;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}
