import { useEffect, useRef, type ChangeEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatDate } from '../../format';
import { useStore } from '../../store';
import { MigrationForm } from './MigrationForm';
import { PlanView, STATE_LABEL } from './PlanView';
import { ProfileSchedule } from './ProfileSchedule';

function History() {
  const ids = useStore(useShallow((s) => s.migrationOrder.slice(0, 50)));
  const openId = useStore((s) => s.openMigrationId);
  return (
    <section aria-label="Migration history" className="migrations-side-section">
      <h2>History</h2>
      {ids.length === 0 && <p className="muted">No migrations yet.</p>}
      <ul className="migrations-list">
        {ids.map((id) => (
          <HistoryItem key={id} id={id} current={id === openId} />
        ))}
      </ul>
    </section>
  );
}

function HistoryItem({ id, current }: { id: string; current: boolean }) {
  const m = useStore((s) => s.migrations[id]);
  if (!m) return null;
  const title = m.name ?? `${m.request.source} → ${m.request.destinations.join(', ')}`;
  return (
    <li className={current ? 'current' : undefined}>
      <button type="button" className="migration-link" aria-current={current ? 'true' : undefined} title={title} onClick={() => useStore.getState().setOpenMigration(id)}>
        <span className="migration-link-title">{title}</span>
        <span className="muted">
          {STATE_LABEL[m.state]} · {formatDate(m.createdAt)}
        </span>
      </button>
    </li>
  );
}

/** Reads a profile file the user picked (YAML, as Export writes it) and hands it to the engine. */
function ImportProfile() {
  const input = useRef<HTMLInputElement>(null);
  const pick = (e: ChangeEvent<HTMLInputElement>): void => {
    const el = e.currentTarget;
    const file = el.files?.[0];
    el.value = '';
    if (file) void file.text().then((text) => useStore.getState().importProfile(text, file.name));
  };
  return (
    <>
      <button type="button" onClick={() => input.current?.click()}>
        Import profile…
      </button>
      <input ref={input} type="file" accept=".yaml,.yml,application/yaml,text/yaml" aria-label="Profile file to import" hidden onChange={pick} />
    </>
  );
}

function Profiles() {
  const profiles = useStore((s) => s.profiles);
  return (
    <section aria-label="Saved profiles" className="migrations-side-section">
      <h2>Profiles</h2>
      <ImportProfile />
      {profiles.length === 0 && <p className="muted">Save a migration as a profile to run it again later.</p>}
      <ul className="migrations-list">
        {profiles.map((p) => (
          <li key={p.name} className="profile-item">
            <span className="migration-link-title" title={`${p.request.source} → ${p.request.destinations.join(', ')}`}>
              {p.name}
            </span>
            <span className="profile-buttons">
              <button type="button" aria-label={`Run ${p.name} again`} onClick={() => void useStore.getState().runProfile(p.name)}>
                Run again
              </button>
              <button
                type="button"
                aria-label={`Edit ${p.name}`}
                onClick={() => {
                  const st = useStore.getState();
                  st.setMigrationDraft({ request: p.request, name: p.name });
                  st.setOpenMigration(null);
                }}
              >
                Edit
              </button>
              <button type="button" aria-label={`Export ${p.name} as YAML`} onClick={() => void useStore.getState().exportProfile(p.name)}>
                Export
              </button>
              <button type="button" className="danger-link" aria-label={`Remove profile ${p.name}`} onClick={() => void useStore.getState().removeProfile(p.name)}>
                Remove
              </button>
            </span>
            <ProfileSchedule profile={p} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The Migrations view: history and profiles beside either the form (a new migration) or one migration. */
export function MigrationsView() {
  const openId = useStore((s) => s.openMigrationId);
  const open = useStore((s) => (s.openMigrationId ? s.migrations[s.openMigrationId] : undefined));
  useEffect(() => {
    const st = useStore.getState();
    void st.loadMigrations();
    void st.loadProfiles();
    void st.loadSchedules();
    void st.loadSyncs();
  }, []);
  return (
    <main className="migrations" aria-label="Migrations">
      <aside className="migrations-side">
        <button type="button" className="primary" onClick={() => useStore.getState().setOpenMigration(null)} aria-pressed={openId === null}>
          New migration
        </button>
        <History />
        <Profiles />
      </aside>
      <div className="migrations-main">{openId === null ? <MigrationForm /> : open ? <PlanView m={open} /> : <p className="muted">Loading…</p>}</div>
    </main>
  );
}
