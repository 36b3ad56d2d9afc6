/**
 * @module tenant/_validation
 * Rails-style validation helpers: messages worded as ActiveRecord words them (3scale returns them verbatim
 * in `{"errors":{"field":["message"]}}`).
 */
import type { FieldErrors } from '../errors.js';

export const MSG_BLANK = "can't be blank";
export const MSG_TAKEN = 'has already been taken';
export const MSG_INVALID = 'is invalid';

export const tooShort = (min: number): string => `is too short (minimum is ${min} characters)`;
export const tooLong = (max: number): string => `is too long (maximum is ${max} characters)`;

/** user_key: letters, digits, `- _ .`, or Base64 without `/`, up to 256 (spec, ApplicationCreateRequest). */
export const USER_KEY_PATTERN = /^[A-Za-z0-9_.+=-]+$/;
/** application_id, app keys and client secrets: printable ASCII without spaces (spec). */
export const PRINTABLE_PATTERN = /^[\x21-\x7e]+$/;

/** Collects field errors and tells whether any were found. */
export class ErrorCollector {
  readonly errors: FieldErrors = {};

  add(field: string, message: string): void {
    (this.errors[field] ??= []).push(message);
  }

  get any(): boolean {
    return Object.keys(this.errors).length > 0;
  }

  /** Length and character rules for a string value; returns whether the value passed. */
  checkString(field: string, value: string, rules: { min: number; max: number; pattern: RegExp }): boolean {
    const before = this.errors[field]?.length ?? 0;
    if (value.length === 0) this.add(field, MSG_BLANK);
    else if (value.length < rules.min) this.add(field, tooShort(rules.min));
    else if (value.length > rules.max) this.add(field, tooLong(rules.max));
    else if (!rules.pattern.test(value)) this.add(field, MSG_INVALID);
    return (this.errors[field]?.length ?? 0) === before;
  }
}
