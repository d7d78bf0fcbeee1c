import { z } from 'zod';
import { channel } from './define';

const title = z.string().max(200).optional();

/**
 * Native open dialogs of the desktop shell. The shell answers these itself (Electron's dialog, parented to the
 * asking window); the engine, which serves the browser, answers `unsupported`.
 */
export const dialogChannels = {
  /** A folder the user picks (downloads land in it); `null` when they cancel. */
  'dialogs:pickFolder': channel(
    z.object({ title, defaultPath: z.string().max(4096).optional() }),
    z.object({ path: z.string().nullable() }),
  ),
  /** Files (or, with `directories`, folders) the user picks to upload; empty when they cancel. */
  'dialogs:pickFiles': channel(
    z.object({ title, multiple: z.boolean().optional(), directories: z.boolean().optional() }),
    z.object({ paths: z.array(z.string()) }),
  ),
} as const;
