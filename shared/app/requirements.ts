/**
 * What an enterprise can know before filing: the active rule set's document requirements
 * (GET /requirements) and the decision a draft would get now (POST /declarations/check). Nothing is
 * stored. Ports default to the production adapters.
 */
import { dynamoEnterpriseStore } from '../adapters/enterprise-store.js';
import { ruleSetStore } from '../adapters/ruleset-store.js';
import type { EnterpriseStore } from '../domain/enterprise.js';
import { notFound } from '../domain/errors.js';
import { documentRequirements, documentTypesOf, predictDecision, PREDICTION_LIMITS, type Requirements } from '../domain/requirements.js';
import type { CompiledRuleSet } from '../domain/rules/engine.js';
import type { DeclarationInput } from '../schemas/declaration.js';
import type { RuleSetInput } from '../schemas/ruleset.js';

export type RequirementsPorts = {
  activeVersion: () => Promise<number | undefined>;
  ruleSet: (version: number) => Promise<RuleSetInput | undefined>;
  compiled: (version: number) => Promise<CompiledRuleSet | undefined>;
  enterprises: Pick<EnterpriseStore, 'get'>;
};

export const productionRequirementsPorts = (): RequirementsPorts => ({
  activeVersion: () => ruleSetStore.activeVersion(),
  ruleSet: (version) => ruleSetStore.get(version),
  compiled: (version) => ruleSetStore.compiled(version),
  enterprises: dynamoEnterpriseStore,
});

/** Published versions never change: their requirements are derived once per container. */
const byVersion = new Map<number, Requirements>();

export async function activeRequirements(ports: RequirementsPorts = productionRequirementsPorts()): Promise<Requirements> {
  const version = await ports.activeVersion();
  if (version === undefined) throw notFound('an active rule set');
  let found = byVersion.get(version);
  if (!found) {
    const rs = await ports.ruleSet(version);
    if (!rs) throw notFound(`rule set ${version}`);
    found = documentRequirements(rs, version);
    byVersion.set(version, found);
  }
  return found;
}

export async function checkDraft(draft: DeclarationInput, ports: RequirementsPorts = productionRequirementsPorts()) {
  const [enterprise, version] = await Promise.all([ports.enterprises.get(draft.enterpriseId), ports.activeVersion()]);
  if (!enterprise) throw notFound(`enterprise ${draft.enterpriseId}`);
  const rs = version === undefined ? undefined : await ports.compiled(version);
  if (!rs) throw notFound('an active rule set');
  const prediction = predictDecision(rs, draft, { level: enterprise.level, blacklisted: enterprise.blacklisted });
  return {
    stored: false as const,
    ...prediction,
    predicted: [...PREDICTION_LIMITS.predicted],
    notPredicted: [...PREDICTION_LIMITS.notPredicted],
  };
}

/**
 * The document types of the active rule set, for the OpenAPI enum. Before any rule set is active
 * (or where the table is not reachable, e.g. a function without TABLE_NAME) they come from the
 * default rule set file, which is what the first start publishes.
 */
export async function activeDocumentTypes(
  ports: Pick<RequirementsPorts, 'activeVersion' | 'ruleSet'> | undefined = process.env.TABLE_NAME
    ? productionRequirementsPorts()
    : undefined,
): Promise<{ version: number | null; types: string[] }> {
  const version = ports ? await ports.activeVersion() : undefined;
  if (ports && version !== undefined) {
    const cached = byVersion.get(version);
    if (cached) return { version, types: cached.documentTypes };
    const rs = await ports.ruleSet(version);
    if (rs) return { version, types: documentTypesOf(rs) };
  }
  const { default: fallback } = await import('../../config/default-ruleset.json', { with: { type: 'json' } });
  return { version: null, types: documentTypesOf(fallback as RuleSetInput) };
}
