/**
 * Finds the `npm run …`, `npm test`, `npm start` and `npx …` commands written
 * in markdown (fenced shell blocks and inline code) and checks each against
 * what the project accepts: the script exists in package.json, and for a
 * `tsx` entry point its subcommand, flags and word arguments are ones its
 * `--help` lists; `npx vitest run` filters match a test file; any other `npx`
 * binary is installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One command as written in a document. */
export interface DocCommand {
  file: string;
  line: number;
  text: string;
}

const COMMAND_START = /\b(npm run |npm test\b|npm start\b|npx )/g;

/** Every command in `markdown`, from fenced blocks (line by line) and inline code spans. */
export function extractCommands(markdown: string, file: string): DocCommand[] {
  const out: DocCommand[] = [];
  const lines = markdown.split('\n');
  let fence = false;
  const prose: { line: number; text: string }[] = [];
  lines.forEach((text, i) => {
    if (text.trimStart().startsWith('```')) fence = !fence;
    else if (fence) {
      for (const cmd of commandsIn(stripComment(text))) out.push({ file, line: i + 1, text: cmd });
    } else prose.push({ line: i + 1, text });
  });
  // Inline code may wrap across lines of a paragraph: join the prose, remembering where each line starts.
  let joined = '';
  const starts: number[] = [];
  for (const p of prose) {
    starts.push(joined.length);
    joined += p.text + '\n';
  }
  for (const m of joined.matchAll(/(`+)([^`]+?)\1/g)) {
    const lineIndex = starts.findLastIndex((s) => s <= m.index);
    const code = m[2]!.replace(/\s+/g, ' ').trim();
    for (const cmd of commandsIn(code)) out.push({ file, line: prose[lineIndex]!.line, text: cmd });
  }
  return out.sort((a, b) => a.line - b.line);
}

function stripComment(line: string): string {
  const tokens = line.replace(/^\s*\$ /, '');
  const hash = tokens.search(/(^|\s)#/);
  return hash >= 0 ? tokens.slice(0, hash) : tokens;
}

/** The commands in one shell line: each `&&`/`;` segment that runs npm or npx (`|` is left alone: usage lines use it for alternatives). */
function commandsIn(line: string): string[] {
  const out: string[] = [];
  for (const segment of splitSegments(line)) {
    COMMAND_START.lastIndex = 0;
    const m = COMMAND_START.exec(segment);
    if (m) out.push(segment.slice(m.index).trim());
  }
  return out;
}

function splitSegments(line: string): string[] {
  const out: string[] = [];
  let quote = '';
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === ';' || (ch === '&' && line[i + 1] === '&')) {
      out.push(cur);
      cur = '';
      if (ch === '&') i++;
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

/** Splits a command into words: quotes group and are removed, `<placeholders>` and `[`/`]` and `…` dropped. */
export function words(command: string): string[] {
  const cleaned = command.replace(/<[^>]*>/g, ' ').replace(/…/g, ' ');
  const out: string[] = [];
  for (const m of cleaned.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) {
    const word = m[1] ?? m[2] ?? m[3]!.replace(/[[\]]/g, '');
    if (word !== '') out.push(word);
  }
  return out;
}

/** What the checker needs to know about the project. */
export interface Project {
  root: string;
  scripts: Record<string, string>;
}

/** The problems with one command (empty when it runs as written). */
export function checkCommand(command: string, project: Project): string[] {
  const w = words(command);
  if (w[0] === 'npm' && (w[1] === 'test' || w[1] === 'start')) return checkScript(w[1], w.slice(2), project);
  if (w[0] === 'npm' && w[1] === 'run') {
    const dash = w.indexOf('--');
    return checkScript(w[2] ?? '', dash >= 0 ? w.slice(dash + 1) : w.slice(3), project);
  }
  if (w[0] === 'npx') return checkNpx(w[1] ?? '', w.slice(2), project);
  return [`not an npm or npx command: ${command}`];
}

function checkScript(name: string, args: string[], project: Project): string[] {
  const script = project.scripts[name];
  if (script === undefined) return [`package.json has no script "${name}"`];
  // `tsx file.ts …`, or `node [V8/Node flags] --import tsx file.ts …` (the same run with node options),
  // either one after `exec` (the shell hands over to it, so npm's signals reach the program).
  const m = /^(?:exec )?(?:tsx|node(?: --[\w-]+(?:=\S+)?)* --import tsx) (\S+\.ts)((?: \S+)*)$/.exec(script);
  if (!m) return args.length ? [`"${name}" runs "${script}", which takes no arguments from the docs`] : [];
  return checkTsx(m[1]!, [...words(m[2] ?? ''), ...args], project);
}

function checkNpx(bin: string, args: string[], project: Project): string[] {
  if (bin === 'tsx') return checkTsx(args[0] ?? '', args.slice(1), project);
  if (bin === 'vitest') return checkVitest(args, project);
  return existsSync(join(project.root, 'node_modules', '.bin', bin)) ? [] : [`npx ${bin}: not installed`];
}

const helpCache = new Map<string, { status: number | null; text: string }>();

/** `node --import tsx <file> [sub] --help`, once per file and subcommand. */
export function help(project: Project, file: string, sub?: string): { status: number | null; text: string } {
  const key = `${file} ${sub ?? ''}`;
  let h = helpCache.get(key);
  if (!h) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...(sub ? [sub] : []), '--help'], {
      cwd: project.root,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    h = { status: r.status, text: `${r.stdout}\n${r.stderr}` };
    helpCache.set(key, h);
  }
  return h;
}

function checkTsx(file: string, args: string[], project: Project): string[] {
  if (!existsSync(join(project.root, file))) return [`${file} does not exist`];
  const top = help(project, file);
  if (top.status !== 0) return [`${file} --help exits ${top.status}: ${top.text.trim().slice(0, 200)}`];
  let rest = args;
  let text = top.text;
  const first = args[0];
  if (first !== undefined && !first.startsWith('-') && !isValueLike(first)) {
    if (!hasWord(top.text, first)) return [`${file}: "${first}" is not a command its --help lists`];
    const sub = help(project, file, first);
    if (sub.status !== 0) return [`${file} ${first} --help exits ${sub.status}`];
    text = `${top.text}\n${sub.text}`;
    rest = args.slice(1);
  }
  return checkArgs(rest, text, `${file}${first && rest !== args ? ` ${first}` : ''}`);
}

function checkArgs(args: string[], helpText: string, where: string): string[] {
  const problems: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('-')) {
      const flag = arg.split('=')[0]!;
      if (!new RegExp(`(^|[\\s[,(])${escape(flag)}(?![\\w-])`, 'm').test(helpText))
        problems.push(`${where}: --help does not list ${flag}`);
      else if (!arg.includes('=') && takesValue(helpText, flag)) i++;
    } else if (!isValueLike(arg) && !hasWord(helpText, arg))
      problems.push(`${where}: --help does not mention "${arg}"`);
  }
  return problems;
}

/** A flag takes a value when its --help line shows one (`--seed N   seed`, `--header 'K: V'   …`). */
function takesValue(helpText: string, flag: string): boolean {
  return new RegExp(`${escape(flag)} ('[^']*'|[^\\s-]\\S*)(\\s{2,}|\\s*$|\\])`, 'm').test(helpText);
}

/** Paths, URLs, numbers and key=value words are data, not vocabulary the help must list. */
function isValueLike(word: string): boolean {
  return /[/.:=]/.test(word) || /^\d+$/.test(word);
}

function hasWord(text: string, word: string): boolean {
  return new RegExp(`(^|[^\\w-])${escape(word)}(?![\\w-])`).test(text);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `npx vitest run <filters>`: every filter must match the path of at least one test file. */
function checkVitest(args: string[], project: Project): string[] {
  if (args[0] !== 'run') return [`npx vitest ${args[0] ?? ''}: the docs use "vitest run"`];
  const files = testFiles(join(project.root, 'test')).map((f) => relative(project.root, f));
  return args
    .slice(1)
    .filter((a) => !a.startsWith('-'))
    .filter((filter) => !files.some((f) => f.includes(filter)))
    .map((filter) => `npx vitest run ${filter}: no test file matches`);
}

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'bench' ? [] : testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}
