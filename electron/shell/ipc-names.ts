/** The one IPC channel the main process pushes engine events on (`name`, `payload`); never invoked by the page. */
export const EVENT_CHANNEL = 'skyferry:event';
/** The page withdraws one call it made (its call id); sent, never invoked. */
export const CANCEL_CHANNEL = 'skyferry:cancel';
