import { useStore } from '../store';

/** A select's options, one per [value, label] pair, in order (none for no list). */
export function Options({ items }: { items: ReadonlyArray<readonly [value: string | number, label: string]> | undefined }) {
  return items?.map(([value, label]) => (
    <option key={value} value={value}>
      {label}
    </option>
  ));
}

/** The options of an account picker: a disabled placeholder, then every saved account with its provider. */
export function AccountOptions({ placeholder }: { placeholder: string }) {
  const accounts = useStore((s) => s.accounts);
  return (
    <>
      <option value="" disabled>
        {placeholder}
      </option>
      <Options items={accounts.map((a) => [a.settings.name, `${a.settings.name} (${a.settings.kind.toUpperCase()})`])} />
    </>
  );
}
