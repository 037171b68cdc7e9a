// The database on CPUs of its own: the first half of the machine's CPUs for the PostgreSQL server
// (the postmaster and every process it has or will fork), the other half for the backend, the
// load generator and pgbench's client. On one small machine this stands in for a database server
// of its own: the full stack's Node processes no longer take CPU time from the database, so
// "full stack / one statement" measures how much of the database's capacity the stack can use.
// Set with taskset(1), which needs the right to change the server's processes (root, or the same
// user); the affinity is given back to all CPUs afterwards.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export interface CpuSplit {
  /** e.g. "database on CPU 0, the rest on CPU 1" */
  description: string;
  /** Moves the database server's processes, and these other processes, onto their CPUs. */
  apply(otherPids: readonly number[]): void;
  /** All CPUs for everything it moved (and for the postmaster's future children). */
  restore(): void;
}

function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function pin(pid: number, cpus: string): void {
  try {
    execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus, String(pid)], {
      stdio: 'ignore',
    });
  } catch {
    // a process that ended meanwhile; a refusal is caught by the check in splitCpus
  }
}

const list = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);

/**
 * A split for the PostgreSQL server whose postmaster is `postmaster`, or the reason there is
 * none (one CPU, no taskset, not allowed to change the server's processes).
 */
export function splitCpus(postmaster: number | null): CpuSplit | string {
  const count = os.cpus().length;
  if (count < 2) return 'one CPU';
  if (postmaster === null) return "the database server's processes cannot be read from here";
  try {
    execFileSync('taskset', ['--pid', String(postmaster)], { stdio: 'ignore' });
  } catch {
    return 'taskset is missing or may not change the database server';
  }
  const half = Math.floor(count / 2);
  const database = list(0, half - 1);
  const rest = list(half, count - 1);
  const all = list(0, count - 1);
  const moved = new Set<number>();
  return {
    description:
      `database on CPU ${database}, the backend, the load generator and pgbench's client ` +
      `on CPU ${rest}`,
    apply(otherPids) {
      for (const pid of [postmaster, ...childrenOf(postmaster)]) {
        pin(pid, database);
        moved.add(pid);
      }
      for (const pid of otherPids) {
        pin(pid, rest);
        moved.add(pid);
      }
    },
    restore() {
      for (const pid of [...moved, ...childrenOf(postmaster)]) pin(pid, all);
      moved.clear();
    },
  };
}
