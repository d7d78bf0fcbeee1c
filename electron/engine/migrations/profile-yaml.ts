import { Document, isNode, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { InvalidInputError } from '../../../shared/errors';
import {
  DeletionPolicySchema,
  MigrationFiltersSchema,
  MigrationOptionsSchema,
  MigrationRequestSchema,
  type MigrationRequest,
  type Profile,
} from '../../../shared/contract/migrations.channels';

/**
 * Saved migration profiles as readable YAML files, for a repository, a cron job or another machine. A file holds
 * the profile's name and its request; accounts appear by name inside the URIs (`s3://work/photos/`) and a secret
 * never does. Reading one is strict: a field the profile does not define is refused, not dropped, and every
 * refusal names the line and the field.
 */

/** The one format this file writes; an absent `version` reads as this one. */
const FORMAT_VERSION = 1;
const MAX_BYTES = 1024 * 1024;

const ProfileFileSchema = z.strictObject({
  version: z.literal(FORMAT_VERSION).optional(),
  name: z.string().trim().min(1).max(100),
  source: MigrationRequestSchema.shape.source,
  destinations: MigrationRequestSchema.shape.destinations,
  mode: MigrationRequestSchema.shape.mode,
  compare: MigrationRequestSchema.shape.compare,
  filters: MigrationFiltersSchema.strict().optional(),
  options: MigrationOptionsSchema.strict().optional(),
  deletions: DeletionPolicySchema.strict().optional(),
});

/** A profile read from a file: what `profiles:save` stores. */
export interface ProfileFromYaml {
  name: string;
  request: MigrationRequest;
}

/** The YAML text of a profile, with a header saying what it is. Fields at their defaults are written too: a reader sees everything the run uses. */
export function profileToYaml(profile: Pick<Profile, 'name' | 'request'> & { savedAt?: string }): string {
  const { source, destinations, mode, compare, filters, options, deletions } = profile.request;
  const doc = new Document({ version: FORMAT_VERSION, name: profile.name, source, destinations, mode, compare, filters, options, deletions });
  doc.commentBefore = [
    ` Skyferry migration profile${profile.savedAt ? ` (saved ${profile.savedAt})` : ''}.`,
    ' Accounts are named as in Skyferry (s3://ACCOUNT/bucket/prefix/); their secrets are never in this file.',
    ' Run it with: skyferry migrate --profile FILE.yaml',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** A file name for an exported profile: its name with anything unusual in a file name replaced. */
export function profileFileName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'profile';
  return `${safe}.skyferry.yaml`;
}

/**
 * Reads a profile file. `checkUri` may refuse a URI (an account that does not exist here) by throwing; its message
 * is reported at that URI's line. Throws InvalidInputError "`file`, line N, field F: what is wrong" for a YAML
 * syntax error, a missing or unknown field, a value of the wrong type, or a refused URI.
 */
export function profileFromYaml(text: string, file = 'profile', checkUri?: (uri: string) => void): ProfileFromYaml {
  if (text.length > MAX_BYTES) throw new InvalidInputError(`${file} is larger than ${MAX_BYTES / 1024} KiB: not a migration profile`);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    throw new InvalidInputError(`${file}${line ? `, line ${line}` : ''}: not valid YAML: ${firstLine(syntax.message)}`);
  }
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    const node = closestNode(doc, path);
    return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  };
  const fail = (path: readonly PropertyKey[], message: string): never => {
    const line = lineOf(path);
    const field = path.length ? fieldName(path) : undefined;
    throw new InvalidInputError(`${file}${line ? `, line ${line}` : ''}${field ? `, field ${field}` : ''}: ${message}`);
  };

  const parsed = ProfileFileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (!issue) return fail([], 'not a migration profile');
    // An unknown key is reported at the key itself, not at the object that holds it.
    const path = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
    return fail(path, issue.code === 'unrecognized_keys' ? 'not a field of a migration profile' : issue.message);
  }
  const { name, version: _version, ...fields } = parsed.data;
  const request = MigrationRequestSchema.parse(fields);
  if (checkUri) {
    const uris: Array<[readonly PropertyKey[], string]> = [[['source'], request.source], ...request.destinations.map((u, i): [PropertyKey[], string] => [['destinations', i], u])];
    for (const [path, uri] of uris) {
      try {
        checkUri(uri);
      } catch (e) {
        fail(path, e instanceof Error ? e.message : String(e));
      }
    }
  }
  return { name, request };
}

/** The node at `path`, or its nearest ancestor that exists (a missing field is reported at the object that lacks it). */
function closestNode(doc: Document, path: readonly PropertyKey[]): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const keys = path.slice(0, n).filter((k): k is string | number => typeof k !== 'symbol');
    const node: unknown = keys.length ? doc.getIn(keys, true) : doc.contents;
    if (isNode(node)) return node;
  }
  return undefined;
}

/** `destinations[0]`, `deletions.maxCount`: the path as a person reads it in the file. */
function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, k) => (typeof k === 'number' ? `${out}[${k}]` : out ? `${out}.${String(k)}` : String(k)), '');
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
