/**
 * @module lib/key-preview
 * The masked form of a key the list shows instead of the key itself; adapters store or derive it so the
 * list never needs the key.
 */

/** Characters of the key's end shown in a preview. */
const VISIBLE_TAIL = 4;

/**
 * Masks a key: its prefix (up to the first `_`, when it has one) and its last four characters.
 * @example previewKey('mlaas_4Fh...9xQz') // 'mlaas_…9xQz'
 * @example previewKey('a1b2c3d4e5f6') // '…e5f6'
 */
export function previewKey(key: string): string {
  const underscore = key.indexOf('_');
  const prefix = underscore > 0 && underscore <= 12 ? key.slice(0, underscore + 1) : '';
  if (key.length - prefix.length < VISIBLE_TAIL * 3) return `${prefix}…`;
  return `${prefix}…${key.slice(-VISIBLE_TAIL)}`;
}
