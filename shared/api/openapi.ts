/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas (zod's own JSON
 * Schema output, draft 2020-12, which OpenAPI 3.1 uses as is). Written for client generators
 * (openapi-typescript and the like), so it is generic over whatever routes exist:
 * - request schemas are zod's *input* form (a field with a default is optional) and responses its
 *   *output* form (the same field is always present); where the two differ for a named schema the
 *   request one is the component `<Name>Input`;
 * - objects that take exactly one of several forms (rule-set `Condition`, `Action`) declare the
 *   forms with the meta key `x-one-of-forms` and come out as a `oneOf`;
 * - error responses are listed only where the route can return them (from what it takes and who
 *   may call it, plus the route's own `errors`), with their headers (`WWW-Authenticate`, `Allow`,
 *   `Retry-After`); success responses document `Location` where it is set;
 * - webhook payloads are the 3.1 `webhooks` section, one typed body per event type.
 */
import { z } from 'zod';
import type { RouteDef } from '../http/route.js';
import { problemSchema } from '../schemas/problem.js';
import { webhookPayloads } from '../schemas/events.js';
import { region } from '../region.js';
import { MAX_BODY_BYTES } from '../http/body.js';
import { DELIVERY_TIMEOUT_MS } from '../domain/webhook.js';
import { ANY_CALLER, describeCallers } from '../domain/principal.js';

type JsonSchema = Record<string, unknown>;

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Invalid request: every failing field is named in `errors`',
  '401': 'Missing or unknown API key',
  '403': 'The principal may not do this',
  '404': 'Not found (or belongs to another enterprise)',
  '405': 'This path does not take this method (another method on the path answers it); `Allow` lists the ones it takes',
  '409': 'Conflict with the current state: `detail` says what, extensions name the resource',
  '413': 'Body over the route\'s limit',
  '415': 'The body is not `application/json`',
  '422': 'Well-formed but cannot be processed',
  '429': 'Too many requests: retry after `Retry-After` seconds',
  '503': 'Temporarily unavailable (starting, or shedding load): retry after `Retry-After` seconds',
};

/** A byte limit as people read it (1 MiB, 5 MiB). */
const mib = (bytes: number) => (bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`);

const SUCCESS: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted', '204': 'No content' };

const HEADER_DOCS: Record<string, { description: string; schema: JsonSchema }> = {
  Location: { description: 'The URL of the resource created or accepted', schema: { type: 'string' } },
  'WWW-Authenticate': { description: 'Always `Bearer`: send `Authorization: Bearer <API key>`', schema: { type: 'string', const: 'Bearer' } },
  Allow: { description: 'The methods this path takes, comma-separated', schema: { type: 'string', example: 'GET, PUT' } },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } },
};
const ERROR_HEADERS: Record<string, string[]> = { '401': ['WWW-Authenticate'], '405': ['Allow'], '429': ['Retry-After'], '503': ['Retry-After'] };

/** Descriptions of the tags routes use; a tag added by a new route gets a generic one. */
const TAG_DESCRIPTIONS: Record<string, string> = {
  meta: 'Liveness and this document',
  principals: 'API keys for officers, enterprises and admins',
  enterprises: 'The region-wide enterprise registry',
  credit: 'Enterprise credit (AA/A/B/C/D, blacklist), its history and objections',
  declarations: 'Inspection declarations: file anywhere, follow the status',
  inspection: 'Inspection steps, release and certificates (verifiable offline)',
  rulesets: 'The one rule library of the virtual audit center: draft, simulate, publish',
  webhooks: 'Signed event delivery to enterprises and bureau systems (Standard Webhooks)',
  statistics: 'Counts by declaration place, inspection place and destination',
};

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** `x-one-of-forms: [["all"], ["field","op","value"], …]` on an object → a `oneOf` of those forms. */
function expandForms(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expandForms);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = expandForms(v);
  const forms = out['x-one-of-forms'] as string[][] | undefined;
  if (!forms) return out;
  const properties = (out.properties ?? {}) as Record<string, unknown>;
  const { description, title } = out;
  return {
    ...(title ? { title } : {}),
    ...(description ? { description } : {}),
    oneOf: forms.map((form) => ({
      type: 'object',
      properties: Object.fromEntries(form.map((k) => [k, properties[k]])),
      required: form,
      additionalProperties: false,
    })),
  };
}

const INPUT_REF = '#/x-input/';
const COMPONENT_REF = '#/components/schemas/';

export function buildOpenApi(routes: readonly RouteDef[], version = '1.0.0'): JsonSchema {
  const outputs = new Map<string, JsonSchema>();
  const inputs = new Map<string, JsonSchema>();

  /** zod → JSON Schema; named schemas become components, per direction (resolved at the end). */
  const convert = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
    const prefix = io === 'input' ? INPUT_REF : COMPONENT_REF;
    const store = io === 'input' ? inputs : outputs;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    delete json.$schema;
    for (const [name, def] of Object.entries(defs)) store.set(name, expandForms(rewriteRefs(def, prefix)) as JsonSchema);
    const id = json.id as string | undefined;
    if (id) {
      delete json.id;
      store.set(id, expandForms(rewriteRefs(json, prefix)) as JsonSchema);
      return { $ref: `${prefix}${id}` };
    }
    return expandForms(rewriteRefs(json, prefix)) as JsonSchema;
  };

  const problemRef = convert(problemSchema, 'output');
  const problemContent = { 'application/problem+json': { schema: problemRef } };
  const tagsUsed = new Set<string>();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    tagsUsed.add(route.tag);
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', route.params],
      ['query', route.query],
    ] as const) {
      if (!schema) continue;
      const json = convert(schema, 'input');
      const props = (json.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((json.required ?? []) as string[]);
      for (const [name, s] of Object.entries(props)) {
        const { description, example, ...rest } = s;
        parameters.push({
          name,
          in: where,
          required: where === 'path' || required.has(name),
          ...(description ? { description } : {}),
          ...(example !== undefined ? { example } : {}),
          schema: rest,
        });
      }
    }
    for (const [name, description] of Object.entries(route.headers ?? {})) {
      parameters.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
    }

    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(route.responses)) {
      const headerNames = [...(status === '201' ? ['Location'] : []), ...Object.keys(route.responseHeaders?.[Number(status)] ?? {})];
      const headers = Object.fromEntries(
        [...new Set(headerNames)].map((name) => [
          name,
          { description: route.responseHeaders?.[Number(status)]?.[name] ?? HEADER_DOCS[name]?.description ?? name, schema: HEADER_DOCS[name]?.schema ?? { type: 'string' } },
        ]),
      );
      responses[status] = {
        description: SUCCESS[status] ?? 'Success',
        ...(headerNames.length ? { headers } : {}),
        ...(schema ? { content: { 'application/json': { schema: convert(schema, 'output') } } } : {}),
      };
    }
    const errors = new Set<string>(['405', ...(route.errors ?? []).map(String)]);
    if (route.body || route.query || route.params) errors.add('400');
    if (route.auth === 'key') errors.add('401');
    // 403 when the route admits only some principals (its `allow`), or its handler refuses some.
    const everyone = route.allow && ANY_CALLER.every((c) => route.allow!.includes(c));
    if (route.auth === 'key' && !route.anyPrincipal && !everyone) errors.add('403');
    if (route.params) errors.add('404');
    if (route.body) errors.add('413').add('415');
    for (const status of [...errors].sort()) {
      const headerNames = ERROR_HEADERS[status] ?? [];
      responses[status] = {
        description: status === '413' ? `Body over ${mib(route.maxBodyBytes ?? MAX_BODY_BYTES)}` : (ERROR_STATUSES[status] ?? `Error ${status}`),
        ...(headerNames.length ? { headers: Object.fromEntries(headerNames.map((n) => [n, HEADER_DOCS[n]])) } : {}),
        content: problemContent,
      };
    }
    responses.default = { description: 'Unexpected error (carries a request id)', content: problemContent };

    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: route.summary,
      description: [
        route.description ?? `${route.summary}.`,
        route.auth === 'key' ? (route.allow ? `Who may call: ${describeCallers(route.allow)}.` : 'Needs an API key.') : 'Public: no key needed.',
      ].join(' '),
      ...(route.allow ? { 'x-clearway-allow': [...route.allow] } : {}),
      tags: [route.tag],
      ...(route.auth === 'key' ? { security: [{ apiKey: [] }] } : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: !route.optionalBody, content: { 'application/json': { schema: convert(route.body, 'input') } } } }
        : {}),
      responses,
    };
  }

  const webhooks: Record<string, unknown> = {};
  for (const [type, schema] of Object.entries(webhookPayloads)) {
    webhooks[type] = {
      post: {
        operationId: `webhook${type.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
        summary: `The \`${type}\` event`,
        description:
          `POSTed to the owner's endpoint, signed per Standard Webhooks: headers \`webhook-id\` (the delivery id \`msg_…\`, one per event and owner: the same on every retry and replay), \`webhook-timestamp\`, \`webhook-signature\` (\`v1,<base64 HMAC-SHA256>\`; two, space-separated, while a rotated secret overlaps). Answer 2xx within ${DELIVERY_TIMEOUT_MS / 1000} s.`,
        tags: ['webhooks'],
        security: [],
        requestBody: { required: true, content: { 'application/json': { schema: convert(schema, 'output') } } },
        responses: { '200': { description: 'Received (any 2xx)' }, '410': { description: 'Gone: the endpoint is disabled at once' } },
      },
    };
  }

  const components = resolveComponents(outputs, inputs);
  const resolveInputRefs = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolveInputRefs);
    if (!isObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith(INPUT_REF) ? COMPONENT_REF + components.inputName(v.slice(INPUT_REF.length)) : resolveInputRefs(v);
    }
    return out;
  };
  const document = resolveInputRefs({
    openapi: '3.1.0',
    info: {
      title: 'Clearway API',
      version,
      description: `Regional inspection and clearance for ${region.name}: declare anywhere, inspect once, release anywhere. Errors are RFC 9457 problem documents (\`application/problem+json\`). Walk-through: the repository README; reference: docs/api.md.`,
      license: { name: 'Proprietary', identifier: 'LicenseRef-Clearway' },
      contact: { name: 'Clearway', url: 'https://clearway.dev' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: 'http://127.0.0.1:3000', description: 'Local (`npm start`); a served document names the server it came from' }],
    security: [{ apiKey: [] }],
    tags: [...tagsUsed, 'webhooks']
      .filter((t, i, all) => all.indexOf(t) === i)
      .map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? `Routes about ${name}` })),
    paths,
    webhooks,
    components: {
      schemas: components.schemas,
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key from POST /principals' } },
    },
  }) as JsonSchema;
  return withoutUnusedComponents(document);
}

/** zod names helper schemas (`__schema0`) that a `oneOf` expansion may leave unreferenced. */
function withoutUnusedComponents(document: JsonSchema): JsonSchema {
  const schemas = (document.components as { schemas: Record<string, unknown> }).schemas;
  const refsIn = (value: unknown) => [...JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
  const used = new Set<string>();
  const pending = refsIn({ ...document, components: { ...(document.components as object), schemas: {} } });
  while (pending.length) {
    const name = pending.pop()!;
    if (used.has(name)) continue;
    used.add(name);
    pending.push(...refsIn(schemas[name]));
  }
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
  return document;
}

/**
 * One component per name when the request and response forms agree; otherwise the request form
 * is `<Name>Input`. A schema whose request form refers to a renamed one differs too.
 */
function resolveComponents(outputs: Map<string, JsonSchema>, inputs: Map<string, JsonSchema>) {
  const asOutput = (s: JsonSchema) => JSON.stringify(s).replaceAll(INPUT_REF, COMPONENT_REF);
  const differs = new Set([...inputs].filter(([name, s]) => outputs.has(name) && asOutput(s) !== JSON.stringify(outputs.get(name))).map(([n]) => n));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, s] of inputs) {
      if (differs.has(name) || !outputs.has(name)) continue;
      if ([...differs].some((d) => JSON.stringify(s).includes(`"${INPUT_REF}${d}"`))) {
        differs.add(name);
        grew = true;
      }
    }
  }
  const inputName = (name: string) => (differs.has(name) ? `${name}Input` : name);
  const schemas: Record<string, JsonSchema> = Object.fromEntries(outputs);
  for (const [name, s] of inputs) if (!outputs.has(name) || differs.has(name)) schemas[inputName(name)] = s;
  return { schemas, inputName };
}

function rewriteRefs(value: unknown, prefix: string): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, prefix));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', prefix) : rewriteRefs(v, prefix);
    }
    if (typeof out.id === 'string' && out.$ref === undefined) delete out.id;
    return out;
  }
  return value;
}
