/**
 * @module apim/threescale/lifecycle-fields
 * The durable state of a key's lifecycle on 3scale, kept in extra fields of the application (3scale's
 * "fields definitions" with target `Cinstance`): when the key expires, until when a replaced key keeps
 * working, which of several app keys is the current one (a short hash, never the key), which application a
 * replacement replaces, who the application was made for, and why MLaaS suspended it. 3scale keeps only
 * defined extra fields, so the definitions are created once: as the helper starts, or else before the first
 * write that needs them.
 */
import { createHash } from 'node:crypto';
import { HelperError, isHelperError } from '../../errors/helper-error.js';
import { previewKey } from '../../lib/key-preview.js';
import { unwrapCollection } from './mappers.js';
import type { ThreescaleHttp } from './threescale-http.js';

/** Field names, as an administrator would create them (docs/threescale.md). */
export const FIELD = {
  expiresAt: 'mlaas_expires_at',
  graceUntil: 'mlaas_grace_until',
  currentKey: 'mlaas_current_key',
  replaces: 'mlaas_replaces',
  subject: 'mlaas_subject',
  userId: 'mlaas_user_id',
  suspendedBy: 'mlaas_suspended_by',
} as const;

const LABELS: Record<string, string> = {
  [FIELD.expiresAt]: 'MLaaS: key expires at',
  [FIELD.graceUntil]: 'MLaaS: replaced key accepted until',
  [FIELD.currentKey]: 'MLaaS: current key (hash)',
  [FIELD.replaces]: 'MLaaS: replaces application',
  [FIELD.subject]: 'MLaaS: made for subject',
  [FIELD.userId]: 'MLaaS: made for user id',
  [FIELD.suspendedBy]: 'MLaaS: suspended by',
};

/** Why MLaaS suspended an application: its key expired, or its holder left. */
export type SuspendedBy = 'expiry' | 'offboarding';

/**
 * The current key as recorded: a hash to recognise it among several, when it was issued, its preview, and
 * the preview of the key it replaced while that one is in its grace period.
 */
export interface KeyStamp {
  hash: string;
  issuedAt: Date | null;
  preview: string | null;
  replacedPreview: string | null;
}

export interface LifecycleFields {
  expiresAt: Date | null;
  graceUntil: Date | null;
  currentKey: KeyStamp | null;
  replaces: string | null;
  subject: string | null;
  userId: string | null;
  suspendedBy: SuspendedBy | null;
}

type Json = Record<string, unknown>;

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function date(value: unknown): Date | null {
  const raw = text(value);
  if (raw === null) return null;
  const parsed = new Date(raw);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/** A short hash of a key: enough to tell up to five keys apart, useless to anyone who wants the key. */
export function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * The value of `mlaas_current_key`: `<hash> <issued, epoch seconds> <preview> [<preview of the replaced key>]`.
 * Previews are what the key list shows anyway; they let a revocation name its keys without reading them.
 */
export function keyStamp(key: string, issuedAt: Date, replaced: string | null = null): string {
  const stamp = `${keyHash(key)} ${Math.floor(issuedAt.getTime() / 1000)} ${previewKey(key)}`;
  return replaced === null ? stamp : `${stamp} ${previewKey(replaced)}`;
}

function parseStamp(value: unknown): KeyStamp | null {
  const raw = text(value);
  if (raw === null) return null;
  const [hash, seconds, preview, replacedPreview] = raw.split(' ');
  if (hash === undefined || !/^[0-9a-f]{8,64}$/.test(hash)) return null;
  const issued = seconds !== undefined && /^\d{1,12}$/.test(seconds) ? new Date(Number(seconds) * 1000) : null;
  return { hash, issuedAt: issued, preview: preview ?? null, replacedPreview: replacedPreview ?? null };
}

/** The lifecycle fields of an application body (3scale renders defined extra fields flat, unset ones omitted). */
export function lifecycleFieldsOf(app: Json): LifecycleFields {
  const suspendedBy = text(app[FIELD.suspendedBy]);
  return {
    expiresAt: date(app[FIELD.expiresAt]),
    graceUntil: date(app[FIELD.graceUntil]),
    currentKey: parseStamp(app[FIELD.currentKey]),
    replaces: text(app[FIELD.replaces]),
    subject: text(app[FIELD.subject]),
    userId: text(app[FIELD.userId]),
    suspendedBy: suspendedBy === 'expiry' || suspendedBy === 'offboarding' ? suspendedBy : null,
  };
}

/** Whether MLaaS made or changed the application: it carries one of MLaaS's fields. */
export function isMlaasApplication(app: Json): boolean {
  return Object.values(FIELD).some((name) => text(app[name]) !== null);
}

/** A date as the fields hold it; null clears the field (3scale keeps a field not sent, so blank is sent). */
export function fieldDate(value: Date | null): string {
  return value === null ? '' : value.toISOString();
}

/**
 * Makes sure every lifecycle field is defined on the tenant: lists the definitions once and creates the
 * missing ones; later calls share the result. A token that may not manage them is a CONFIG_ERROR naming the
 * fix; a transient failure is not remembered, so the next call tries again.
 */
export function createFieldDefinitions(http: ThreescaleHttp): () => Promise<void> {
  let ready: Promise<void> | null = null;
  async function define(): Promise<void> {
    const body = await http.get('/admin/api/fields_definitions');
    const existing = new Set(
      (body === null ? [] : unwrapCollection(body, 'fields_definitions', 'fields_definition'))
        .filter((definition) => definition.target === 'Cinstance')
        .map((definition) => definition.name),
    );
    const missing = Object.values(FIELD).filter((name) => !existing.has(name));
    await Promise.all(
      missing.map(async (name) => {
        try {
          await http.post('/admin/api/fields_definitions', {
            target: 'Cinstance',
            name,
            label: LABELS[name],
            required: 'false',
            hidden: 'true',
            read_only: 'true',
          });
        } catch (error) {
          // Another replica may have defined it a moment ago ("has already been taken").
          if (isHelperError(error) && error.code === 'UPSTREAM_ERROR' && /taken/.test(error.message)) return;
          throw error;
        }
      }),
    );
  }
  return () => {
    ready ??= define().catch((error: unknown) => {
      ready = null;
      if (isHelperError(error) && error.code === 'CONFIG_ERROR') {
        throw new HelperError(
          'CONFIG_ERROR',
          'The helper may not define the application fields it keeps key deadlines in (mlaas_expires_at, ' +
            'mlaas_grace_until, …); an operator must give its 3scale token that permission or create the fields ' +
            '(see docs/threescale.md).',
          { cause: error },
        );
      }
      throw error;
    });
    return ready;
  };
}
