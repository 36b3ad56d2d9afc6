/**
 * @module app/operator-commands
 * Operator commands of `mlaas-helper`: `reconcile [--dry-run]` enforces key deadlines and offboarding once (for
 * a Kubernetes CronJob, or by hand), and `audit` prints the history of key events of every user (or one).
 */
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { AUDIT_DATABASE_FILE, openAuditStore } from '../audit/sqlite-audit-store.js';
import { eventFields, type KeyEvent } from '../audit/audit-log.js';
import { ConfigError, dataLocations, loadConfig, type Env } from '../config/load-config.js';
import { isHelperError } from '../errors/helper-error.js';
import { createLogger } from '../log/logger.js';
import type { OffboardingReport } from '../provisioning/offboarding.js';

export interface OperatorIo {
  env: Env;
  stdout: Writable;
  stderr: Writable;
}

export const OPERATOR_USAGE = `       mlaas-helper reconcile [--dry-run] [--json]
       mlaas-helper audit [--user ID] [--limit N] [--before ID] [--json]`;

/** Runs `reconcile` or `audit`; resolves with the exit code. */
export async function runOperatorCommand(argv: string[], io: OperatorIo): Promise<number> {
  try {
    if (argv[0] === 'reconcile') return await reconcile(argv.slice(1), io);
    return await audit(argv.slice(1), io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`mlaas-helper: ${error.message}\n`);
      return 78;
    }
    if (isHelperError(error)) {
      io.stderr.write(`mlaas-helper: ${error.message} (${error.code})\n`);
      return 1;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`mlaas-helper: ${error.message}\n\nUsage:\n${OPERATOR_USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

async function reconcile(argv: string[], io: OperatorIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
    strict: true,
  });
  const config = loadConfig(io.env, { warn: (message) => io.stderr.write(`mlaas-helper: warning: ${message}\n`) });
  const { createHelper } = await import('./create-helper.js');
  // Log lines (one per key event) go to stderr, so stdout carries only the report.
  const helper = await createHelper(config, {
    logger: createLogger({ level: config.logLevel, destination: io.stderr }),
    defaultMetrics: false,
  });
  try {
    const report = await helper.reconcile({ dryRun: values['dry-run'] === true });
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(report)}\n`);
    } else if (report.dryRun) {
      io.stdout.write(`${report.due} item(s) due; nothing changed (dry run).\n`);
      for (const item of report.planned) {
        // A duplicate names the application that would be removed (the pair's older one is kept).
        const removes = item.kind === 'duplicate' ? `  remove application ${item.applicationId}` : '';
        io.stdout.write(
          `  ${item.at}  ${item.kind.padEnd(11)}  ${item.serviceId}  ${item.userId}  ${item.keyPreview}${removes}\n`,
        );
      }
    } else {
      io.stdout.write(
        `${report.due} due, ${report.done} done, ${report.failed} failed, ${report.skipped} already done.\n`,
      );
    }
    const off = report.offboarding;
    if (values.json !== true && off !== null) writeOffboarding(off, io.stdout);
    const offFailed = off !== null && (off.failed > 0 || off.directoryError !== null || off.backendError !== null);
    return report.failed > 0 || offFailed ? 1 : 0;
  } finally {
    await helper.close();
  }
}

function writeOffboarding(report: OffboardingReport, out: Writable): void {
  if (report.backendError !== null) {
    out.write(`Offboarding: the key holders could not be listed: ${report.backendError}; the next run tries again.\n`);
  }
  if (report.directoryError !== null) {
    out.write(
      `Offboarding: the directory (${report.directory}) could not be read: ${report.directoryError}; ` +
        'nothing was suspended for the people not yet checked; the next run tries again.\n',
    );
  }
  out.write(
    report.dryRun
      ? `Offboarding: ${report.holders} key holder(s) checked; ${report.planned.length} change(s) planned; nothing changed (dry run).\n`
      : `Offboarding: ${report.holders} key holder(s) checked; ${report.suspended} suspended, ${report.resumed} resumed, ` +
          `${report.planChanges} moved to another plan, ${report.failed} failed.\n`,
  );
  if (!report.dryRun) return;
  for (const item of report.planned) {
    out.write(`  ${item.action.padEnd(11)}  ${item.serviceId}  ${item.userId}  ${item.reason}\n`);
  }
}

async function audit(argv: string[], io: OperatorIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      user: { type: 'string' },
      limit: { type: 'string' },
      before: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  const before = values.before === undefined ? undefined : Number(values.before);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) {
    io.stderr.write('mlaas-helper: --limit must be a whole number from 1 to 10000\n');
    return 2;
  }
  if (before !== undefined && (!Number.isSafeInteger(before) || before < 1)) {
    io.stderr.write('mlaas-helper: --before must be an event id (a positive whole number)\n');
    return 2;
  }
  const store = openAuditStore(join(dataLocations(io.env).dataDir, AUDIT_DATABASE_FILE));
  try {
    const events = await store.list({
      limit,
      ...(values.user === undefined ? {} : { userId: values.user }),
      ...(before === undefined ? {} : { before }),
    });
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(events.map(toJson))}\n`);
    } else {
      for (const event of events) io.stdout.write(`${line(event)}\n`);
      if (events.length === 0) io.stdout.write('No key events.\n');
    }
    return 0;
  } finally {
    await store.close();
  }
}

function toJson(event: KeyEvent) {
  return { id: event.id, ...eventFields(event) };
}

function line(event: KeyEvent): string {
  return [
    String(event.id).padStart(6),
    event.at.toISOString(),
    event.event.padEnd(11),
    event.outcome.padEnd(7),
    event.userId,
    event.serviceId,
    event.keyPreview ?? '-',
    event.origin.clientAddress ?? '-',
    event.origin.client ?? '-',
    event.detail ?? '',
  ].join('  ');
}
