/**
 * The command API of seed 001: `POST /entries` (create), `POST
 * /entries/{id}` (update, the whole body), `DELETE /entries/{id}`, and the
 * same for `/assets`. A request that passes the schema becomes the seed's
 * command message `{type, body, params: {id}, meta: {user}}` on topic
 * `commands`, with its pending row in the same unit of work, and is answered
 * 202 with the command's id and where to ask for its outcome:
 * `GET /commands/{id}` says pending, accepted or rejected (with the reason);
 * `?wait=outcome` or `?wait=visible` holds the answer until the command is
 * decided, or until the query API shows its effect (read-your-writes).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createEvent } from '../../core/envelope.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { sleep } from '../../core/sleep.ts';
import { parseInput } from '../../runtime/http-input.ts';
import type { ServiceContext } from '../../runtime/service.ts';
import {
  assetBodySchema,
  type Command,
  type CommandType,
  entryBodySchema,
  fieldIssuesOf,
  idSchema,
  kindOf,
  streamIdOf,
} from './domain/index.ts';
import { COMMANDS } from './names.ts';
import { pendingRow } from './outcomes.ts';
import type { CatalogDb, CommandRow } from './schema.ts';

/** Bodies are small JSON documents; a larger one is 413. */
export const COMMAND_BODY_LIMIT = 64 * 1024;
const MAX_WAIT_MS = 30_000;

const userHeader = z.union([
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
  z.string().min(1).max(256),
]);

const outcomeQuery = z.strictObject({
  wait: z.enum(['outcome', 'visible']).optional(),
  timeoutMs: z.coerce.number().int().min(0).max(MAX_WAIT_MS).default(10_000),
});

export interface CommandView {
  readonly commandId: string;
  readonly type: string;
  readonly entityId: string;
  readonly status: CommandRow['status'];
  /** The entity's version once the command's events are stored. */
  readonly version: number | null;
  readonly reason: { code: string; message: string; field?: string } | null;
  /** The query API shows the command's effect (always true once rejected). */
  readonly visible: boolean;
  readonly location: string;
}

function bodyOf(type: CommandType, body: unknown): Command['body'] {
  if (type.startsWith('delete')) return undefined as never;
  const schema = type.endsWith('Entry') ? entryBodySchema : assetBodySchema;
  const parsed = schema.safeParse(body ?? undefined);
  if (parsed.success) return parsed.data as Command['body'];
  const first = fieldIssuesOf(parsed.error)[0]!;
  const field = first.field === '(root)' ? 'body' : first.field;
  throw new ValidationError(
    `${field === 'body' ? 'body' : `body field '${field}'`} ${first.message}`,
    {
      path: field,
      in: 'body',
    },
  );
}

export function commandRoutes(http: FastifyInstance, context: ServiceContext<CatalogDb>): void {
  const { store } = context;

  const accept = async (request: FastifyRequest, type: CommandType, rawId: string | undefined) => {
    const id =
      rawId === undefined
        ? randomUUID()
        : parseInput(z.object({ id: idSchema }), { id: rawId }, 'params').id;
    const user =
      request.headers['x-user'] === undefined
        ? 1
        : parseInput(userHeader, request.headers['x-user'], 'header');
    const command = {
      type,
      ...(type.startsWith('delete') ? {} : { body: bodyOf(type, request.body) }),
      params: { id },
      meta: { user },
    } as Command;
    const commandId = randomUUID();
    const now = new Date().toISOString();
    await store.transaction(async ({ tx, emit }) => {
      await tx
        .insertInto('catalog_commands')
        .values(pendingRow(commandId, command, now))
        .execute();
      emit(
        COMMANDS,
        createEvent({
          id: commandId,
          type: 'catalog.command',
          source: 'catalog/api',
          subject: streamIdOf(kindOf(command), id),
          key: streamIdOf(kindOf(command), id),
          data: command,
        }),
      );
    });
    return { commandId, type, entityId: id, status: 'pending', location: `/commands/${commandId}` };
  };

  for (const [path, kind] of [
    ['/entries', 'Entry'],
    ['/assets', 'Asset'],
  ] as const) {
    const options = { bodyLimit: COMMAND_BODY_LIMIT };
    http.post(path, options, async (request, reply) =>
      reply.code(202).send(await accept(request, `create${kind}`, undefined)),
    );
    http.post<{ Params: { id: string } }>(`${path}/:id`, options, async (request, reply) =>
      reply.code(202).send(await accept(request, `update${kind}`, request.params.id)),
    );
    http.delete<{ Params: { id: string } }>(`${path}/:id`, async (request, reply) =>
      reply.code(202).send(await accept(request, `delete${kind}`, request.params.id)),
    );
  }

  http.get<{ Params: { commandId: string } }>('/commands/:commandId', async (request) => {
    const { commandId } = request.params;
    const { wait, timeoutMs } = parseInput(outcomeQuery, request.query, 'query');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await commandView(context, commandId);
      const done =
        wait === undefined || (wait === 'outcome' ? view.status !== 'pending' : view.visible);
      if (done || Date.now() >= deadline) return view;
      await sleep(Math.min(10, deadline - Date.now()));
    }
  });
}

async function commandView(
  context: ServiceContext<CatalogDb>,
  commandId: string,
): Promise<CommandView> {
  const row =
    commandId.length > 64
      ? undefined
      : await context.store.db
          .selectFrom('catalog_commands')
          .selectAll()
          .where('id', '=', commandId)
          .executeTakeFirst();
  if (!row)
    throw new NotFoundError(`no command ${commandId}`, { path: 'commandId', kind: 'command' });
  let visible = row.status === 'rejected';
  if (row.status === 'accepted') {
    const snapshot = await context.store.db
      .selectFrom('catalog_snapshots')
      .select('version')
      .where('stream_id', '=', row.stream_id)
      .executeTakeFirst();
    visible = Number(snapshot?.version ?? 0) >= Number(row.version);
  }
  return {
    commandId: row.id,
    type: row.type,
    entityId: row.entity_id,
    status: row.status,
    version: row.version === null ? null : Number(row.version),
    reason:
      row.reason_code === null
        ? null
        : {
            code: row.reason_code,
            message: row.reason_message ?? '',
            ...(row.reason_field ? { field: row.reason_field } : {}),
          },
    visible,
    location: `/commands/${row.id}`,
  };
}
