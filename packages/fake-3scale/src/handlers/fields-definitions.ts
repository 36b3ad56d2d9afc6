/**
 * @module handlers/fields-definitions
 * The tenant's custom field definitions (for accounts, users and applications): list, create, read and
 * delete. A create answers 201 with the definition, or 422 with field errors; a delete 200 with the
 * deleted definition.
 */
import { paramString, type Params } from '../http/params.js';
import { created, ok } from '../http/reply.js';
import { renderFieldsDefinition } from '../represent/fields-definition.js';
import { collectionBody, entityBody } from '../represent/representation.js';
import { parseId } from '../tenant/tenant.js';
import type { Handler } from './admin-request.js';

/** Rails reads `1`, `true`, `t`, `on` (any case) as true. */
function flag(params: Params, name: string): boolean | undefined {
  const value = paramString(params, name);
  return value === undefined ? undefined : /^(1|true|t|on)$/i.test(value);
}

function choices(params: Params): string[] | undefined {
  const value = params['choices'] ?? params['choices[]'];
  if (Array.isArray(value)) return value.filter((c): c is string => typeof c === 'string');
  return typeof value === 'string' ? [value] : undefined;
}

/** `GET /admin/api/fields_definitions`. */
export const listFieldsDefinitions: Handler = ({ ctx }) =>
  ok(
    collectionBody(
      'fields_definitions',
      'fields_definition',
      ctx.tenant.listFieldsDefinitions().map((d) => renderFieldsDefinition(d)),
    ),
  );

/** `POST /admin/api/fields_definitions`. */
export const createFieldsDefinition: Handler = ({ params, ctx }) => {
  const definition = ctx.tenant.createFieldsDefinition({
    target: paramString(params, 'target'),
    name: paramString(params, 'name'),
    label: paramString(params, 'label'),
    required: flag(params, 'required'),
    hidden: flag(params, 'hidden'),
    readOnly: flag(params, 'read_only'),
    choices: choices(params),
  });
  return created(entityBody('fields_definition', renderFieldsDefinition(definition)));
};

/** `GET /admin/api/fields_definitions/{id}`. */
export const readFieldsDefinition: Handler = ({ pathParams, ctx }) =>
  ok(entityBody('fields_definition', renderFieldsDefinition(ctx.tenant.getFieldsDefinition(parseId(pathParams.id)))));

/** `DELETE /admin/api/fields_definitions/{id}`. */
export const deleteFieldsDefinition: Handler = ({ pathParams, ctx }) =>
  ok(
    entityBody('fields_definition', renderFieldsDefinition(ctx.tenant.deleteFieldsDefinition(parseId(pathParams.id)))),
  );
