/**
 * Document types as an enum in the OpenAPI document (issue 12 item 4). The types are data of the
 * active rule set, which changes by publication, not by deploy, so they are filled in when the
 * document is SERVED: `GET /openapi.json` reads the active version (one GetItem) and, per version,
 * the types it names. The generated document has `DocumentType` as a plain string; this sets its
 * enum and lets `DocumentTypeName` (a declaration's `documents[].type`) be one of them or any other
 * type (the contract keeps `type: string`: an enterprise may attach documents no rule asks for).
 */
type JsonSchema = Record<string, unknown>;

export function withDocumentTypes(document: JsonSchema, types: readonly string[], ruleSetVersion: number | null): JsonSchema {
  const components = document.components as { schemas: Record<string, JsonSchema> };
  const schemas = { ...components.schemas };
  const source =
    ruleSetVersion === null ? 'the default rule set (no rule set is active yet)' : `the active rule set, version ${ruleSetVersion}`;
  schemas.DocumentType = {
    type: 'string',
    enum: [...types],
    description: `A document type named by ${source}. Filled in when this document is served; GET /requirements says which goods need which.`,
  };
  const name = schemas.DocumentTypeName;
  if (name) {
    const { description, ...free } = name;
    schemas.DocumentTypeName = {
      description,
      anyOf: [{ $ref: '#/components/schemas/DocumentType' }, free],
    };
  }
  return { ...document, components: { ...components, schemas } };
}
