/**
 * The events API: topics, groups, history, publishing and dead letters over
 * the broker, for curl, scripts and the web console. Every input is
 * validated here; the broker validates again what it is given.
 *
 *   GET  /api/topics
 *   GET  /api/groups[?topic=]
 *   GET  /api/topics/:topic/events?from=earliest|latest|<offset>|<ISO time>&limit=
 *   POST /api/topics/:topic/events[?type=&source=&subject=&key=&delayMs=]
 *   GET  /api/topics/:topic/dead-letters[?group=&limit=]
 *   POST /api/topics/:topic/dead-letters/replay   {group?, ids?, fromOffset?}
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Broker } from '../core/broker.ts';
import { ValidationError } from '../core/errors.ts';
import { parsePosition } from '../core/position.ts';
import { isDeadLetterTopic, validateGroupName, validateTopicName } from '../core/topic.ts';
import type { StoredEvent } from '../core/transport.ts';
import { eventsFromRequest } from './cloudevents-http.ts';
import { parseInput } from './http-input.ts';

/** Events or dead letters one GET returns: default and most. */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1_000;
/** Ids one replay request may name. */
export const MAX_REPLAY_IDS = 10_000;

const limit = z.coerce.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE);
const groupName = z.string().refine(isValidGroupName, 'is not a valid group name');

const topicParams = z.object({ topic: z.string() });
const groupsQuery = z.object({ topic: z.string().optional() });
const readQuery = z.object({ from: z.string().default('earliest'), limit });
const publishQuery = z.object({
  type: z.string().min(1).max(256).optional(),
  source: z.string().min(1).max(1024).optional(),
  subject: z.string().max(1024).optional(),
  key: z.string().max(1024).optional(),
  delayMs: z.coerce.number().int().min(0).optional(),
});
const deadLettersQuery = z.object({ group: groupName.optional(), limit });
const replayBody = z
  .object({
    group: groupName.optional(),
    ids: z.array(z.string().min(1)).max(MAX_REPLAY_IDS).optional(),
    fromOffset: z.number().int().min(0).optional(),
  })
  .strict();

export interface EventsApiOptions {
  readonly broker: Broker;
}

export async function eventsApi(
  http: FastifyInstance,
  { broker }: EventsApiOptions,
): Promise<void> {
  http.get('/api/topics', async () => ({ topics: await broker.topics() }));

  http.get('/api/groups', async (request) => {
    const { topic } = parseInput(groupsQuery, request.query, 'query');
    if (topic !== undefined) validateTopicName(topic);
    return { groups: await broker.groups(topic) };
  });

  http.get('/api/topics/:topic/events', async (request) => {
    const topic = topicOf(request.params);
    const query = parseInput(readQuery, request.query, 'query');
    const events: StoredEvent[] = [];
    for await (const stored of broker.read(topic, {
      from: parsePosition(query.from),
      limit: query.limit,
    })) {
      events.push(stored);
    }
    const last = events.at(-1);
    return { topic, events, next: last === undefined ? null : last.offset + 1 };
  });

  http.get('/api/topics/:topic/dead-letters', async (request) => {
    const topic = topicOf(request.params);
    const query = parseInput(deadLettersQuery, request.query, 'query');
    const deadLetters = await broker.deadLetters.list(topic, {
      group: query.group,
      limit: query.limit,
    });
    return { topic, deadLetters };
  });

  http.post('/api/topics/:topic/dead-letters/replay', async (request) => {
    const topic = topicOf(request.params);
    const query = parseInput(replayBody, request.body, 'body');
    return { replayed: await broker.deadLetters.replay(topic, query) };
  });

  await http.register(publishRoute, { broker });
}

/** Publishing reads every CloudEvents content mode, so its scope takes raw bodies. */
async function publishRoute(scope: FastifyInstance, { broker }: EventsApiOptions): Promise<void> {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  scope.post('/api/topics/:topic/events', async (request, reply) => {
    const topic = topicOf(request.params);
    if (isDeadLetterTopic(topic)) {
      throw new ValidationError(
        `${topic} is a dead-letter topic, written by the broker; publish to its topic, or replay`,
        { path: 'topic' },
      );
    }
    const query = parseInput(publishQuery, request.query, 'query');
    const events = eventsFromRequest({
      headers: request.headers,
      body: Buffer.isBuffer(request.body) ? request.body : undefined,
      query,
    });
    const receipt = await broker.publish(topic, events, { delayMs: query.delayMs });
    reply.code(201);
    return { offsets: receipt.offsets, ids: events.map((event) => event.id) };
  });
}

function topicOf(params: unknown): string {
  return validateTopicName(parseInput(topicParams, params, 'params').topic);
}

function isValidGroupName(name: string): boolean {
  try {
    validateGroupName(name);
    return true;
  } catch {
    return false;
  }
}
