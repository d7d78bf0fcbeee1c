import { useEffect } from 'react';
import type { AwsProfile } from '../../../shared/contract';
import { useStore } from '../store';

const KIND_LABEL: Record<AwsProfile['kind'], string> = {
  keys: 'access keys',
  role: 'role',
  process: 'credential_process',
  sso: 'SSO',
  web_identity: 'web identity',
  other: 'other',
};

/** What the chosen profile will need from the user, in one sentence. */
function profileHint(p: AwsProfile | undefined): string {
  if (!p) return 'From ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE) of the computer running Skyferry';
  if (p.kind === 'sso') return `Signs in with AWS IAM Identity Center: run "aws sso login --profile ${p.name}" first, and again when the session expires`;
  if (p.kind === 'role' && p.mfa) return 'Assumes a role that asks for MFA: Skyferry asks for the code when it signs in, and again when the role is renewed during a long job';
  if (p.kind === 'role') return 'Assumes the role with the keys of its source profile; renewed by itself during long jobs';
  if (p.kind === 'process') return 'Runs the profile\'s credential_process, again whenever its credentials expire';
  return 'The keys stay in the AWS files: Skyferry saves only the profile\'s name';
}

/** The "AWS profile" field of an S3 account: the profiles the engine found, with what each signs in with. */
export function AwsProfilePicker({ value, error, onChange }: { value: string; error: string | undefined; onChange: (v: string) => void }) {
  const profiles = useStore((s) => s.awsProfiles);
  const problem = useStore((s) => s.awsProfilesError);
  const load = useStore((s) => s.loadAwsProfiles);
  useEffect(() => void load(), [load]);
  const list = profiles ?? [];
  const chosen = list.find((p) => p.name === value);
  // A saved profile that is no longer in the files stays selectable, so the form shows what the account uses.
  const missing = value && profiles && !chosen ? [value] : [];
  const id = 'acct-profile';
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>AWS profile</label>
      <div className="field-row">
        <select id={id} value={value} aria-invalid={error !== undefined} aria-describedby={[hintId, error ? `${id}-error` : ''].filter(Boolean).join(' ')} onChange={(e) => onChange(e.target.value)}>
          <option value="" disabled>
            {profiles === null ? 'Reading the AWS config files…' : list.length === 0 ? 'No profiles found' : 'Choose a profile'}
          </option>
          {list.map((p) => (
            <option key={p.name} value={p.name}>
              {`${p.name} (${KIND_LABEL[p.kind]}${p.mfa ? ', MFA' : ''})`}
            </option>
          ))}
          {missing.map((m) => (
            <option key={m} value={m}>{`${m} (not in the AWS files)`}</option>
          ))}
        </select>
        <button type="button" onClick={() => void load()} aria-label="Read the AWS config files again">
          Reload
        </button>
      </div>
      <small id={hintId} className="hint">
        {problem ?? profileHint(chosen)}
      </small>
      {error && (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      )}
    </div>
  );
}
