/**
 * @module test/support/containerfile
 * A small Containerfile (Dockerfile) reader: instructions with their line continuations joined, grouped in
 * build stages, with the global ARG defaults substituted into FROM. Enough to check the image's rules without
 * a container engine; not a full parser (no heredocs, no escape directive).
 */

/** One instruction, e.g. `{ keyword: 'RUN', args: 'npm ci', line: 12 }`. */
export interface Instruction {
  keyword: string;
  args: string;
  /** 1-based line of the instruction's first line. */
  line: number;
}

/** One build stage: its FROM (with ARGs substituted), its name, and its instructions after FROM. */
export interface Stage {
  /** The image or earlier stage it starts from, ARGs substituted. */
  from: string;
  /** `AS name`, or null. */
  name: string | null;
  instructions: Instruction[];
}

/** A parsed Containerfile. */
export interface Containerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Map<string, string>;
  stages: Stage[];
}

/** Splits the text into instructions, joining `\` continuations and dropping comments and blank lines. */
export function readInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  let current: { parts: string[]; line: number } | null = null;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (current === null && (trimmed === '' || trimmed.startsWith('#'))) return;
    // Comment lines inside a continued instruction are skipped, as the builders do.
    if (current !== null && trimmed.startsWith('#')) return;
    const continues = /\\\s*$/.test(raw);
    const content = continues ? raw.replace(/\\\s*$/, '') : raw;
    if (current === null) current = { parts: [], line: index + 1 };
    current.parts.push(content.trim());
    if (!continues) {
      const joined = current.parts.filter((p) => p !== '').join(' ');
      const match = /^(\S+)\s*(.*)$/s.exec(joined);
      if (match)
        instructions.push({
          keyword: (match[1] ?? '').toUpperCase(),
          args: (match[2] ?? '').trim(),
          line: current.line,
        });
      current = null;
    }
  });
  return instructions;
}

/** Replaces `${NAME}` and `$NAME` with the given values; unknown names stay as they are. */
export function substitute(value: string, vars: Map<string, string>): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      return vars.get(name) ?? whole;
    },
  );
}

/** Parses `NAME=value` (or `NAME`) of an ARG instruction. */
function parseArg(args: string): [string, string] {
  const [name = '', ...rest] = args.split('=');
  return [
    name.trim(),
    rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1'),
  ];
}

/**
 * Parses a Containerfile into its global ARGs and stages.
 * @example const file = parseContainerfile(readFileSync('deploy/Containerfile', 'utf8'));
 */
export function parseContainerfile(text: string): Containerfile {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of readInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({
        from: substitute(words[0] ?? '', globalArgs),
        name: asIndex >= 0 ? (words[asIndex + 1] ?? null) : null,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') {
        const [name, value] = parseArg(instruction.args);
        globalArgs.set(name, value);
      }
    } else {
      stages[stages.length - 1]?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** `KEY=value` pairs of an ENV or LABEL instruction (also the legacy `ENV KEY value` form). */
export function keyValues(args: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (!args.includes('=')) {
    const [key = '', ...rest] = args.split(/\s+/);
    return [[key, rest.join(' ')]];
  }
  const pattern = /([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const match of args.matchAll(pattern)) {
    pairs.push([match[1] ?? '', (match[2] ?? '').replace(/^"(.*)"$/s, '$1')]);
  }
  return pairs;
}

/**
 * Splits an image reference into name, tag and digest.
 * @example splitImage('docker.io/library/node:20.20.2-slim') // { name: 'docker.io/library/node', tag: '20.20.2-slim', digest: null }
 */
export function splitImage(reference: string): { name: string; tag: string | null; digest: string | null } {
  const [withoutDigest = '', digest = null] = reference.split('@');
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  if (colon < 0) return { name: withoutDigest, tag: null, digest };
  return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
}
