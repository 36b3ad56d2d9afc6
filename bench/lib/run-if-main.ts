/**
 * @module bench/lib/run-if-main
 * Runs a benchmark's `main` when its file is the script node was started with (`node --import tsx
 * bench/<name>.ts`), and not when `bench/run.ts` imports it.
 */
import { pathToFileURL } from 'node:url';

/**
 * Calls `main` with the command-line arguments when `moduleUrl` is node's entry script; a failure is printed
 * on stderr and sets exit code 1.
 * @example runIfMain(import.meta.url, main);
 */
export function runIfMain(moduleUrl: string, main: (argv: string[]) => Promise<void>): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
