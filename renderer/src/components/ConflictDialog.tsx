import { useState, type FormEvent } from 'react';
import type { ConflictSide, OverwriteMode } from '../../../shared/contract';
import { formatCount, formatDate, formatSize, truncateMiddle } from '../format';
import { useStore } from '../store';
import { Dialog } from './Dialog';

/** The choices, in the order Finder, Explorer and Cyberduck users know them, and what each does. */
const CHOICES: ReadonlyArray<{ mode: OverwriteMode; label: string; hint: string }> = [
  { mode: 'never', label: 'Skip', hint: 'leave the existing item as it is' },
  { mode: 'always', label: 'Replace', hint: 'write over the existing item' },
  { mode: 'keepBoth', label: 'Keep both', hint: 'write the new one as "name (1).ext"' },
  { mode: 'ifNewer', label: 'Replace if newer', hint: 'only where the new one was modified later' },
  { mode: 'ifDifferent', label: 'Replace if different', hint: 'only where the size or a hash differs' },
];

function describe(side: ConflictSide): string {
  return [formatSize(side.size), formatDate(side.modified), side.storageClass].filter((s) => s !== undefined && s !== '').join(' · ');
}

/**
 * Asked before a copy, move, rename, upload or download writes where items already exist: both sides of each
 * conflict, one choice for all, and a choice per item that overrides it. Cancel starts nothing.
 */
export function ConflictDialog() {
  const prompt = useStore((s) => s.conflictPrompt);
  if (!prompt) return null;
  // Keyed by the report: a new question starts with fresh choices.
  return <ConflictForm key={prompt.report.conflicts.map((c) => c.destination.uri).join('\n')} />;
}

function ConflictForm() {
  const prompt = useStore((s) => s.conflictPrompt);
  const answer = useStore((s) => s.answerConflicts);
  // A rename that skips is no rename: it is cancelled instead, and its safe default keeps both.
  const [forAll, setForAll] = useState<OverwriteMode>(prompt?.rename ? 'keepBoth' : 'never');
  const [each, setEach] = useState<Record<string, OverwriteMode>>({});
  if (!prompt) return null;
  const { report, rename, what } = prompt;
  const choices = rename ? CHOICES.filter((c) => c.mode !== 'never') : CHOICES;
  const count = report.conflicts.length;
  const single = count === 1 && !report.truncated;
  const first = report.conflicts[0];
  const title = rename && first ? `${first.name} already exists` : single && first ? `Replace ${first.name}?` : `${formatCount(count)}${report.truncated ? '+' : ''} items already exist`;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const decisions = Object.fromEntries(Object.entries(each).filter(([, m]) => m !== forAll));
    answer({ overwrite: forAll, ...(Object.keys(decisions).length > 0 ? { decisions } : {}) });
  };
  return (
    <Dialog title={title} onClose={() => answer(null)} wide={!single}>
      <form onSubmit={submit} className="conflict-form">
        <p>
          {what}: {single ? 'an item of this name is already there.' : `${formatCount(count)}${report.truncated ? ' or more' : ''} of ${formatCount(report.files)} items are already there.`}
          {rename ? ' Nothing is renamed unless you choose to replace it or keep both.' : ' Nothing is replaced unless you choose to.'}
        </p>
        <fieldset className="conflict-choices">
          <legend>{single ? 'What to do' : 'For all of them'}</legend>
          {choices.map((c) => (
            <label key={c.mode} className="conflict-choice" style={{ display: 'block', padding: '0.15rem 0' }}>
              <input type="radio" name="conflict-all" value={c.mode} checked={forAll === c.mode} onChange={() => setForAll(c.mode)} />
              <span>{c.label}</span> <small>({c.hint})</small>
            </label>
          ))}
        </fieldset>
        <div className="conflict-list" role="region" aria-label="Items that already exist" tabIndex={0} style={{ maxHeight: '40vh', overflow: 'auto' }}>
          <table style={{ width: '100%', borderSpacing: '0.75rem 0.25rem', textAlign: 'left' }}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">New</th>
                <th scope="col">Existing</th>
                {single ? null : <th scope="col">Choice</th>}
              </tr>
            </thead>
            <tbody>
              {report.conflicts.map((c) => (
                <tr key={c.destination.uri}>
                  <th scope="row" title={c.name}>
                    {truncateMiddle(c.name, 48)}
                  </th>
                  <td>{describe(c.source)}</td>
                  <td>{describe(c.destination)}</td>
                  {single ? null : (
                    <td>
                      <select
                        aria-label={`Choice for ${c.name}`}
                        value={each[c.destination.uri] ?? ''}
                        onChange={(e) => {
                          const v = e.target.value;
                          setEach((prev) => {
                            const next = { ...prev };
                            const mode = CHOICES.find((x) => x.mode === v)?.mode;
                            if (mode === undefined) delete next[c.destination.uri];
                            else next[c.destination.uri] = mode;
                            return next;
                          });
                        }}
                      >
                        <option value="">As for all</option>
                        {CHOICES.map((x) => (
                          <option key={x.mode} value={x.mode}>
                            {x.label}
                          </option>
                        ))}
                      </select>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {report.truncated ? <p className="muted">Only the first {formatCount(count)} are listed; the choice for all applies to the rest.</p> : null}
        <div className="dialog-buttons">
          <button type="button" onClick={() => answer(null)}>
            Cancel
          </button>
          <button type="submit" className="primary" data-autofocus>
            Continue
          </button>
        </div>
      </form>
    </Dialog>
  );
}
