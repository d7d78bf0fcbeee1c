import { app, Notification, type BrowserWindow } from 'electron';
import type { EventPayload, JobSummary } from '../../shared/contract';
import type { Engine } from '../engine/dispatch';
import { createJobEndTracker } from './job-notice';

/** electron-builder's appId: Windows shows a notification only for an app with this id on its Start menu shortcut. */
const APP_USER_MODEL_ID = 'io.skyferry.app';

/**
 * A native notification when a long job ends (which ends and what they say: job-notice.ts). Clicking it brings
 * the window back. Returns the unsubscribe function.
 */
export function notifyLongJobs(engine: Engine, window: () => BrowserWindow | null): () => void {
  if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
  const tracker = createJobEndTracker();
  // Electron drops a notification's click handler once the object is garbage-collected: keep them until closed.
  const shown = new Set<Notification>();
  return engine.subscribe((event, payload) => {
    if (event !== 'jobs:progress') return;
    const notice = tracker.observe(payload as JobSummary);
    if (!notice || !Notification.isSupported()) return;
    const n = new Notification({ title: notice.title, body: notice.body, silent: !notice.failed });
    const forget = (): void => {
      shown.delete(n);
    };
    n.on('click', () => {
      forget();
      const win = window();
      if (!win || win.isDestroyed()) return;
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    });
    n.on('close', forget);
    n.on('failed', forget);
    if (shown.size >= 20) shown.clear();
    shown.add(n);
    n.show();
  });
}

/** A native notification when a scheduled run fails (the renderer shows the same notice as a toast). */
export function notifyScheduleFailures(engine: Engine, window: () => BrowserWindow | null): () => void {
  return engine.subscribe((event, payload) => {
    if (event !== 'schedules:notice' || !Notification.isSupported()) return;
    const notice = payload as EventPayload<'schedules:notice'>;
    if (notice.level !== 'error') return;
    const n = new Notification({ title: 'A scheduled run failed', body: notice.message });
    n.on('click', () => {
      const win = window();
      if (!win || win.isDestroyed()) return;
      win.show();
      win.focus();
    });
    n.show();
  });
}
