import type { ProviderKind } from '../../shared/location';

/** An HTTP header token (RFC 9110 `tchar`): what a user-metadata name becomes part of (x-amz-meta-NAME, x-goog-meta-NAME). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A C# identifier as Azure checks it (ASCII letters, digits and _ here; not starting with a digit). */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Printable ASCII: what S3 and Azure carry in a header value as it is. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// Control characters (tab excepted), which no header value may hold.
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** Why a user-metadata name cannot be sent, or null when it can. */
export function metadataNameProblem(name: string, kind: ProviderKind | undefined, identifiersOnly: boolean): string | null {
  if (!name) return 'Enter a name.';
  if (identifiersOnly || kind === 'azure') {
    return IDENTIFIER.test(name) ? null : 'Azure names use letters, digits and _ only, and do not start with a digit.';
  }
  if (kind === 'local') return CONTROL.test(name) ? 'Names cannot hold control characters.' : null;
  if (/\s/.test(name)) return 'Names cannot hold spaces.';
  if (!TOKEN.test(name)) {
    const bad = [...name].find((c) => !TOKEN.test(c)) ?? '';
    return `Names use letters, digits and ! # $ % & ' * + - . ^ _ \` | ~ only${bad ? ` (not “${bad}”)` : ''}.`;
  }
  return null;
}

/** Why a user-metadata value cannot be sent, or null when it can. */
export function metadataValueProblem(value: string, kind: ProviderKind | undefined): string | null {
  if (kind === 'local') return null;
  if (kind === 's3' || kind === 'azure') {
    return PRINTABLE_ASCII.test(value) ? null : 'Values here hold printable ASCII only (no accents, emoji or line breaks).';
  }
  return CONTROL.test(value) ? 'Values cannot hold line breaks or control characters.' : null;
}

/** Why a standard header's value (content type, cache control, ...) cannot be sent, or null when it can. */
export function headerValueProblem(field: string, value: string, kind: ProviderKind | undefined): string | null {
  if (kind === 'local' || !value) return null;
  if (!PRINTABLE_ASCII.test(value)) return 'Use printable ASCII only (no accents or line breaks).';
  if (field === 'contentType' && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+\s*(;.*)?$/.test(value)) {
    return 'A content type looks like type/subtype, such as text/plain or image/png.';
  }
  return null;
}
