/** Enterprise registry and region-wide credit (contract section 4). */
import { routes } from '../../shared/api/routes.js';
import { dynamoEnterpriseStore as enterprises } from '../../shared/adapters/enterprise-store.js';
import { activeRuleSetForAudit } from '../../shared/adapters/ruleset-store.js';
import { newEnterprise, type CreditHistoryEntry, type EnterpriseRecord } from '../../shared/domain/enterprise.js';
import { notFound } from '../../shared/domain/errors.js';
import type { Principal } from '../../shared/domain/principal.js';
import { creditMeasures } from '../../shared/domain/rules/measures.js';
import { httpFunction, implement } from '../../shared/http/function.js';
import { changeCredit } from '../../shared/app/credit.js';
import { creditObjectionRoutes } from './credit-objections.js';

const HISTORY_LIMIT = 100;

/** An enterprise sees only itself; officers and admins see every enterprise of the region. */
async function visibleEnterprise(principal: Principal, code: string): Promise<EnterpriseRecord> {
  if (principal.kind === 'enterprise' && principal.enterpriseId !== code) throw notFound(`enterprise ${code}`);
  const record = await enterprises.get(code);
  if (!record) throw notFound(`enterprise ${code}`);
  return record;
}

const enterpriseView = ({ version: _v, ...view }: EnterpriseRecord) => view;

/**
 * Officers and admins see who changed credit; anyone else (an enterprise, reading its own credit or
 * another's) sees the bureau that did, never an officer's principal id.
 */
function historyFor(reader: Principal | undefined, history: CreditHistoryEntry[]) {
  if (reader && (reader.kind === 'officer' || reader.kind === 'admin')) return history;
  return history.map(({ principalId: _officer, ...entry }) => entry);
}

async function creditView(record: EnterpriseRecord, reader?: Principal) {
  const [history, ruleSet] = await Promise.all([enterprises.history(record.creditCode, HISTORY_LIMIT), activeRuleSetForAudit()]);
  return {
    creditCode: record.creditCode,
    name: record.name,
    level: record.level,
    blacklisted: record.blacklisted,
    measures: creditMeasures(record, ruleSet.sampling),
    ruleSetVersion: ruleSet.version,
    updatedAt: record.updatedAt,
    updatedByBureau: record.updatedByBureau,
    history: historyFor(reader, history),
  };
}

export const enterpriseRoutes = [
  implement(routes.registerEnterprise, async ({ body, principal }) => {
    const now = new Date().toISOString();
    const record = newEnterprise(body, { bureau: principal.bureau ?? body.registeredBureau }, now);
    await enterprises.register(record);
    return { status: 201, body: enterpriseView(record), headers: { location: `/enterprises/${record.creditCode}` } };
  }),
  implement(routes.getEnterprise, async ({ params, principal }) => ({
    status: 200,
    body: enterpriseView(await visibleEnterprise(principal, params.code)),
  })),
  implement(routes.getCredit, async ({ params, principal }) => {
    const record = await enterprises.get(params.code);
    if (!record) throw notFound(`enterprise ${params.code}`);
    return { status: 200, body: await creditView(record, principal) };
  }),
  implement(routes.changeCredit, async ({ params, body, principal }) => {
    const record = await changeCredit(params.code, body, { bureau: principal.bureau!, principalId: principal.id });
    return { status: 200, body: await creditView(record, principal) };
  }),
  ...creditObjectionRoutes,
];

export const handler = httpFunction('enterprises', enterpriseRoutes);
