/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas (zod's own JSON
 * Schema output, draft 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from 'zod';
import type { RouteDef } from '../http/route.js';
import { problemSchema } from '../schemas/problem.js';
import { region } from '../region.js';
import { describeCallers } from '../domain/principal.js';

type JsonSchema = Record<string, unknown>;

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Invalid request: every failing field is named in `errors`',
  '401': 'Missing or unknown API key',
  '403': 'The principal may not do this',
  '404': 'Not found (or belongs to another enterprise)',
  '409': 'Conflict',
  '413': 'Body over 1 MiB',
};

export function buildOpenApi(routes: readonly RouteDef[], version = '1.0.0'): JsonSchema {
  const components: Record<string, JsonSchema> = {};

  const convert = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    delete json.$schema;
    for (const [name, def] of Object.entries(defs)) components[name] = rewriteRefs(def) as JsonSchema;
    const id = json.id as string | undefined;
    if (id) {
      delete json.id;
      components[id] = rewriteRefs(json) as JsonSchema;
      return { $ref: `#/components/schemas/${id}` };
    }
    return rewriteRefs(json) as JsonSchema;
  };

  const problemRef = convert(problemSchema, 'output');
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
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
        parameters.push({ name, in: where, required: where === 'path' || required.has(name), schema: s });
      }
    }
    for (const [name, description] of Object.entries(route.headers ?? {})) {
      parameters.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(route.responses)) {
      responses[status] = schema
        ? { description: 'Success', content: { 'application/json': { schema: convert(schema, 'output') } } }
        : { description: 'Success, no body' };
    }
    const errorStatuses = route.auth === 'key' ? Object.keys(ERROR_STATUSES) : ['400', '404'];
    for (const status of errorStatuses) {
      if (!route.body && !route.query && !route.params && status === '400') continue;
      if (!route.body && status === '413') continue;
      responses[status] = { description: ERROR_STATUSES[status], content: { 'application/problem+json': { schema: problemRef } } };
    }
    responses.default = {
      description: 'Unexpected error (carries a request id)',
      content: { 'application/problem+json': { schema: problemRef } },
    };
    const openApiPath = route.path;
    paths[openApiPath] ??= {};
    paths[openApiPath][route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: route.summary,
      ...(route.allow ? { description: `Who may call: ${describeCallers(route.allow)}.`, 'x-clearway-allow': [...route.allow] } : {}),
      tags: [route.tag],
      ...(route.auth === 'key' ? { security: [{ apiKey: [] }] } : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: !route.optionalBody, content: { 'application/json': { schema: convert(route.body, 'input') } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Clearway API',
      version,
      description: `Regional inspection and clearance for ${region.name}: declare anywhere, inspect once, release anywhere.`,
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ apiKey: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key from POST /principals' } },
    },
  };
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : rewriteRefs(v);
    }
    if (typeof out.id === 'string' && out.$ref === undefined) delete out.id;
    return out;
  }
  return value;
}
