import { z } from 'zod';

/**
 * A copy of a request schema in which every object refuses keys it does not define (zod's `.strict()`), at every
 * depth: inside optionals, defaults, arrays, records, unions and pipes. zod's objects strip unknown keys by default,
 * so a malformed call (a misspelt field, a field of another channel) would run as if the field were absent: for
 * `costs:resetCatalog`, "reset one provider" sent wrongly became "reset everything". The engine parses requests
 * with these copies, so the contract's schemas stay as written and each channel is strict without being edited.
 *
 * Objects that already say what to do with other keys (`.loose()`, `.catchall(x)`) keep it. An intersection is left
 * as it is: each side's keys are unknown to the other, so strict sides could never both pass.
 */
export function strictRequest<T extends z.ZodType>(schema: T): T {
  return strictCopy(schema, new Map()) as T;
}

type Def = z.core.$ZodTypeDef & Record<string, unknown>;

/** Def fields that hold one schema, and those that hold a list of them. */
const ONE = ['innerType', 'element', 'in', 'out', 'keyType', 'valueType', 'rest'] as const;
const MANY = ['options', 'items'] as const;

function isSchema(value: unknown): value is z.ZodType {
  return value instanceof z.ZodType;
}

function strictCopy(schema: z.ZodType, seen: Map<z.ZodType, z.ZodType>): z.ZodType {
  const done = seen.get(schema);
  if (done) return done;
  const def = schema._zod.def as Def;
  if (def.type === 'intersection') return schema;
  const changes: Record<string, unknown> = {};

  if (def.type === 'lazy') {
    const getter = def['getter'] as () => z.ZodType;
    let inner: z.ZodType | undefined;
    changes['getter'] = () => (inner ??= strictCopy(getter(), seen));
  }
  if (def.type === 'object') {
    const shape = (schema as z.ZodObject)._zod.def.shape;
    changes['shape'] = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, strictCopy(v as z.ZodType, seen)]));
    if (def['catchall'] === undefined) changes['catchall'] = z.never();
  }
  for (const key of ONE) {
    const child = def[key];
    if (isSchema(child)) changes[key] = strictCopy(child, seen);
  }
  for (const key of MANY) {
    const list = def[key];
    if (Array.isArray(list) && list.every(isSchema)) changes[key] = list.map((s) => strictCopy(s, seen));
  }
  if (Object.keys(changes).length === 0) return schema;
  const copy = z.clone(schema, z.util.mergeDefs(def, changes) as z.core.$ZodTypeDef);
  seen.set(schema, copy);
  return copy;
}
