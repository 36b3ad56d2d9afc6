/**
 * @module cli/sign-in-hint
 * How to sign in without a prompt; quoted in AUTH_REQUIRED hints. Kept apart from the sign-in flows so that
 * quoting it does not load them.
 */
export const NON_INTERACTIVE_SIGN_IN_HINT =
  'Run `mlaas login` in a terminal, or without one: set MLAAS_USERNAME and MLAAS_PASSWORD, ' +
  'pipe the password to `mlaas login --password --username NAME --password-stdin`, or use `mlaas login --device`.';
