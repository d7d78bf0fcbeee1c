import { AccessDeniedError, CancelledError, ConflictError, FatalError, InvalidInputError, NotFoundError, RetryableError, SkyferryError } from '../../../../shared/errors';
import { codeOf, isAbortError } from '../common/errors';

/**
 * Turns a node:fs error into the project's error classes, so nothing above the provider sees an errno. `what` names
 * the thing the user asked for (`photos/a.jpg in bucket x`), never a secret.
 */
export function toLocalError(e: unknown, what: string): SkyferryError {
  if (e instanceof SkyferryError) return e;
  if (isAbortError(e)) return new CancelledError('Cancelled', { cause: e });
  switch (codeOf(e)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new NotFoundError(`${what} does not exist`, { cause: e });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new AccessDeniedError(`Permission denied for ${what}: check the folder's permissions`, { cause: e });
    case 'EEXIST':
      return new ConflictError(`${what} already exists`, { cause: e });
    case 'ENOTEMPTY':
      return new ConflictError(`${what} is not empty`, { cause: e });
    case 'EISDIR':
      return new ConflictError(`${what} is a folder, not a file`, { cause: e });
    case 'ENAMETOOLONG':
      return new InvalidInputError(`The path of ${what} is too long for a local disk`, { cause: e });
    case 'ENOSPC':
    case 'EDQUOT':
      return new FatalError(`The disk is full while writing ${what}: free some space and try again`, { cause: e });
    case 'EMFILE':
    case 'ENFILE':
    case 'EBUSY':
    case 'EAGAIN':
    case 'EIO':
      return new RetryableError(`The disk was busy while accessing ${what} (${codeOf(e)}); try again`, { cause: e });
    default:
      return new FatalError(`Could not access ${what}${codeOf(e) ? ` (${codeOf(e)})` : ''}`, { cause: e });
  }
}
