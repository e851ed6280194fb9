#!/usr/bin/env node
// A provider script for a HostPool with `provider: { type: script }`: the
// shape of a bridge to any cloud CLI. prodeng runs `local-cloud.mjs OPERATION`
// with one JSON request on stdin and reads one JSON answer on stdout; a
// non-zero exit with a reason on stderr is a failure it records and escalates.
//
// This one "provisions" a small HTTP server on this machine, so it can be
// tried without a cloud account. Replace the bodies of the operations with
// calls to your cloud's CLI (aws ec2 run-instances, gcloud compute instances
// create, …) and answer the same JSON.
//
//   provision    {"host","pool","service","cluster","labels"} -> {"address":"host:port","ref":"id"}
//   reboot       {"host","pool","address","ref"}              -> {"message":"…"}
//   repair       same                                        -> {"message":"…"}
//   decommission same                                        -> {"message":"…"}
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const operation = process.argv[2];
const request = JSON.parse(readFileSync(0, 'utf8') || '{}');
const stateDir = process.env.LOCAL_CLOUD_DIR ?? '/tmp/prodeng-local-cloud';
mkdirSync(stateDir, { recursive: true });

const server = `require('node:http').createServer((q, s) => s.end('ok ' + process.pid)).listen(Number(process.argv[1]), '127.0.0.1')`;

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function start(port) {
  const child = spawn(process.execPath, ['-e', server, String(port)], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid;
}

function stop(pid) {
  try {
    process.kill(Number(pid), 'SIGKILL');
  } catch {
    // already gone
  }
}

const machineFile = (host) => join(stateDir, `${host}.json`);
const machine = (host) => {
  try {
    return JSON.parse(readFileSync(machineFile(host), 'utf8'));
  } catch {
    fail(`no machine for host ${host} in ${stateDir}`);
  }
};

switch (operation) {
  case 'provision': {
    if (!request.host) fail('provision needs "host"');
    const port = await freePort();
    const pid = start(port);
    writeFileSync(machineFile(request.host), JSON.stringify({ port, pid }));
    process.stdout.write(JSON.stringify({ address: `127.0.0.1:${port}`, ref: String(pid) }));
    break;
  }
  case 'reboot':
  case 'repair': {
    const m = machine(request.host);
    stop(m.pid);
    await new Promise((r) => setTimeout(r, 100));
    m.pid = start(m.port);
    writeFileSync(machineFile(request.host), JSON.stringify(m));
    process.stdout.write(JSON.stringify({ message: `${operation === 'reboot' ? 'rebooted' : 'reimaged'} ${request.host} (pid ${m.pid})` }));
    break;
  }
  case 'decommission': {
    const m = machine(request.host);
    stop(m.pid);
    process.stdout.write(JSON.stringify({ message: `terminated ${request.host}` }));
    break;
  }
  default:
    fail(`unknown operation "${operation}" (provision, reboot, repair, decommission)`);
}
