/**
 * @module test/support/openapi-validator
 * Checks a served response against the helper's own OpenAPI document (JSON Schema 2020-12, as OAS 3.1 uses).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components?: object;
};

export interface ResponseValidator {
  /** Throws with the schema errors when `body` is not what the document promises for this status. */
  check(method: string, path: string, status: number, contentType: string, body: unknown): void;
  /** Operations (METHOD path) seen by `check`. */
  covered: Set<string>;
}

export function createResponseValidator(doc: Doc): ResponseValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: unknown) => void)(ajv);
  const covered = new Set<string>();
  return {
    covered,
    check(method, path, status, contentType, body) {
      const operation = doc.paths[path]?.[method.toLowerCase()];
      if (operation === undefined) throw new Error(`${method} ${path} is not in the OpenAPI document`);
      const responses = operation.responses;
      const response = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
      if (response === undefined) throw new Error(`${method} ${path}: status ${status} is not documented`);
      const mediaType = contentType.split(';')[0]?.trim() ?? '';
      const schema = response.content?.[mediaType]?.schema;
      if (schema === undefined)
        throw new Error(`${method} ${path} ${status}: media type ${mediaType} is not documented`);
      const validate = ajv.compile({ allOf: [schema], components: doc.components ?? {} });
      if (!validate(body)) {
        throw new Error(`${method} ${path} ${status} does not match the document: ${ajv.errorsText(validate.errors)}`);
      }
      covered.add(`${method.toUpperCase()} ${path}`);
    },
  };
}
