/**
 * @module tenant/_ids
 * Id sequences shaped like 3scale's: large integers (3scale SaaS ids look like 2445583000001), one range
 * per kind of record, so an id in a test failure says what it is.
 */

/** First id of each kind (the next one is above every seeded id of that kind too). */
export const ID_BASES = {
  providerAccount: 2445579000001,
  account: 2445583000001,
  user: 2445584000001,
  service: 2555418000001,
  metric: 2555419000001,
  accountPlan: 2357355000001,
  plan: 2357356000001,
  application: 1409620000001,
  oidcConfiguration: 1001,
  fieldsDefinition: 1035000000001,
} as const;

export type IdKind = keyof typeof ID_BASES;

/** Hands out ids per kind, never reusing one, even after a record is deleted (like a database sequence). */
export class IdSequences {
  private readonly next = new Map<IdKind, number>();

  /** Makes sure later ids of `kind` are above `id` (for seeded records with explicit ids). */
  reserve(kind: IdKind, id: number): void {
    if (id >= this.peek(kind)) this.next.set(kind, id + 1);
  }

  take(kind: IdKind): number {
    const id = this.peek(kind);
    this.next.set(kind, id + 1);
    return id;
  }

  private peek(kind: IdKind): number {
    return this.next.get(kind) ?? ID_BASES[kind];
  }
}
