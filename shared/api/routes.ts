/**
 * Every route of the public API (contract sections 2-10). The CDK stack creates exactly these HTTP
 * API routes, the handlers validate with exactly these schemas, and `GET /openapi.json` documents
 * exactly these, so the three cannot drift apart.
 */
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/route.js';
import { problemSchema } from '../schemas/problem.js';
import { ruleSetCreated, ruleSetInput, ruleSetVersionParams, ruleSetView, simulateRequest, simulationResult } from '../schemas/ruleset.js';
import {
  declarationAccepted,
  declarationIdParams,
  declarationInput,
  declarationList,
  declarationView,
  listDeclarationsQuery,
} from '../schemas/declaration.js';
import { createPrincipalRequest, principalCreated } from '../schemas/principal.js';
import { creditChangeRequest, creditView, enterpriseCodeParams, enterpriseView, registerEnterpriseRequest } from '../schemas/enterprise.js';

const health = z.object({ status: z.literal('ok'), region: z.string() }).meta({ id: 'Health' });

export const routes = {
  health: defineRoute({
    method: 'GET',
    path: '/health',
    fn: 'meta',
    auth: 'public',
    tag: 'meta',
    summary: 'Liveness: 200 once the platform is up',
    responses: { 200: health },
  }),
  openapi: defineRoute({
    method: 'GET',
    path: '/openapi.json',
    fn: 'meta',
    auth: 'public',
    tag: 'meta',
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: z.record(z.string(), z.unknown()) },
  }),
  createPrincipal: defineRoute({
    method: 'POST',
    path: '/principals',
    fn: 'principals',
    auth: 'key',
    tag: 'principals',
    summary: 'Create a principal and its API key (admin). The key is shown once.',
    body: createPrincipalRequest,
    responses: { 201: principalCreated },
  }),
  registerEnterprise: defineRoute({
    method: 'POST',
    path: '/enterprises',
    fn: 'enterprises',
    auth: 'key',
    tag: 'enterprises',
    summary: 'Register an enterprise once for the whole region (admin or officer with credit)',
    body: registerEnterpriseRequest,
    responses: { 201: enterpriseView },
  }),
  getEnterprise: defineRoute({
    method: 'GET',
    path: '/enterprises/{code}',
    fn: 'enterprises',
    auth: 'key',
    tag: 'enterprises',
    summary: 'Read an enterprise (any principal; an enterprise only itself)',
    params: enterpriseCodeParams,
    responses: { 200: enterpriseView },
  }),
  getCredit: defineRoute({
    method: 'GET',
    path: '/enterprises/{code}/credit',
    fn: 'enterprises',
    auth: 'key',
    tag: 'credit',
    summary: 'Region-wide credit, its measures and history (any principal)',
    params: enterpriseCodeParams,
    responses: { 200: creditView },
  }),
  changeCredit: defineRoute({
    method: 'PUT',
    path: '/enterprises/{code}/credit',
    fn: 'enterprises',
    auth: 'key',
    tag: 'credit',
    summary: 'Change credit level or blacklist, effective in every bureau at once (officer with credit)',
    params: enterpriseCodeParams,
    body: creditChangeRequest,
    responses: { 200: creditView },
  }),
  submitDeclaration: defineRoute({
    method: 'POST',
    path: '/declarations',
    fn: 'declarations',
    auth: 'key',
    tag: 'declarations',
    summary: 'File an inspection declaration at any bureau (enterprise). Durable before the 202.',
    body: declarationInput,
    headers: { 'Idempotency-Key': 'Optional; like clientRef, the same key with the same body returns the original' },
    responses: { 202: declarationAccepted, 200: declarationView },
  }),
  listDeclarations: defineRoute({
    method: 'GET',
    path: '/declarations',
    fn: 'declarations',
    auth: 'key',
    tag: 'declarations',
    summary: "The caller's own declarations, newest first, cursor-paginated (enterprise)",
    query: listDeclarationsQuery,
    responses: { 200: declarationList },
  }),
  getDeclaration: defineRoute({
    method: 'GET',
    path: '/declarations/{id}',
    fn: 'declarations',
    auth: 'key',
    tag: 'declarations',
    summary: 'A declaration with its decision, steps, release and timeline (its enterprise; officers of an involved bureau)',
    params: declarationIdParams,
    responses: { 200: declarationView },
  }),
  createRuleSet: defineRoute({
    method: 'POST',
    path: '/rulesets',
    fn: 'rulesets',
    auth: 'key',
    tag: 'rulesets',
    summary: 'Draft a rule set (officer with rules); every fault is named with its path',
    body: ruleSetInput,
    responses: { 201: ruleSetCreated },
  }),
  getActiveRuleSet: defineRoute({
    method: 'GET',
    path: '/rulesets/active',
    fn: 'rulesets',
    auth: 'key',
    tag: 'rulesets',
    summary: 'The rule set every bureau audits with now (officers, admin)',
    responses: { 200: ruleSetView },
  }),
  getRuleSet: defineRoute({
    method: 'GET',
    path: '/rulesets/{version}',
    fn: 'rulesets',
    auth: 'key',
    tag: 'rulesets',
    summary: 'Any version, draft or published (officers, admin)',
    params: ruleSetVersionParams,
    responses: { 200: ruleSetView },
  }),
  simulateRuleSet: defineRoute({
    method: 'POST',
    path: '/rulesets/{version}/simulate',
    fn: 'rulesets',
    auth: 'key',
    tag: 'rulesets',
    summary: 'Replay recent declarations under this version and the active one (officer with rules)',
    params: ruleSetVersionParams,
    body: simulateRequest,
    optionalBody: true,
    responses: { 200: simulationResult },
  }),
  publishRuleSet: defineRoute({
    method: 'POST',
    path: '/rulesets/{version}/publish',
    fn: 'rulesets',
    auth: 'key',
    tag: 'rulesets',
    summary: 'Make a draft active for every bureau at once (officer with rules)',
    params: ruleSetVersionParams,
    responses: { 200: ruleSetView },
  }),
} satisfies Record<string, RouteDef<any, any, any>>;

export const allRoutes: RouteDef[] = Object.values(routes) as RouteDef[];

/** Error responses every route may give, documented once. */
export const problemResponses = problemSchema;
