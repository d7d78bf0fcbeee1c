import type { Handler } from '../../dispatch';
import { listAwsProfiles } from '../../providers/factory';
import type { MfaBroker } from './mfa';

export interface IdentityHandlers {
  'accounts:awsProfiles': Handler<'accounts:awsProfiles'>;
  'accounts:mfaCode': Handler<'accounts:mfaCode'>;
}

/** The AWS profiles the engine can sign in with (names and kinds only), and the answers to MFA prompts. */
export function createIdentityHandlers(mfa: MfaBroker): IdentityHandlers {
  return {
    'accounts:awsProfiles': async () => listAwsProfiles(),
    'accounts:mfaCode': async ({ id, code }) => {
      mfa.answer(id, code);
      return { ok: true as const };
    },
  };
}
