import { useEffect, useState, type KeyboardEvent } from 'react';
import type { ObjectEntry } from '../../../shared/model';
import type { PreviewInfo } from '../../../shared/preview';
import { formatDate, formatSize } from '../format';
import { useStore, type PaneId } from '../store';
import { Dialog } from './Dialog';
import './preview.css';

/** highlight.js (its common languages) is loaded the first time code is shown, not with the app. */
function useHighlighted(text: string | undefined, language: string | undefined): string | null {
  const [html, setHtml] = useState<string | null>(null);
  useEffect(() => {
    setHtml(null);
    if (text === undefined || !language) return undefined;
    let live = true;
    void import('highlight.js/lib/common').then(({ default: hljs }) => {
      if (!live || !hljs.getLanguage(language)) return;
      // highlight() escapes the text: its output is markup made by highlight.js, not by the file.
      setHtml(hljs.highlight(text, { language, ignoreIllegals: true }).value);
    });
    return () => {
      live = false;
    };
  }, [text, language]);
  return html;
}

function TextView({ text, language, name }: { text: string; language: string | undefined; name: string }) {
  const html = useHighlighted(text, language);
  return (
    <pre className="preview-text" aria-label={`Contents of ${name}`} tabIndex={0}>
      {/* highlight.js output: the escaped text in its own spans. */}
      {html !== null ? <code className="hljs" dangerouslySetInnerHTML={{ __html: html }} /> : <code>{text}</code>}
    </pre>
  );
}

function Media({ info, name }: { info: PreviewInfo; name: string }) {
  const url = info.url ?? '';
  switch (info.kind) {
    case 'image':
      return <img className="preview-image" src={url} alt={name} />;
    case 'audio':
      return <audio className="preview-audio" src={url} controls aria-label={name} />;
    case 'video':
      return <video className="preview-video" src={url} controls aria-label={name} />;
    case 'pdf':
      // The browser's PDF viewer refuses a sandboxed frame; the link's own CSP and nosniff keep the bytes inert.
      return <iframe className="preview-frame" src={url} title={`PDF ${name}`} referrerPolicy="no-referrer" />;
    default:
      return null;
  }
}

function Details({ entry, info }: { entry: ObjectEntry; info: PreviewInfo | undefined }) {
  return (
    <dl className="preview-details">
      <dt>Size</dt>
      <dd>{formatSize(info?.size ?? entry.size)}</dd>
      <dt>Modified</dt>
      <dd>{formatDate(info?.modified ?? entry.modified)}</dd>
      <dt>Type</dt>
      <dd>{info?.contentType ?? '—'}</dd>
      {(info?.storageClass ?? entry.storageClass) && (
        <>
          <dt>Class</dt>
          <dd>{info?.storageClass ?? entry.storageClass}</dd>
        </>
      )}
    </dl>
  );
}

/**
 * Quick look at one file: images, text and code, PDF, audio and video from a short-lived link the engine serves.
 * Space or Escape closes it; files with no preview show their details and Download.
 */
export function PreviewDialog({ pane, entry }: { pane: PaneId; entry: ObjectEntry }) {
  const close = useStore((s) => s.closeDialog);
  const p = useStore((s) => s.preview);
  const info = p?.status === 'ready' ? p.info : undefined;
  const download = (): void => useStore.getState().openDialog({ type: 'download', pane, entries: [entry] });
  const onKeyDown = (e: KeyboardEvent): void => {
    const t = e.target as HTMLElement;
    if (e.key === ' ' && !t.closest('button, input, select, textarea, audio, video')) {
      e.preventDefault();
      close();
    }
  };
  return (
    <Dialog title={entry.name} onClose={close} wide className="preview-dialog">
      <div className="preview-body" tabIndex={-1} data-autofocus onKeyDown={onKeyDown} data-testid="preview">
        {p?.status === 'loading' && <p aria-live="polite">Loading preview…</p>}
        {p?.status === 'error' && (
          <p className="field-error" role="alert">
            {p.error}
          </p>
        )}
        {info && info.kind === 'text' && p?.text !== undefined && <TextView text={p.text} language={info.language} name={entry.name} />}
        {info && info.kind !== 'text' && info.kind !== 'none' && <Media info={info} name={entry.name} />}
        {info?.kind === 'none' && <p className="dialog-note">{info.reason}</p>}
        <Details entry={entry} info={info} />
      </div>
      <div className="dialog-buttons">
        <button type="button" onClick={download}>
          Download…
        </button>
        <button type="button" className="primary" onClick={close}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
