import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assetBodySchema,
  catalogEventSchema,
  catalogJsonSchemas,
  entryBodySchema,
  errorOf,
  fieldIssuesOf,
  parseCommand,
  REJECTION_CODES,
} from '../../../../src/apps/catalog/domain/index.ts';
import { httpStatusOf } from '../../../../src/core/errors.ts';
import { assetBody, ENTRY_ID, entryBody, events } from './decider-spec.ts';

function fieldOf(schema: typeof entryBodySchema | typeof assetBodySchema, body: unknown): string {
  const result = schema.safeParse(body);
  assert.equal(result.success, false, `expected ${JSON.stringify(body)} to be refused`);
  return fieldIssuesOf(result.error!)[0]!.field;
}

describe('entry and asset bodies', () => {
  test('the seed example body is an entry', () => {
    assert.deepEqual(entryBodySchema.parse(entryBody), entryBody);
    assert.deepEqual(assetBodySchema.parse(assetBody), assetBody);
  });

  test('each refusal names its field', () => {
    assert.equal(fieldOf(entryBodySchema, { src: entryBody.src }), 'title');
    assert.equal(fieldOf(entryBodySchema, { ...entryBody, title: '' }), 'title');
    assert.equal(fieldOf(entryBodySchema, { ...entryBody, title: '   ' }), 'title');
    assert.equal(fieldOf(entryBodySchema, { ...entryBody, title: 'x'.repeat(201) }), 'title');
    assert.equal(fieldOf(entryBodySchema, { ...entryBody, src: 'javascript:alert(1)' }), 'src');
    assert.equal(fieldOf(entryBodySchema, { ...entryBody, src: 'ftp://x.org/a' }), 'src');
    assert.equal(
      fieldOf(entryBodySchema, { ...entryBody, src: `http://x.org/${'a'.repeat(2048)}` }),
      'src',
    );
    assert.equal(
      fieldOf(entryBodySchema, { ...entryBody, description: 'd'.repeat(5001) }),
      'description',
    );
    assert.equal(fieldOf(entryBodySchema, { ...entryBody, colour: 'red' }), 'colour');
    assert.equal(fieldOf(assetBodySchema, { ...assetBody, entryId: 'not-a-uuid' }), 'entryId');
    assert.equal(fieldOf(assetBodySchema, { ...assetBody, contentType: 'png' }), 'contentType');
    const { entryId: _e, ...orphan } = assetBody;
    assert.equal(fieldOf(assetBodySchema, orphan), 'entryId');
  });

  test('media types with parameters and local URLs are accepted', () => {
    const body = {
      ...assetBody,
      src: 'http://localhost:9000/images/a.png',
      contentType: 'text/plain; charset="utf-8"',
    };
    assert.equal(assetBodySchema.safeParse(body).success, true);
  });

  test('the JSON Schemas refuse unknown fields and require what zod requires', () => {
    const { entryBody: entry, assetBody: asset } = catalogJsonSchemas;
    assert.equal(entry.additionalProperties, false);
    assert.deepEqual(entry.required, ['title', 'src']);
    assert.deepEqual(asset.required, ['title', 'src', 'entryId']);
    assert.equal(JSON.stringify(catalogJsonSchemas.command).includes('"deleteAsset"'), true);
  });
});

describe('the command message', () => {
  const base = { params: { id: ENTRY_ID }, meta: { user: 1 } };

  test('the seed example parses, and an upper-case id is lowered so it names one stream', () => {
    const raw = { ...base, type: 'updateEntry', body: entryBody };
    const parsed = parseCommand({ ...raw, params: { id: ENTRY_ID.toUpperCase() } });
    assert.deepEqual(parsed, { ok: true, command: raw });
  });

  test('a delete has no body or an empty one', () => {
    assert.equal(parseCommand({ ...base, type: 'deleteEntry' }).ok, true);
    assert.equal(parseCommand({ ...base, type: 'deleteAsset', body: {} }).ok, true);
    const refused = parseCommand({ ...base, type: 'deleteEntry', body: { title: 'x' } });
    assert.equal(refused.ok === false && refused.reason.field, 'body.title');
  });

  const refusals: Array<[string, unknown, string]> = [
    ['an unknown type', { ...base, type: 'renameEntry', body: entryBody }, 'type'],
    ['a body of the wrong kind', { ...base, type: 'createAsset', body: entryBody }, 'body.entryId'],
    ['a non-UUID id', { ...base, type: 'deleteEntry', params: { id: '42' } }, 'params.id'],
    ['a missing user', { ...base, type: 'deleteEntry', meta: {} }, 'meta.user'],
    ['a fractional user', { ...base, type: 'deleteEntry', meta: { user: 1.5 } }, 'meta.user'],
    ['an extra top-level field', { ...base, type: 'deleteEntry', extra: 1 }, 'extra'],
    ['not an object', 'createEntry', '(root)'],
  ];
  for (const [what, raw, field] of refusals) {
    test(`${what} is refused, naming ${field}`, () => {
      const parsed = parseCommand(raw);
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      assert.equal(parsed.reason.code, 'invalid_command');
      assert.equal(parsed.reason.field, field);
      assert.ok(parsed.reason.message.startsWith(field));
    });
  }
});

test('the events decide emits pass the event schema, and a foreign one does not', () => {
  for (const event of [events.entryCreated(), events.entryDeleted(2), events.assetDeleted(3)]) {
    assert.equal(catalogEventSchema.safeParse(event).success, true);
  }
  assert.equal(
    catalogEventSchema.safeParse({ ...events.entryCreated(), version: 0 }).success,
    false,
  );
});

test('every rejection maps to a 4xx status', () => {
  const statuses = REJECTION_CODES.map((code) =>
    httpStatusOf(errorOf({ code, message: code, field: 'params.id' })),
  );
  assert.deepEqual(statuses, [400, 409, 404, 404, 400, 409]);
  assert.equal(
    errorOf({ code: 'deleted', message: 'm', field: 'params.id' }).details.path,
    'params.id',
  );
});
