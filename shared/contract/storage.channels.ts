import { z } from 'zod';
import {
  AccountInputSchema,
  AccountSummarySchema,
  ConnectionTestResultSchema,
} from '../accounts';
import {
  BucketInfoSchema,
  ListPageSchema,
  MetadataPatchSchema,
  ObjectMetadataSchema,
  ProviderFeaturesSchema,
} from '../model';
import { PreviewInfoSchema } from '../preview';
import { channel, Empty, Ok } from './define';

/** A location URI as typed or pasted by the user: parsed by the engine with `parseLocation`. */
export const UriSchema = z.string().min(1).max(8192);

export const accountChannels = {
  'accounts:list': channel(Empty, z.array(AccountSummarySchema)),
  /** Creates or replaces an account; secrets omitted on an edit keep the saved ones. */
  'accounts:save': channel(z.object({ account: AccountInputSchema, previousName: z.string().optional() }), AccountSummarySchema),
  'accounts:remove': channel(z.object({ name: z.string() }), Ok),
  /** Tests unsaved input (from the dialog; `previousName`: the saved account it edits) or a saved account by name. */
  'accounts:test': channel(
    z.union([z.object({ account: AccountInputSchema, previousName: z.string().optional() }), z.object({ name: z.string() })]),
    ConnectionTestResultSchema,
  ),
  'accounts:features': channel(z.object({ name: z.string() }), ProviderFeaturesSchema),
} as const;

export const bucketChannels = {
  'buckets:list': channel(z.object({ account: z.string() }), z.array(BucketInfoSchema)),
  'buckets:create': channel(z.object({ account: z.string(), bucket: z.string().min(1).max(255) }), Ok),
  'buckets:remove': channel(z.object({ account: z.string(), bucket: z.string().min(1).max(255) }), Ok),
} as const;

export const objectChannels = {
  /** One page of a listing under a prefix URI (`s3://acct/bucket/prefix/`), folders first within the page. */
  'objects:list': channel(
    z.object({
      uri: UriSchema,
      cursor: z.string().optional(),
      pageSize: z.number().int().min(1).max(5000).optional(),
      /** false: a flat, recursive listing. */
      delimited: z.boolean().optional(),
    }),
    ListPageSchema,
  ),
  'objects:stat': channel(z.object({ uri: UriSchema }), ObjectMetadataSchema),
  'objects:setMetadata': channel(z.object({ uri: UriSchema, patch: MetadataPatchSchema }), ObjectMetadataSchema),
  'objects:presign': channel(
    z.object({ uri: UriSchema, expiresSeconds: z.number().int().min(60).max(7 * 24 * 3600) }),
    /** `note`: why the link expires sooner than asked (temporary credentials signed it). */
    z.object({ url: z.string(), expires: z.string(), note: z.string().optional() }),
  ),
  /**
   * What a preview of one object can show, and a short-lived same-origin link (`/preview/<id>`) that streams its
   * bytes through the engine (ranges included): the renderer never sees a credential or a provider's URL.
   */
  'objects:preview': channel(z.object({ uri: UriSchema }), PreviewInfoSchema),
  /** Creates an empty folder marker `prefix/`. */
  'objects:mkdir': channel(z.object({ uri: UriSchema }), Ok),
} as const;
