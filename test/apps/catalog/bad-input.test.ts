/**
 * Bad input to the catalog, each refused with 400 (or 413) and a body a
 * client can branch on, `{error: {code, message, path}}` naming the field,
 * while good commands keep flowing: invalid JSON, schema violations, unknown
 * fields, oversized bodies, ids that are no UUID, bad query parameters. A
 * raw message on `commands` that is no command is dead-lettered without
 * holding up the others, and no command the API accepted stays pending.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createEvent } from '../../../src/core/envelope.ts';
import { waitFor } from '../../support/wait.ts';
import type { Answer } from './catalog-host.ts';
import { type CatalogHost, startCatalogHost } from './catalog-host.ts';

interface ErrorBody {
  error: { code: string; message: string; path?: string; in?: string };
}

const ENTRY = { title: 'My Entry', src: 'http://s3.aws.com/1.png' };
let catalog: CatalogHost;
let entryId: string;

before(async () => {
  catalog = await startCatalogHost();
  const created = await catalog.client.command('POST', '/entries', ENTRY);
  assert.equal(created.status, 'accepted');
  entryId = created.entityId;
});

after(async () => {
  await catalog.close();
});

const send = (method: string, path: string, body?: unknown, raw?: string) =>
  catalog.client.request<ErrorBody>(method, path, body, raw);

function refused(answer: Answer<ErrorBody>, path: string, message: RegExp, status = 400) {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body.error.code, status === 413 ? 'EY_TOO_LARGE' : 'EY_VALIDATION');
  assert.equal(answer.body.error.path, path, JSON.stringify(answer.body));
  assert.match(answer.body.error.message, message);
}

test('a body that is not valid JSON is 400 naming the body', async () => {
  refused(await send('POST', '/entries', undefined, '{"title": "My Entry",'), 'body', /valid JSON/);
  refused(await send('POST', `/entries/${entryId}`, undefined, '{'), 'body', /valid JSON/);
  refused(await send('POST', '/assets', undefined, 'title=x'), 'body', /valid JSON/);
});

test('a body that breaks the schema is 400 naming the field', async () => {
  refused(await send('POST', '/entries', { src: ENTRY.src }), 'title', /title.*string/);
  refused(await send('POST', '/entries', { ...ENTRY, title: '' }), 'title', /empty/);
  refused(await send('POST', '/entries', { ...ENTRY, title: '   ' }), 'title', /blank/);
  refused(await send('POST', '/entries', { ...ENTRY, title: 'x'.repeat(201) }), 'title', /200/);
  refused(await send('POST', '/entries', { ...ENTRY, title: 42 }), 'title', /string/);
  refused(await send('POST', '/entries', { ...ENTRY, src: 'javascript:alert(1)' }), 'src', /http/);
  refused(await send('POST', '/entries', { ...ENTRY, src: 'not a url' }), 'src', /URL/);
  refused(await send('POST', '/entries', { ...ENTRY, description: 7 }), 'description', /string/);
  refused(await send('POST', `/entries/${entryId}`, { title: 'No src' }), 'src', /src/);
  refused(await send('POST', '/entries', [ENTRY]), 'body', /body/);
  refused(await send('POST', '/entries', null, 'null'), 'body', /body/);
  refused(await send('POST', '/entries'), 'body', /body/);
  const asset = { title: 'Cover', src: 'https://s3.aws.com/c.png', entryId };
  refused(await send('POST', '/assets', { ...asset, entryId: undefined }), 'entryId', /entryId/);
  refused(
    await send('POST', '/assets', { ...asset, contentType: 'png' }),
    'contentType',
    /media type/,
  );
});

test('an unknown field is 400 naming that field, not silently dropped', async () => {
  refused(
    await send('POST', '/entries', { ...ENTRY, titel: 'typo' }),
    'titel',
    /not a known field/,
  );
  refused(
    await send('POST', `/entries/${entryId}`, { ...ENTRY, id: entryId }),
    'id',
    /not a known field/,
  );
  const asset = { title: 'Cover', src: 'https://s3.aws.com/c.png', entryId };
  refused(await send('POST', '/assets', { ...asset, colour: 'red' }), 'colour', /known field/);
  // The entry is unchanged by all of the above.
  const entry = await send('GET', `/entries/${entryId}`);
  assert.equal((entry.body as unknown as { version: number }).version, 1);
});

test('a body over 64 KiB is 413, one under it is judged on its content', async () => {
  const big = await send('POST', '/entries', { ...ENTRY, description: 'x'.repeat(64 * 1024) });
  assert.equal(big.status, 413, JSON.stringify(big.body));
  assert.equal(big.body.error.code, 'EY_TOO_LARGE');
  assert.match(big.body.error.message, /larger than the limit of 65536 bytes/);
  const update = await send('POST', `/entries/${entryId}`, {
    ...ENTRY,
    description: 'y'.repeat(70_000),
  });
  assert.equal(update.status, 413);
  const asset = await send('POST', '/assets', undefined, `{"title":"${'z'.repeat(70_000)}"}`);
  assert.equal(asset.status, 413);
  // Under the limit, the description's own maximum (5000) speaks.
  refused(
    await send('POST', '/entries', { ...ENTRY, description: 'x'.repeat(6000) }),
    'description',
    /5000/,
  );
});

test('an id that is no UUID is 400, in the path and in entryId', async () => {
  for (const [method, path, body] of [
    ['POST', '/entries/123', ENTRY],
    ['DELETE', '/entries/not-a-uuid', undefined],
    ['POST', '/assets/123', { title: 'A', src: 'https://s3.aws.com/a.png', entryId }],
    ['DELETE', '/assets/c987af87-6183-4ee6-8989', undefined],
    ['GET', '/entries/123', undefined],
    ['GET', '/assets/123', undefined],
    ['GET', '/entries/123/events', undefined],
    ['GET', '/assets/123/events', undefined],
  ] as const) {
    refused(await send(method, path, body), 'id', /UUID/);
  }
  refused(
    await send('POST', '/assets', { title: 'A', src: 'https://s3.aws.com/a.png', entryId: '12' }),
    'entryId',
    /UUID/,
  );
  // The path is judged before the body: a bad id with a bad body names the id.
  refused(await send('POST', '/entries/123', undefined, '{}'), 'id', /UUID/);
});

test('bad query parameters are 400 naming the parameter', async () => {
  refused(await send('GET', '/entries?limit=0'), 'limit', /limit/);
  refused(await send('GET', '/entries?limit=501'), 'limit', /limit/);
  refused(await send('GET', '/entries?limit=ten'), 'limit', /limit/);
  refused(await send('GET', '/entries?next=somewhere'), 'next', /cursor/);
  // parseInput names the query as a whole for an unknown parameter; the message names it.
  refused(await send('GET', '/entries?colour=red'), 'colour', /colour/);
  refused(await send('GET', `/entries?entryId=${entryId}`), 'entryId', /entryId/);
  refused(await send('GET', '/assets?entryId=12'), 'entryId', /UUID/);
  refused(await send('GET', `/assets?title=${'t'.repeat(201)}`), 'title', /title/);
  const created = await send('POST', '/entries', ENTRY);
  const location = (created.body as unknown as { location: string }).location;
  refused(await send('GET', `${location}?wait=forever`), 'wait', /wait/);
  refused(await send('GET', `${location}?timeoutMs=-1`), 'timeoutMs', /timeoutMs/);
  refused(await send('GET', `${location}?timeoutMs=60000`), 'timeoutMs', /timeoutMs/);
  refused(await send('GET', `${location}?wait=outcome&waitMs=1`), 'waitMs', /waitMs/);
});

test('an X-User header that is too long is 400 naming the header', async () => {
  const answer = await fetch(`${catalog.url}/entries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user': 'u'.repeat(300) },
    body: JSON.stringify(ENTRY),
  });
  assert.equal(answer.status, 400);
  const body = (await answer.json()) as ErrorBody;
  assert.equal(body.error.code, 'EY_VALIDATION');
  assert.equal(body.error.in, 'header');
});

async function deadLetters() {
  return catalog.host.engines.broker.deadLetters.list('commands', { group: 'catalog.validator' });
}

test('a raw message on `commands` that is no command is dead-lettered; the others go on', async () => {
  const garbage = [
    { type: 'renameEntry', body: ENTRY, params: { id: randomUUID() }, meta: { user: 1 } },
    {
      type: 'createEntry',
      body: { ...ENTRY, titel: 'typo' },
      params: { id: randomUUID() },
      meta: { user: 1 },
    },
    { type: 'createEntry', body: ENTRY, params: { id: 'not-a-uuid' }, meta: { user: 1 } },
    'This is a message',
  ].map((data) => createEvent({ type: 'catalog.command', source: 'test/producer', data }));
  const good = createEvent({
    type: 'catalog.command',
    source: 'test/producer',
    data: { type: 'createEntry', body: ENTRY, params: { id: randomUUID() }, meta: { user: 1 } },
  });
  // Interleaved, so a stuck poison message would hold up the good one behind it.
  await catalog.host.engines.broker.publish('commands', [
    ...garbage.slice(0, 2),
    good,
    ...garbage.slice(2),
  ]);
  const through = await catalog.client.command('POST', '/entries', ENTRY);
  assert.equal(through.status, 'accepted');

  const letters = await waitFor('the poison messages to be dead-lettered', async () => {
    const list = await deadLetters();
    const ours = list.filter((letter) => garbage.some((event) => event.id === letter.event.id));
    return ours.length === garbage.length ? ours : undefined;
  });
  for (const letter of letters) {
    assert.equal(letter.attempts, 1, 'a message that is no command is not retried');
    assert.match(letter.reason, /not a catalog command/);
  }
  const typo = letters.find((letter) => letter.event.id === garbage[1]!.id)!;
  assert.match(typo.reason, /body\.titel is not a known field/);
  const outcome = await waitFor('the good raw command to be decided', async () => {
    const answer = await catalog.client.request(`GET`, `/commands/${good.id}`);
    return answer.status === 200 && answer.body.status !== 'pending' ? answer.body : undefined;
  });
  assert.equal(outcome.status, 'accepted');
  // A dead-lettered message has no command row: it never was a command.
  assert.equal((await send('GET', `/commands/${garbage[0]!.id}`)).status, 404);
});

test('after all of that, good commands go through and none the API accepted stays pending', async () => {
  const answers = await Promise.all(
    Array.from({ length: 5 }, (_, i) =>
      catalog.client.command('POST', '/entries', { ...ENTRY, title: `After ${i}` }),
    ),
  );
  for (const answer of answers) assert.equal(answer.status, 'accepted');
  const asset = await catalog.client.command('POST', '/assets', {
    title: 'Cover',
    src: 'https://s3.aws.com/c.png',
    entryId,
  });
  assert.equal(asset.status, 'accepted');
  await waitFor(
    'every command to have an outcome',
    async () => {
      const pending = await catalog.host.engines.store.db
        .selectFrom('catalog_commands' as never)
        .select('id' as never)
        .where('status' as never, '=', 'pending' as never)
        .execute();
      return pending.length === 0;
    },
    10_000,
    25,
  );
});
