import type { z } from 'zod';
import type { ChannelDef } from './define';
import { accountChannels, bucketChannels, objectChannels } from './storage.channels';
import { jobChannels, jobEvents } from './jobs.channels';
import { costChannels, costEvents } from './costs.channels';
import { retentionChannels, retentionEvents } from './retention.channels';
import { migrationChannels, migrationEvents } from './migrations.channels';
import { uploadChannels } from './uploads.channels';
import { dialogChannels } from './dialogs.channels';
import { entraChannels, entraEvents } from './entra.channels';
import { identityChannels, identityEvents } from './identities.channels';
import { versionChannels } from './versions';
import { cloudTransferChannels, cloudTransferEvents } from './cloud-transfer.channels';
import { settingsChannels, settingsEvents } from './settings.channels';

export * from './define';
export { UriSchema } from './storage.channels';
export * from './jobs.channels';
export * from './costs.channels';
export * from './retention.channels';
export * from './migrations.channels';
export * from './uploads.channels';
export * from './dialogs.channels';
export * from './entra.channels';
export * from './identities.channels';
export * from './versions';
export * from './cloud-transfer.channels';
export * from './settings.channels';

/**
 * Every channel the renderer may invoke, as `domain:verb`. The main side registers exactly these and refuses any
 * other; the renderer's client infers its types from the same schemas.
 */
export const channels = {
  ...accountChannels,
  ...bucketChannels,
  ...objectChannels,
  ...jobChannels,
  ...costChannels,
  ...retentionChannels,
  ...migrationChannels,
  ...uploadChannels,
  ...dialogChannels,
  ...entraChannels,
  ...identityChannels,
  ...versionChannels,
  ...cloudTransferChannels,
  ...settingsChannels,
} as const satisfies Record<string, ChannelDef>;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelRequest<C extends ChannelName> = z.input<Channels[C]['request']>;
export type ChannelRequestParsed<C extends ChannelName> = z.output<Channels[C]['request']>;
export type ChannelResponse<C extends ChannelName> = z.output<Channels[C]['response']>;

/** Every event the engine may push, as `domain:noun`, with its payload schema. */
export const events = {
  ...jobEvents,
  ...costEvents,
  ...retentionEvents,
  ...migrationEvents,
  ...entraEvents,
  ...identityEvents,
  ...cloudTransferEvents,
  ...settingsEvents,
} as const satisfies Record<string, z.ZodType>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}
