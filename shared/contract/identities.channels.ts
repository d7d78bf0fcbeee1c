import { z } from 'zod';
import { channel, Empty, Ok } from './define';

/** A profile of the AWS config files as the account dialog offers it: its name and what it signs in with, no key. */
export const AwsProfileSchema = z.object({
  name: z.string(),
  kind: z.enum(['keys', 'role', 'process', 'sso', 'web_identity', 'other']),
  /** The role asks for an MFA code (mfa_serial): the app will ask for it when the role is assumed. */
  mfa: z.boolean(),
  region: z.string().optional(),
});
export type AwsProfile = z.infer<typeof AwsProfileSchema>;

/** The engine needs the current code of an MFA device to assume a profile's role (a test, a browse or a job). */
export const MfaPromptSchema = z.object({
  id: z.string(),
  account: z.string(),
  profile: z.string(),
  /** The device's ARN or serial number (mfa_serial), so the user knows which device to look at. */
  serial: z.string(),
});
export type MfaPrompt = z.infer<typeof MfaPromptSchema>;

export const identityChannels = {
  /** The profiles of the AWS shared config and credentials files the engine sees (AWS_CONFIG_FILE honoured). */
  'accounts:awsProfiles': channel(Empty, z.array(AwsProfileSchema)),
  /** Answers an `accounts:mfaPrompt`: the code, or none to cancel (what waited for it fails with access denied). */
  'accounts:mfaCode': channel(
    z.object({ id: z.string().min(1).max(100), code: z.string().trim().regex(/^\d{6}$/, 'Enter the 6-digit code').optional() }),
    Ok,
  ),
} as const;

export const identityEvents = {
  'accounts:mfaPrompt': MfaPromptSchema,
  /** A prompt was answered, cancelled or timed out: every window showing it closes it. */
  'accounts:mfaDone': z.object({ id: z.string() }),
} as const;
