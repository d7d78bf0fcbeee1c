import { z } from 'zod';
import { EntraCredentialSchema, EntraIdentitySchema } from '../accounts';
import { channel } from './define';

/**
 * Sign-in with Microsoft Entra ID for Azure accounts: the engine signs the identity in (the Azure CLI's login, a
 * browser or a device code), then lists what it can see through Azure Resource Manager, so that the user picks a
 * storage account and container instead of pasting a connection string. No token crosses to the renderer.
 */
export const EntraSignInRequestSchema = z.object({
  /** "auto": the Azure CLI's login when present, else a browser (desktop) or a device code (served mode). */
  credential: z.union([z.literal('auto'), EntraCredentialSchema]),
  tenantId: EntraIdentitySchema.shape.tenantId,
});

export const EntraSubscriptionSchema = z.object({ id: z.string(), name: z.string(), tenantId: z.string().optional() });
export type EntraSubscription = z.infer<typeof EntraSubscriptionSchema>;

export const EntraStorageAccountSchema = z.object({
  /** The ARM resource ID: /subscriptions/…/resourceGroups/…/providers/Microsoft.Storage/storageAccounts/<name>. */
  id: z.string(),
  name: z.string(),
  location: z.string().optional(),
  /** The blob service endpoint ARM reports, e.g. https://acct.blob.core.windows.net/ */
  blobEndpoint: z.string().optional(),
});
export type EntraStorageAccount = z.infer<typeof EntraStorageAccountSchema>;

export const EntraDeviceCodeSchema = z.object({
  /** The code the user types at `verificationUri`. */
  userCode: z.string(),
  verificationUri: z.string(),
  /** Entra's own instruction sentence. */
  message: z.string(),
});
export type EntraDeviceCode = z.infer<typeof EntraDeviceCodeSchema>;

const ArmId = z.string().min(1).max(1024);

export const entraChannels = {
  /** Signs in (prompting when needed) and lists the identity's subscriptions; says which credential worked. */
  'entra:signIn': channel(
    EntraSignInRequestSchema,
    z.object({ identity: EntraIdentitySchema, subscriptions: z.array(EntraSubscriptionSchema) }),
  ),
  'entra:storageAccounts': channel(
    z.object({ identity: EntraIdentitySchema, subscriptionId: ArmId }),
    z.array(EntraStorageAccountSchema),
  ),
  'entra:containers': channel(
    z.object({ identity: EntraIdentitySchema, storageAccountId: ArmId }),
    z.array(z.object({ name: z.string() })),
  ),
} as const;

export const entraEvents = {
  /** A device-code sign-in waits for the user: show the code and where to enter it. */
  'entra:deviceCode': EntraDeviceCodeSchema,
  /** The device-code sign-in that the last `entra:deviceCode` asked for ended (signed in, or failed). */
  'entra:deviceCodeDone': z.object({ ok: z.boolean() }),
} as const;
