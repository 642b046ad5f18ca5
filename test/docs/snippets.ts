/**
 * Type-checks the TypeScript blocks of the docs as a reader would run them:
 * each block is a module at the repository root (so `./agents/…` imports
 * resolve as they do for a user there), compiled with the project's
 * tsconfig, all blocks in one compiler Program. The blocks live in memory
 * only: the compiler host serves them at the root, nothing is written.
 *
 * A block that continues the prose (it uses names the text around it
 * defines) is marked by an HTML comment right above its fence, whose lines
 * after the first are TypeScript declaring those names:
 *
 *     <!-- snippet: fragment
 *     import type { Clock } from './infra/time/clock.js';
 *     declare const clock: Clock;
 *     -->
 *     ```ts
 *     …
 *
 * `<!-- snippet: fragment in test/regtest -->` checks the block as a file of
 * that directory (for blocks written for test files, with imports relative
 * to it).
 */
import { dirname, join } from 'node:path';
import ts from 'typescript';

/** One TypeScript block of a document. */
export interface DocSnippet {
  /** The document, relative to the repository root. */
  file: string;
  /** The line of the block's first code line in the document (1-based). */
  line: number;
  code: string;
  /** Declarations the block is checked with (from its `snippet: fragment` comment), or ''. */
  prelude: string;
  /** The directory, relative to the root, the block is checked in ('' for the root). */
  dir: string;
}

const FENCE = /^```(ts|typescript)\s*$/;
const MARKER = /^<!--\s*snippet:\s*fragment(?:\s+in\s+([^\s>]+))?\s*(-->)?$/;

/** Every ```ts block of `markdown`, with the declarations of its fragment comment if it has one. */
export function extractSnippets(markdown: string, file: string): DocSnippet[] {
  const lines = markdown.split('\n');
  const out: DocSnippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE.test(lines[i]!)) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end < 0) throw new Error(`${file}:${i + 1}: the \`\`\`ts block is never closed`);
    out.push({
      file,
      line: i + 2,
      code: lines.slice(i + 1, end).join('\n'),
      ...fragmentAbove(lines, i, file),
    });
    i = end;
  }
  return out;
}

/** The `snippet: fragment` comment ending on the line above the fence `fence`, if any. */
function fragmentAbove(lines: string[], fence: number, file: string): { prelude: string; dir: string } {
  if (!lines[fence - 1]?.trim().endsWith('-->')) return { prelude: '', dir: '' };
  const start = lines.findLastIndex((l, j) => j < fence && l.trim().startsWith('<!--'));
  const marker = MARKER.exec(lines[start]?.trim() ?? '');
  if (!marker) {
    throw new Error(
      `${file}:${start + 1}: a comment right above a \`\`\`ts block must be <!-- snippet: fragment …`,
    );
  }
  const prelude = marker[2] ? '' : lines.slice(start + 1, fence - 1).join('\n');
  return { prelude, dir: marker[1] ?? '' };
}

/** The compiler problems of `snippets`, each as `file:line: message`; [] when all type-check. */
export function checkSnippets(root: string, snippets: DocSnippet[]): string[] {
  const options = projectOptions(root);
  const files = new Map(snippets.map((s, i) => [virtualPath(root, s, i), s]));
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  const sourceOf = (path: string): string | undefined => {
    const s = files.get(path);
    return s && `${s.prelude}\n${s.code}\nexport {};\n`;
  };
  host.fileExists = (path) => files.has(path) || fileExists.call(host, path);
  host.readFile = (path) => sourceOf(path) ?? readFile.call(host, path);
  host.getSourceFile = (path, version, ...rest) => {
    const text = sourceOf(path);
    if (text === undefined) return getSourceFile.call(host, path, version, ...rest);
    return ts.createSourceFile(path, text, version, true);
  };
  const program = ts.createProgram({ rootNames: [...files.keys()], options, host });
  const problems = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  );
  for (const [path, snippet] of files) {
    const source = program.getSourceFile(path)!;
    const diagnostics = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ];
    for (const d of diagnostics) problems.push(located(snippet, d));
  }
  return problems;
}

function projectOptions(root: string): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath)).options;
}

/** Where the compiler sees the block: a file of `dir` no real file is named like. */
function virtualPath(root: string, s: DocSnippet, index: number): string {
  const name = `${s.file.replace(/[^A-Za-z0-9]+/g, '_')}_L${s.line}_${index}.doc-snippet.ts`;
  return ts.sys.resolvePath(join(root, s.dir, name)).replaceAll('\\', '/');
}

/** `d` at its line of the document (the source is the prelude's lines, then the block's). */
function located(snippet: DocSnippet, d: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return `${snippet.file}:${snippet.line}: ${message}`;
  const at = d.file.getLineAndCharacterOfPosition(d.start).line;
  const preludeLines = snippet.prelude.split('\n').length;
  if (at < preludeLines) return `${snippet.file}:${snippet.line}: in the fragment's declarations: ${message}`;
  return `${snippet.file}:${snippet.line + at - preludeLines}: ${message}`;
}
