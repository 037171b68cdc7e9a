// PostgreSQL's standard high-availability stack on loopback ports, started by the test itself:
// etcd, three Patroni-managed PostgreSQL 15 nodes with strict synchronous replication, and HAProxy
// routing to the primary (Patroni's REST API says which). All Debian packages; the settings are
// the ones known to work on this kind of machine (../shared/background/postgres-ha.md).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/db/embedded.ts';
import { givePostgres, PG15_BIN } from '../helpers/pg-cluster.ts';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export function haStackMissing(): string | null {
  for (const binary of ['/usr/bin/etcd', '/usr/bin/patroni', '/usr/sbin/haproxy']) {
    if (!fs.existsSync(binary))
      return `${binary} is missing (apt-get install etcd-server patroni haproxy)`;
  }
  if (!fs.existsSync(path.join(PG15_BIN, 'postgres'))) return `no PostgreSQL 15 in ${PG15_BIN}`;
  return null;
}

export interface HaNode {
  name: string;
  pgPort: number;
  restPort: number;
  dataDir: string;
}

export interface ClusterMember {
  name: string;
  role: string;
  state: string;
  lag?: number | string;
}

export interface HaStack {
  /** Through HAProxy: always the primary. */
  url: string;
  nodes: HaNode[];
  members(): Promise<ClusterMember[]>;
  leader(): Promise<HaNode>;
  postmasterPid(node: HaNode): number;
  logs(): string;
  stop(): Promise<void>;
}

interface Started {
  name: string;
  child: ChildProcess;
  log: string[];
}

function start(name: string, command: string, args: string[], asPostgres: boolean): Started {
  const [file, argv]: [string, string[]] =
    asPostgres && isRoot
      ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
      : [command, args];
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(chunk.toString());
    if (log.length > 400) log.splice(0, 100);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { name, child, log };
}

async function until<T>(what: string, probe: () => Promise<T | null>, deadlineMs: number) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function patroniConfig(root: string, scope: string, etcdPort: number, node: HaNode): string {
  return `scope: ${scope}
namespace: /couponscan-test/
name: ${node.name}
restapi:
  listen: 127.0.0.1:${node.restPort}
  connect_address: 127.0.0.1:${node.restPort}
etcd3:
  hosts: 127.0.0.1:${etcdPort}
bootstrap:
  dcs:
    ttl: 15
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    synchronous_mode_strict: true
    primary_start_timeout: 0
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_log_hints: 'on'
        wal_retrieve_retry_interval: 500ms
        max_connections: 100
        hot_standby: 'on'
  initdb:
    - encoding: UTF8
postgresql:
  listen: 127.0.0.1:${node.pgPort}
  connect_address: 127.0.0.1:${node.pgPort}
  data_dir: ${node.dataDir}
  bin_dir: ${PG15_BIN}
  pgpass: ${path.join(root, node.name, 'pgpass')}
  authentication:
    replication:
      username: replicator
      password: replicator-password
    superuser:
      username: postgres
      password: postgres-password
    rewind:
      username: rewinder
      password: rewinder-password
  parameters:
    unix_socket_directories: '${path.join(root, node.name)}'
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
tags:
  nofailover: false
  noloadbalance: false
`;
}

function haproxyConfig(port: number, nodes: HaNode[]): string {
  return `global
  maxconn 2000
defaults
  mode tcp
  timeout connect 2s
  timeout client 30m
  timeout server 30m
  timeout check 2s
listen primary
  bind 127.0.0.1:${port}
  option httpchk OPTIONS /primary
  http-check expect status 200
  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
${nodes.map((n) => `  server ${n.name} 127.0.0.1:${n.pgPort} maxconn 200 check port ${n.restPort}`).join('\n')}
`;
}

export async function startHaStack(): Promise<HaStack> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'couponscan-ha-'));
  fs.chmodSync(root, 0o755);
  givePostgres(root);
  const started: Started[] = [];
  const scope = `couponscan-${randomBytes(4).toString('hex')}`;
  const etcdPort = await freePort();
  const etcdPeerPort = await freePort();
  const nodes: HaNode[] = [];
  for (const name of ['node1', 'node2', 'node3']) {
    fs.mkdirSync(path.join(root, name), { mode: 0o700 });
    givePostgres(path.join(root, name));
    nodes.push({
      name,
      pgPort: await freePort(),
      restPort: await freePort(),
      dataDir: path.join(root, name, 'data'),
    });
  }
  const haproxyPort = await freePort();

  const stop = async () => {
    // HAProxy first, then Patroni (which stops its PostgreSQL), then etcd
    for (const process_ of [...started].reverse()) {
      const { child } = process_;
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    // a postmaster left behind by a killed Patroni
    for (const node of nodes) {
      try {
        const pid = Number(
          fs.readFileSync(path.join(node.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
        );
        if (pid > 0) process.kill(pid, 'SIGKILL');
      } catch {
        // none
      }
    }
    fs.rmSync(root, { recursive: true, force: true });
  };

  try {
    const etcdDir = path.join(root, 'etcd');
    started.push(
      start(
        'etcd',
        '/usr/bin/etcd',
        [
          '--name=etcd1',
          `--data-dir=${etcdDir}`,
          `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
          `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
          `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
          `--initial-cluster=etcd1=http://127.0.0.1:${etcdPeerPort}`,
          '--enable-v2=false',
        ],
        false,
      ),
    );
    await until(
      'etcd',
      async () => ((await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok ? true : null),
      60_000,
    );
    for (const node of nodes) {
      const file = path.join(root, `${node.name}.yml`);
      fs.writeFileSync(file, patroniConfig(root, scope, etcdPort, node), { mode: 0o644 });
      started.push(start(`patroni ${node.name}`, '/usr/bin/patroni', [file], true));
      if (node === nodes[0]) {
        // the first node bootstraps; the others clone it once it leads
        await until(
          'the first node to lead',
          async () => ((await fetch(`http://127.0.0.1:${node.restPort}/primary`)).ok ? true : null),
          120_000,
        );
      }
    }
    const cfg = path.join(root, 'haproxy.cfg');
    fs.writeFileSync(cfg, haproxyConfig(haproxyPort, nodes));
    started.push(start('haproxy', '/usr/sbin/haproxy', ['-db', '-f', cfg], false));

    const stack: HaStack = {
      url: `postgres://postgres@127.0.0.1:${haproxyPort}/postgres`,
      nodes,
      members: async () => {
        for (const node of nodes) {
          try {
            const response = await fetch(`http://127.0.0.1:${node.restPort}/cluster`, {
              signal: AbortSignal.timeout(2_000),
            });
            if (response.ok)
              return ((await response.json()) as { members: ClusterMember[] }).members;
          } catch {
            // try the next node
          }
        }
        return [];
      },
      leader: async () => {
        const leader = (await stack.members()).find(
          (m) => m.role === 'leader' && m.state === 'running',
        );
        const node = nodes.find((n) => n.name === leader?.name);
        if (node === undefined) throw new Error('no leader');
        return node;
      },
      postmasterPid: (node) =>
        Number(fs.readFileSync(path.join(node.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]),
      logs: () => started.map((s) => `--- ${s.name}\n${s.log.join('').slice(-4000)}`).join('\n'),
      stop,
    };
    // a leader, a synchronous standby and a third replica, all running
    await until(
      'three running nodes with a synchronous standby',
      async () => {
        const members = await stack.members();
        const running = members.filter((m) => m.state === 'running' || m.state === 'streaming');
        return running.length === 3 &&
          members.some((m) => m.role === 'leader') &&
          members.some((m) => m.role === 'sync_standby')
          ? true
          : null;
      },
      180_000,
    );
    return stack;
  } catch (error) {
    const logs = started.map((s) => `--- ${s.name}\n${s.log.join('').slice(-3000)}`).join('\n');
    await stop();
    throw new Error(`the HA stack did not start: ${String(error)}\n${logs}`);
  }
}
