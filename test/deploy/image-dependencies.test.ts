/**
 * The image installs `npm ci --omit=dev`, so every package that src/ and
 * bin/ load at run time must be a dependency, not a devDependency: else
 * the container fails on first use of that engine (`EVENTYARD_BROKER=nats://`
 * with @nats-io/* only in devDependencies, say) while every test passes.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { REPO } from './deploy-files.ts';

// Runtime imports: `import x from`, `import { a, type B } from`, `export ... from`,
// side-effect `import 'x'`, and `import('x')`. `import type` / `export type` are erased.
const STATIC = /(?:^|\n)\s*(import|export)\s+(?!type\s)([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g;
const SIDE_EFFECT = /(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Package names a source file loads at run time. */
function runtimePackagesOf(text: string): string[] {
  const specifiers = [
    ...[...text.matchAll(STATIC)].map((m) => m[3]!),
    ...[...text.matchAll(SIDE_EFFECT)].map((m) => m[1]!),
    ...[...text.matchAll(DYNAMIC)].map((m) => m[1]!),
  ];
  const packages = specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('/') && !s.startsWith('node:'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!))
    .filter((name) => !builtinModules.includes(name));
  return [...new Set(packages)];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

describe('packages the image needs', () => {
  test('the import reader sees runtime imports and skips type-only ones', () => {
    const text = [
      "import assert from 'node:assert';",
      "import fs from 'fs';",
      "import type { A } from 'only-types';",
      "export type { B } from 'more-types';",
      "import { type C, d } from 'mixed';",
      'import {',
      '  e,',
      '  f,',
      "} from '@scope/multi-line/sub';",
      "import 'side-effect';",
      "export { g } from 're-exported';",
      "const h = await import('lazy/deep/path');",
      "import { i } from '../relative.ts';",
    ].join('\n');
    assert.deepEqual(runtimePackagesOf(text).sort(), [
      '@scope/multi-line',
      'lazy',
      'mixed',
      're-exported',
      'side-effect',
    ]);
  });

  test('every package src/ and bin/ load at run time is in dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const dependencies = new Set(Object.keys(manifest.dependencies ?? {}));
    const missing: string[] = [];
    for (const file of [...sourceFiles(join(REPO, 'src')), ...sourceFiles(join(REPO, 'bin'))]) {
      for (const name of runtimePackagesOf(readFileSync(file, 'utf8'))) {
        if (!dependencies.has(name)) missing.push(`${name} (imported by ${relative(REPO, file)})`);
      }
    }
    assert.deepEqual(
      missing,
      [],
      'move these to "dependencies" in package.json: the image installs with --omit=dev',
    );
  });
});
