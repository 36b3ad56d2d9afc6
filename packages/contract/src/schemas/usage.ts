/**
 * @module schemas/usage
 * Usage and limits of the caller's own key on a service (`GET /api/services/{id}/usage`): hits per interval
 * over the last day (by hour), week or month (by day), and every limit of the plan with what the current
 * period has used and when it resets.
 */
import Type, { type Static } from 'typebox';
import { successEnvelope } from './envelope.js';

const Timestamp = Type.String({ description: 'An ISO 8601 UTC time.' });

/** The spans a usage report covers. */
export const UsagePeriod = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], {
  description: 'day: the last 24 hours by hour; week: the last 7 days by day; month: the last 30 days by day.',
});
export type UsagePeriod = Static<typeof UsagePeriod>;

/** Query of the usage route; `period` defaults to `week`. */
export const UsageQuery = Type.Object({ period: Type.Optional(UsagePeriod) }, { additionalProperties: false });
export type UsageQuery = Static<typeof UsageQuery>;

export const LimitPeriod = Type.Union(
  [
    Type.Literal('minute'),
    Type.Literal('hour'),
    Type.Literal('day'),
    Type.Literal('week'),
    Type.Literal('month'),
    Type.Literal('year'),
    Type.Literal('eternity'),
  ],
  { description: 'The calendar period (UTC) a limit counts over; weeks start on Monday.' },
);

/** One limit of the caller's plan. */
export const UsageLimit = Type.Object(
  {
    metric: Type.String({ description: 'What is counted: "hits" for calls, or a method of the service.' }),
    period: LimitPeriod,
    max: Type.Integer({ minimum: 0, description: 'Most calls allowed in one period.' }),
    used: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: 'Used in the current period; null when usage is unavailable.',
    }),
    resets_at: Type.Union([Timestamp, Type.Null()], {
      description: 'When the current period ends and the count starts again; null = never (eternity).',
    }),
  },
  { additionalProperties: false },
);
export type UsageLimit = Static<typeof UsageLimit>;

export const UsageInterval = Type.Object(
  { start: Timestamp, hits: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);
export type UsageInterval = Static<typeof UsageInterval>;

export const UsageData = Type.Object(
  {
    service_id: Type.String(),
    application_id: Type.String(),
    plan: Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false }),
    period: UsagePeriod,
    granularity: Type.Union([Type.Literal('hour'), Type.Literal('day')]),
    since: Timestamp,
    until: Type.String({ description: 'An ISO 8601 UTC time: the end of the last interval (exclusive).' }),
    usage_available: Type.Boolean({
      description: 'False when the API manager could not count usage now: intervals is empty, limits are listed.',
    }),
    total: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'Hits over the whole span.' }),
    intervals: Type.Array(UsageInterval, { description: 'Hits per hour or day, oldest first.' }),
    limits: Type.Array(UsageLimit),
  },
  { additionalProperties: false },
);
export type UsageData = Static<typeof UsageData>;
export const UsageResponse = successEnvelope(UsageData, 'UsageResponse');
