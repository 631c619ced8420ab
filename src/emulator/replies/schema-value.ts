// A value that validates against a JSON schema, worked out from the schema alone: the same schema always gives the
// same value. Tool inputs (`tool_use`) and structured outputs (`output_config.format`) are made with it.
//
// Modelled: `type` (one or a list; the first non-null one), `const`, `enum` (its first value), `anyOf`/`oneOf` (the
// first branch), `allOf` (branches merged), local `$ref`s (`#/$defs/…`, `#/definitions/…`, `#`), objects (every
// declared property, only the required ones once nesting is deep), arrays (`items`, `prefixItems`, `minItems`,
// `maxItems`, `uniqueItems`), strings (`minLength`, `maxLength`, common `format`s), numbers and integers (`minimum`,
// `maximum`, their exclusive forms, `multipleOf`), booleans and null. Not modelled: `pattern`, `not`,
// `if`/`then`/`else`, `dependentRequired`, `patternProperties`, `minProperties`, remote `$ref`s.

type Schema = Record<string, unknown>;

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Nesting beyond this keeps to required properties and minimum array lengths, so recursive schemas end. */
const DEEP = 6;

const FORMATS: Record<string, string> = {
  'date-time': '2025-01-01T00:00:00Z',
  date: '2025-01-01',
  time: '00:00:00Z',
  duration: 'P1D',
  email: 'user@example.com',
  'idn-email': 'user@example.com',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uri: 'https://example.com/',
  'uri-reference': 'https://example.com/',
  iri: 'https://example.com/',
  uuid: '00000000-0000-4000-8000-000000000000',
};

interface Context {
  root: Schema;
  depth: number;
  /** The property or item this value is for: strings are made from it. */
  name: string;
  /** Distinguishes the items of an array with `uniqueItems`. */
  variant: number;
}

/** A value valid against `schema` (a JSON schema object or boolean). */
export function valueForSchema(schema: unknown): unknown {
  return valueOf(schema, { root: isObject(schema) ? schema : {}, depth: 0, name: 'value', variant: 0 });
}

function resolve(ref: string, root: Schema): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return {};
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : undefined;
  }
  return node ?? {};
}

function merged(branches: unknown[], ctx: Context): Schema {
  const out: Schema = {};
  const properties: Schema = {};
  const required = new Set<string>();
  for (const raw of branches) {
    const branch = isObject(raw) && typeof raw.$ref === 'string' ? resolve(raw.$ref, ctx.root) : raw;
    if (!isObject(branch)) continue;
    Object.assign(out, branch);
    if (isObject(branch.properties)) Object.assign(properties, branch.properties);
    if (Array.isArray(branch.required)) for (const r of branch.required) if (typeof r === 'string') required.add(r);
  }
  delete out.allOf;
  if (Object.keys(properties).length > 0) out.properties = properties;
  if (required.size > 0) out.required = [...required];
  return out;
}

function typeOf(schema: Schema): string {
  const declared = schema.type;
  if (typeof declared === 'string') return declared;
  if (Array.isArray(declared)) {
    const types = declared as unknown[];
    const first = types.find((t) => t !== 'null') ?? types[0];
    if (typeof first === 'string') return first;
  }
  if (schema.properties !== undefined || schema.required !== undefined) return 'object';
  if (schema.items !== undefined || schema.prefixItems !== undefined) return 'array';
  if (schema.minLength !== undefined || schema.maxLength !== undefined || schema.format !== undefined) return 'string';
  if (schema.minimum !== undefined || schema.maximum !== undefined) return 'number';
  return 'string';
}

function valueOf(raw: unknown, ctx: Context): unknown {
  // `false` admits nothing, and a schema that requires itself forever has no finite value: give up with null.
  if (raw === false || ctx.depth > 4 * DEEP) return null;
  if (!isObject(raw)) return stringOf({}, ctx);
  let schema = raw;
  if (typeof schema.$ref === 'string') {
    const { $ref, ...rest } = schema;
    const target = resolve($ref, ctx.root);
    schema = { ...rest, ...(isObject(target) ? target : {}) };
  }
  if (Array.isArray(schema.allOf))
    schema = merged([{ ...schema, allOf: undefined }, ...(schema.allOf as unknown[])], ctx);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[ctx.variant % schema.enum.length];
  const branches = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  if (branches && branches.length > 0) {
    const { anyOf: _a, oneOf: _o, ...rest } = schema;
    return valueOf(merged([rest, branches[0]], ctx), ctx);
  }
  switch (typeOf(schema)) {
    case 'object':
      return objectOf(schema, ctx);
    case 'array':
      return arrayOf(schema, ctx);
    case 'integer':
      return numberOf(schema, ctx, true);
    case 'number':
      return numberOf(schema, ctx, false);
    case 'boolean':
      return ctx.variant % 2 === 0;
    case 'null':
      return null;
    default:
      return stringOf(schema, ctx);
  }
}

function objectOf(schema: Schema, ctx: Context): Record<string, unknown> {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : []);
  const out: Record<string, unknown> = {};
  const deep = ctx.depth >= DEEP;
  for (const [key, sub] of Object.entries(properties)) {
    if (deep && !required.has(key)) continue;
    out[key] = valueOf(sub, { ...ctx, depth: ctx.depth + 1, name: key });
  }
  // Required names the schema lists without describing them: anything goes, unless extra properties are refused.
  for (const key of required) {
    if (!(key in out)) {
      const extra = schema.additionalProperties;
      out[key] = valueOf(isObject(extra) ? extra : {}, { ...ctx, depth: ctx.depth + 1, name: key });
    }
  }
  return out;
}

function arrayOf(schema: Schema, ctx: Context): unknown[] {
  const prefix = Array.isArray(schema.prefixItems) ? (schema.prefixItems as unknown[]) : [];
  const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const max = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
  const wanted = ctx.depth >= DEEP ? min : Math.max(min, prefix.length, 1);
  const count = Math.min(Math.max(wanted, 0), max);
  const items = schema.items === false ? undefined : schema.items;
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const sub = i < prefix.length ? prefix[i] : items;
    if (sub === undefined && i >= prefix.length) break;
    out.push(valueOf(sub, { ...ctx, depth: ctx.depth + 1, name: ctx.name, variant: ctx.variant + i }));
  }
  return out;
}

interface Bound {
  at: number;
  open: boolean;
}

const finite = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function boundOf(closed: unknown, open: unknown, lower: boolean): Bound | undefined {
  const c = finite(closed);
  const o = finite(open);
  if (o !== undefined && (c === undefined || (lower ? o >= c : o <= c))) return { at: o, open: true };
  return c !== undefined ? { at: c, open: false } : undefined;
}

function numberOf(schema: Schema, ctx: Context, integer: boolean): number {
  const lo = boundOf(schema.minimum, schema.exclusiveMinimum, true);
  const hi = boundOf(schema.maximum, schema.exclusiveMaximum, false);
  const multiple = finite(schema.multipleOf);
  const step = multiple !== undefined && multiple > 0 ? multiple : integer ? 1 : undefined;
  const above = (v: number) => !lo || (lo.open ? v > lo.at : v >= lo.at);
  const below = (v: number) => !hi || (hi.open ? v < hi.at : v <= hi.at);
  const preferred = (integer ? 1 : 1.5) + ctx.variant;
  if (above(preferred) && below(preferred) && (step === undefined || Number.isInteger(preferred / step))) {
    return preferred;
  }
  if (step !== undefined) {
    // The first multiple of the step inside the bounds, from the lower one if there is one.
    let v = lo ? Math.ceil(lo.at / step) * step : hi ? Math.floor(hi.at / step) * step : step;
    if (lo && !above(v)) v += step;
    if (!lo && hi && !below(v)) v -= step;
    return v;
  }
  if (lo && hi) return (lo.at + hi.at) / 2;
  if (lo) return lo.open ? lo.at + 1 : lo.at;
  if (hi) return hi.open ? hi.at - 1 : hi.at;
  return preferred;
}

function stringOf(schema: Schema, ctx: Context): string {
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  let text = format ?? (ctx.variant > 0 ? `${ctx.name} ${ctx.variant + 1}` : ctx.name);
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  if (format === undefined || text.length > max) {
    while (text.length < min) text += ` ${ctx.name}`;
    if (text.length > max) text = text.slice(0, max);
    // Cutting can leave a trailing space or half a surrogate pair; JSON Schema counts code points.
    while ([...text].length < min) text += 'x';
  }
  return text;
}
