/** `npm run docs:api`: writes docs/api-reference.md from the OpenAPI document. */
import fs from 'node:fs';
import path from 'node:path';
import { buildOpenApi } from '../shared/api/openapi.js';
import { apiReference } from '../shared/api/reference.js';
import { allRoutes } from '../shared/api/routes.js';

fs.writeFileSync(path.join(import.meta.dirname, 'api-reference.md'), apiReference(buildOpenApi(allRoutes)));
