/**
 * Thumbnails made in a child process at a lower CPU priority. A worker
 * that shares a host with an API (`npm start`) should take only the CPU the
 * API leaves idle; lowering libvips's own threads is not enough, because
 * sharp decodes and encodes on libuv's pool threads, which carry no name to
 * find them by and serve the API's file operations too. A child process
 * lowered at its start (thread-priority.ts: a nice value, and Linux's idle
 * scheduling class) has every one of its threads at that priority, and its
 * own libuv pool. It also keeps a crash of native image code (a hostile
 * file) out of the worker: the images in work fail with a passing error, to
 * be retried, and the next one starts a new child.
 *
 * The child starts at `start()` (or the first image, if that comes first)
 * and lives until `close()`, which lets the images in work finish first;
 * a child that dies is replaced by the next image. It exits by itself when
 * its parent goes (the IPC channel closes).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../../core/errors.ts';
import type { ServiceContext } from '../../runtime/service.ts';
import { ImageError } from './image-error.ts';
import type { ImageReply, ImageRequest } from './image-protocol.ts';
import type { ProcessPriority } from './thread-priority.ts';
import type { Thumbnail } from './thumbnail.ts';
import type { ThumbnailOptions } from './thumbnail-options.ts';

const CHILD = fileURLToPath(new URL('./image-process-child.ts', import.meta.url));
/** tsx by its resolved path, so the child loads TypeScript from any working directory. */
const TSX = import.meta.resolve('tsx');
/** How long `close()` waits for the images in work before it kills the child. */
const CLOSE_GRACE_MS = 10_000;

export interface ImageProcessOptions {
  /** The child's priority (nice 0 and not idle: the parent's). */
  readonly priority: ProcessPriority;
  /** Told when the child could not lower its priority (it works on regardless). */
  readonly onProblem: (message: string) => void;
}

interface Pending {
  readonly resolve: (thumbnail: Thumbnail) => void;
  readonly reject: (error: Error) => void;
}

/** One child and the requests sent to it, answered or failed with it. */
interface Child {
  readonly worker: ChildProcess;
  readonly pending: Map<number, Pending>;
  readonly exited: Promise<unknown>;
  /** Resolves when the child has loaded sharp and lowered its priority; rejects if it ends first. */
  readonly ready: Promise<void>;
  readonly failStart: (error: Error) => void;
  /** Called when the last request in work is answered. */
  onIdle?: () => void;
}

export class ImageProcess {
  readonly #options: ImageProcessOptions;
  #child: Child | undefined;
  #nextId = 0;
  #closed = false;

  constructor(options: ImageProcessOptions) {
    this.#options = options;
  }

  /**
   * As `makeThumbnail`, in the child: rejects with `ImageError` where it
   * would, and with `EngineError` (a passing failure) when the child dies
   * meanwhile. Once `close()` was called, images are made in this process:
   * the host closes its parts before the handlers that are still running.
   */
  makeThumbnail(bytes: Uint8Array, options: Partial<ThumbnailOptions> = {}): Promise<Thumbnail> {
    if (this.#closed) {
      // Loaded only then: a worker's own process need not load sharp for its shutdown.
      return import('./thumbnail.ts').then((image) => image.makeThumbnail(bytes, options));
    }
    const child = this.#child ?? this.#start();
    const request: ImageRequest = { id: this.#nextId++, bytes, options };
    return new Promise<Thumbnail>((resolve, reject) => {
      // In work from now on, for close() too; sent once the child is ready (if it ends first, #ended fails it).
      child.pending.set(request.id, { resolve, reject });
      child.ready.then(
        () => this.#send(child, request),
        () => {},
      );
    });
  }

  #send(child: Child, request: ImageRequest): void {
    if (!child.pending.has(request.id)) return;
    child.worker.send(request, (error) => {
      const waiting = child.pending.get(request.id);
      if (!error || !waiting) return;
      child.pending.delete(request.id);
      waiting.reject(
        new EngineError(`could not hand an image to the image process: ${error.message}`),
      );
      if (child.pending.size === 0) child.onIdle?.();
    });
  }

  /** The child's process id, while one runs. */
  get pid(): number | undefined {
    return this.#child?.worker.pid;
  }

  /**
   * Starts the child now, so its start (loading sharp) is not paid by the
   * first image; resolves when it is ready. Images asked for meanwhile wait
   * for it.
   */
  async start(): Promise<void> {
    if (this.#closed) return;
    await (this.#child ?? this.#start()).ready;
  }

  /** Sends no more images, waits for those in work (at most `graceMs`), then ends the child. */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    this.#closed = true;
    const child = this.#child;
    if (!child) return;
    if (child.pending.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        child.onIdle = resolve;
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer);
    }
    if (child.worker.connected) child.worker.disconnect();
    const killer = setTimeout(() => child.worker.kill('SIGKILL'), 2_000);
    await child.exited;
    clearTimeout(killer);
  }

  #start(): Child {
    const { nice, idle } = this.#options.priority;
    const worker = fork(CHILD, [String(nice), idle ? 'idle' : 'normal'], {
      execArgv: ['--import', TSX],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const pending = new Map<number, Pending>();
    const exited = once(worker, 'exit').catch(() => undefined);
    let ready!: () => void;
    let failed!: (error: Error) => void;
    const started = new Promise<void>((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    started.catch(() => {}); // also seen by whoever awaits it
    const child: Child = { worker, pending, exited, ready: started, failStart: failed };
    worker.on('message', (reply: ImageReply) => {
      if ('ready' in reply) {
        for (const problem of reply.problems) this.#options.onProblem(problem);
        return ready();
      }
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if (pending.size === 0) child.onIdle?.();
      if ('thumbnail' in reply) {
        const { data } = reply.thumbnail;
        waiting.resolve({
          ...reply.thumbnail,
          data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
        });
      } else if (reply.reason) {
        waiting.reject(new ImageError(reply.reason, reply.message));
      } else {
        waiting.reject(new Error(`image process: ${reply.message}`));
      }
    });
    // A child that could not start reports 'error' and may never report 'exit'.
    worker.on('error', (error) => {
      if (worker.pid === undefined) this.#ended(child, `could not start: ${error.message}`);
    });
    worker.on('exit', (code, signal) => {
      this.#ended(child, signal ? `signal ${signal}` : `code ${code}`);
    });
    this.#child = child;
    return child;
  }

  /** Fails what `child` had in work: the next image starts a new child. */
  #ended(child: Child, how: string): void {
    if (this.#child === child) this.#child = undefined;
    child.failStart(new EngineError(`the image process ended (${how}) as it started`));
    for (const waiting of child.pending.values()) {
      waiting.reject(new EngineError(`the image process ended (${how}) with this image in work`));
    }
    child.pending.clear();
    child.onIdle?.();
  }
}

/** The image process of each running service: its subscriptions make images, its `start` starts and closes it. */
const byService = new WeakMap<ServiceContext, ImageProcess>();

/** The image process of the service `context` belongs to (one per service per host), made on first ask. */
export function imageProcessOf(context: ServiceContext, priority: ProcessPriority): ImageProcess {
  let images = byService.get(context);
  if (!images) {
    images = new ImageProcess({ priority, onProblem: (problem) => context.logger.warn(problem) });
    byService.set(context, images);
  }
  return images;
}
