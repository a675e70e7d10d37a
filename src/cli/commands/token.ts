/**
 * `eventyard token`: a development JWT for the jobs API, signed with
 * EVENTYARD_JWT_SECRET (HS256) and carrying the seed's claims: `tid` (the
 * tenant), `oid` (the client), `sub`, `aud` (EVENTYARD_JWT_AUDIENCE), `iat`
 * and `exp`. Printed alone on stdout, so `TOKEN=$(eventyard token ...)`
 * works.
 */
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.ts';
import { examples } from '../help-text.ts';

const CLAIM = /^[A-Za-z0-9._:@-]{1,200}$/;
const LIFETIME =
  /^\d+\s?(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks)$/;

function claim(name: string, value: string): string {
  if (!CLAIM.test(value)) {
    throw new ValidationError(
      `--${name} must be 1-200 letters, digits or . _ : @ -, got ${JSON.stringify(value)}`,
      { path: name },
    );
  }
  return value;
}

export function tokenCommand(program: Command): void {
  program
    .command('token')
    .summary('print a development JWT for the jobs API')
    .description(
      "Print a JWT for the jobs API (seed 002), signed with EVENTYARD_JWT_SECRET (HS256), with the seed's claims: tid (tenant), oid (client), sub, aud, iat, exp.",
    )
    .requiredOption('--tenant <tid>', 'tenant id (claim tid): whose jobs the token sees')
    .requiredOption('--client <oid>', 'client id (claim oid)')
    .option('--subject <sub>', 'subject (claim sub); default the client id')
    .option('--expires <span>', 'lifetime: 30m, 1h, 7d ...', '1h')
    .addHelpText(
      'after',
      examples(
        'eventyard token --tenant 1 --client 1',
        'TOKEN=$(eventyard token --tenant acme --client ci --expires 15m)',
      ),
    )
    .action(
      async (flags: { tenant: string; client: string; subject?: string; expires: string }) => {
        if (!LIFETIME.test(flags.expires)) {
          throw new ValidationError(
            `--expires must be a number and a unit (s, m, h, d, w), got ${JSON.stringify(flags.expires)}`,
            { path: 'expires' },
          );
        }
        // Loaded on use: see engine-session.ts.
        const { loadJwtConfig, signToken } = await import('../../runtime/jwt.ts');
        const token = await signToken(loadJwtConfig(), {
          tenantId: claim('tenant', flags.tenant),
          clientId: claim('client', flags.client),
          ...(flags.subject === undefined ? {} : { subject: claim('subject', flags.subject) }),
          expiresIn: flags.expires,
        });
        process.stdout.write(`${token}\n`);
      },
    );
}
