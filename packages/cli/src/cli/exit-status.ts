/**
 * @module cli/exit-status
 * A command that ends with an exit code of its own (`mlaas run` passes on its child's) throws this; `main`
 * returns the code as is, without printing anything.
 */

/**
 * Ends the CLI with a given exit code.
 *
 * @example
 * ```ts
 * throw new ExitStatus(127);
 * ```
 */
export class ExitStatus {
  readonly code: number;
  constructor(code: number) {
    this.code = code;
  }
}
