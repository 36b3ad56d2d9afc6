/**
 * @module directory/embedded-directory
 * The `UserDirectory` of the embedded issuer: its users file (and demo users), read afresh for every run, so
 * `mlaas-helper users disable NAME` is seen by the next run.
 */
import { listUsers, type IdpUser } from '../idp/users.js';
import { userIdOf, type DirectoryUser, type UserDirectory } from './user-directory.js';

export interface EmbeddedDirectoryOptions {
  usersFile: string;
  demoUsers: boolean;
  /** USER_ID_CLAIMS: how a user's account name is derived from their claims. */
  userIdClaims: readonly string[];
}

/**
 * @example const directory = createEmbeddedDirectory({ usersFile, demoUsers: false, userIdClaims: ['soeid', 'preferred_username', 'sub'] });
 */
export function createEmbeddedDirectory(options: EmbeddedDirectoryOptions): UserDirectory {
  return {
    name: `embedded users file ${options.usersFile}`,
    async open() {
      const byUserId = new Map<string, DirectoryUser>();
      for (const user of listUsers(options)) {
        const userId = userIdOf(claimsOf(user), options.userIdClaims);
        if (userId !== null) byUserId.set(userId, toDirectoryUser(user, userId));
      }
      return {
        async lookup(requests) {
          const found = new Map<string, DirectoryUser>();
          for (const { userId } of requests) {
            const user = byUserId.get(userId);
            if (user !== undefined) found.set(userId, user);
          }
          return found;
        },
      };
    },
  };
}

/** The claims the embedded issuer's tokens carry for a user (`idp/keycloak-claims.ts`). */
function claimsOf(user: IdpUser) {
  return {
    sub: user.id,
    preferred_username: user.username,
    email: user.email,
    ...(user.soeid !== null ? { soeid: user.soeid } : {}),
  };
}

function toDirectoryUser(user: IdpUser, userId: string): DirectoryUser {
  return { subject: user.id, userId, enabled: user.enabled, roles: user.roles, groups: user.groups };
}
