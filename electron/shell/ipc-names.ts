/** The one IPC channel the main process pushes engine events on (`name`, `payload`); never invoked by the page. */
export const EVENT_CHANNEL = 'skyferry:event';
