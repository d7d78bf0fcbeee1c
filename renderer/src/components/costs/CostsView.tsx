import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useStore } from '../../store';
import { subscribeCosts } from '../../store/costs.slice';
import { subscribeRetention } from '../../store/retention.slice';
import { CatalogPanel } from './CatalogPanel';
import './costs.css';
import { EstimatePanel } from './EstimatePanel';
import { HistoryPanel } from './HistoryPanel';
import { RetentionPanel } from './RetentionPanel';
import { ScanPanel } from './ScanPanel';

const TABS = [
  { id: 'scan', label: 'Bucket analytics' },
  { id: 'retention', label: 'Retention' },
  { id: 'estimate', label: 'Transfer estimate' },
  { id: 'catalog', label: 'Price catalog' },
  { id: 'history', label: 'History' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** The Costs view: what a bucket costs to keep, what a copy will cost, the prices behind both, and what was spent. */
export function CostsView() {
  const [tab, setTab] = useState<TabId>('scan');
  const base = useId();
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});

  useEffect(() => {
    const st = useStore.getState();
    void st.loadCostCatalog();
    // Events of a scan or a preview that ran while this view was closed were not heard: ask where they are now.
    void st.refreshScan();
    void st.refreshRetentionPreview();
    const offCosts = subscribeCosts(useStore.getState);
    const offRetention = subscribeRetention(useStore.getState);
    return () => {
      offCosts();
      offRetention();
    };
  }, []);

  // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
  const onKeyDown = (e: KeyboardEvent): void => {
    const i = TABS.findIndex((t) => t.id === tab);
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = TABS[(i + step + TABS.length) % TABS.length];
    if (next) {
      setTab(next.id);
      tabRefs.current[next.id]?.focus();
    }
  };

  return (
    <div className="costs-view">
      <div role="tablist" aria-label="Costs" className="cost-tabs" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[t.id] = el;
            }}
            type="button"
            role="tab"
            id={`${base}-${t.id}-tab`}
            aria-selected={tab === t.id}
            aria-controls={`${base}-${t.id}-panel`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-${tab}-panel`} aria-labelledby={`${base}-${tab}-tab`} className="cost-panel">
        {tab === 'scan' && <ScanPanel />}
        {tab === 'retention' && <RetentionPanel />}
        {tab === 'estimate' && <EstimatePanel />}
        {tab === 'catalog' && <CatalogPanel />}
        {tab === 'history' && <HistoryPanel />}
      </div>
    </div>
  );
}
