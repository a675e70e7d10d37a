/**
 * The child of ImageProcess: lowers itself to the nice value it is given
 * (argv[2]) and, if argv[3] says `idle`, into the idle scheduling class;
 * makes the thumbnails asked for over IPC, and exits when its parent goes.
 * Several requests may be in work at once; sharp runs them on this
 * process's own libuv pool.
 */
import { describeError } from '../../core/errors.ts';
import { ImageError } from './image-error.ts';
import type { ImageReply, ImageRequest } from './image-protocol.ts';
import { lowerProcess } from './thread-priority.ts';
import { makeThumbnail } from './thumbnail.ts';

const problems = lowerProcess({
  nice: Number(process.argv[2] ?? 0),
  idle: process.argv[3] === 'idle',
});

process.on('message', (request: ImageRequest) => {
  makeThumbnail(request.bytes, request.options).then(
    (thumbnail) => reply({ id: request.id, thumbnail }),
    (error: unknown) =>
      reply(
        error instanceof ImageError
          ? { id: request.id, reason: error.reason, message: error.message }
          : { id: request.id, message: describeError(error) },
      ),
  );
});

function reply(message: ImageReply): void {
  // The parent may be gone meanwhile: then there is no one to answer.
  if (process.connected) process.send?.(message);
}

process.on('disconnect', () => process.exit(0));
reply({ ready: true, problems });
