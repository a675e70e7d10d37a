/**
 * A small Dockerfile reader for the deploy tests: instructions with their
 * arguments, as BuildKit sees them for the constructs deploy/Dockerfile
 * uses (comments, `\` line continuations, comment lines inside a
 * continuation, exec-form JSON arrays, stages). Heredocs and a changed
 * escape character are not understood and are refused, so a Dockerfile
 * that starts using them fails its test instead of being misread.
 */

export interface DockerInstruction {
  /** Upper-case: FROM, RUN, USER, ... */
  readonly keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  readonly args: string;
  /** 1-based line the instruction starts on. */
  readonly line: number;
}

export interface DockerStage {
  /** The image or stage it builds on. */
  readonly base: string;
  /** `AS name`, if given. */
  readonly name?: string;
  readonly instructions: readonly DockerInstruction[];
}

export function parseDockerfile(text: string): DockerInstruction[] {
  const lines = text.split(/\r?\n/);
  const out: DockerInstruction[] = [];
  let pending: { parts: string[]; line: number } | undefined;
  for (const [index, raw] of lines.entries()) {
    const trimmed = raw.trim();
    if (/^#\s*escape\s*=/i.test(trimmed) && out.length === 0 && !pending) {
      throw new Error(`line ${index + 1}: escape directives are not supported`);
    }
    // Comment lines are dropped, also inside a continuation (as Docker does).
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const continued = /\\$/.test(trimmed);
    const part = continued ? trimmed.slice(0, -1).trim() : trimmed;
    if (pending) pending.parts.push(part);
    else pending = { parts: [part], line: index + 1 };
    if (continued) continue;
    out.push(instructionOf(pending.parts.join(' '), pending.line));
    pending = undefined;
  }
  if (pending) throw new Error(`line ${pending.line}: the last instruction ends with a \\`);
  return out;
}

function instructionOf(text: string, line: number): DockerInstruction {
  const match = /^([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(text);
  if (!match) throw new Error(`line ${line}: not an instruction: ${text}`);
  const args = (match[2] ?? '').trim();
  if (/<<-?\s*["']?[A-Za-z_]/.test(args) && /^(RUN|COPY|ADD)$/i.test(match[1]!)) {
    throw new Error(`line ${line}: heredocs are not supported`);
  }
  return { keyword: match[1]!.toUpperCase(), args, line };
}

/** The instructions split into build stages, in order; the last one is the image. */
export function stagesOf(instructions: readonly DockerInstruction[]): DockerStage[] {
  const stages: Array<{ base: string; name?: string; instructions: DockerInstruction[] }> = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const as = words.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({
        base: words[0]!,
        ...(as > 0 && words[as + 1] ? { name: words[as + 1] } : {}),
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') {
        throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      }
    } else {
      stages[stages.length - 1]!.instructions.push(instruction);
    }
  }
  return stages;
}

/** The JSON array of an exec-form argument (`["node", "x"]`), or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const value: unknown = JSON.parse(args);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error(`not a JSON array of strings: ${args}`);
  }
  return value;
}

/** `--name=value` options at the start of an instruction's arguments, and the rest. */
export function optionsOf(args: string): { options: Map<string, string>; rest: string } {
  const options = new Map<string, string>();
  let rest = args;
  for (;;) {
    const match = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!match) return { options, rest };
    options.set(match[1]!, match[2] ?? '');
    rest = rest.slice(match[0].length);
  }
}
