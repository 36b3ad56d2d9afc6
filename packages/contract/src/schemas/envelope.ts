/**
 * @module schemas/envelope
 * The success and error envelopes every helper response is wrapped in.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { ERROR_CODES, type ErrorCode } from '../error-codes.js';

/**
 * `{"status":"success","data":{...}}` around a data schema.
 * @example const ServicesResponse = successEnvelope(ServicesData, 'ServicesResponse');
 */
export function successEnvelope<T extends TSchema>(data: T, id: string) {
  return Type.Object({ status: Type.Literal('success'), data }, { additionalProperties: false, $id: id });
}

/** The error object inside an error envelope. */
export const ErrorBody = Type.Object(
  {
    code: Type.Unsafe<ErrorCode>({
      type: 'string',
      enum: [...ERROR_CODES],
      description: 'Stable, machine-readable error code.',
    }),
    message: Type.String({ description: 'Human-readable explanation; never contains a token, key or secret.' }),
    request_id: Type.Optional(Type.String({ description: 'The X-Request-Id of the request, to quote to operators.' })),
    details: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), problem: Type.String() }, { additionalProperties: false }), {
        description: 'Per-field problems of a VALIDATION_ERROR.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** `{"status":"error","error":{"code":"CODE","message":"..."}}`. */
export const ErrorEnvelope = Type.Object(
  { status: Type.Literal('error'), error: ErrorBody },
  { additionalProperties: false, $id: 'ErrorResponse' },
);

export type ErrorEnvelope = Static<typeof ErrorEnvelope>;

/** A success envelope around data of type `T`. */
export interface SuccessEnvelope<T> {
  status: 'success';
  data: T;
}
