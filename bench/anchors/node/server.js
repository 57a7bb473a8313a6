'use strict';
// The Node anchor of Defuss's load benchmark: Node's cluster module with one Express 5 app per worker process, serving
// the endpoints of the Showcase (samples/Defuss.Samples.Showcase) that the benchmark drives, with the same semantics:
//
//   GET  /                                  "hello" (text/plain)
//   GET  /json/generate?size=small|medium|large   the Showcase's documents, serialized per request
//   POST /json/echo                         the very bytes it was sent, once they parse as one JSON document
//   POST /json/transform                    {"data": input with every string property "name" upper-cased, "stats": {...}}
//   POST /upload                            streams the body through SHA-256: {"received": n, "sha256": "..."}
//   /ws                                     WebSocket echo of every message, with its type
//
//   node server.js --host 127.0.0.1 --port 3000 --workers 2
//
// The cluster's primary accepts the connections and hands them to the workers round robin (Node's default on Linux).
// It prints "node anchor: N workers listening on http://host:port" once every worker listens, and stops them all on
// SIGTERM or SIGINT.
const cluster = require('node:cluster');
const crypto = require('node:crypto');
const http = require('node:http');
const os = require('node:os');
const { parseArgs } = require('node:util');

const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '3000' },
    workers: { type: 'string', default: String(os.availableParallelism()) },
  },
});
const port = Number(args.port);
const workerCount = Number(args.workers);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`--port must be a TCP port from 1 to 65535, not '${args.port}'`);
  process.exit(2);
}
if (!Number.isInteger(workerCount) || workerCount < 1) {
  console.error(`--workers must be a whole number of at least 1, not '${args.workers}'`);
  process.exit(2);
}

if (cluster.isPrimary) {
  runPrimary();
} else {
  runWorker();
}

function runPrimary() {
  let listening = 0;
  let stopping = false;
  cluster.on('listening', () => {
    listening += 1;
    if (listening === workerCount) {
      console.log(`node anchor: ${workerCount} workers listening on http://${args.host}:${port}`);
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      console.error(`node anchor: worker ${worker.process.pid} exited (${signal || 'code ' + code})`);
    }
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers)) {
      worker.process.kill('SIGTERM');
    }
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < workerCount; i++) {
    cluster.fork();
  }
}

function runWorker() {
  const express = require('express');
  const { WebSocketServer } = require('ws');

  const payloads = createPayloads();
  const app = express();
  // The Showcase computes no ETag and names no framework: neither does the anchor.
  app.set('etag', false);
  app.disable('x-powered-by');
  const rawBody = express.raw({ type: () => true, limit: '30mb' });

  app.get('/', (req, res) => {
    res.type('text/plain').send('hello');
  });

  app.get('/json/generate', (req, res) => {
    const size = (req.query.size || 'small').toString().toLowerCase();
    const payload = payloads[size];
    if (!payload) {
      res.status(400).json({ error: `size must be small, medium or large, not ${req.query.size}` });
      return;
    }
    res.json(payload);
  });

  app.post('/json/echo', rawBody, (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      JSON.parse(body.toString('utf8'));
    } catch (error) {
      res.status(400).json({ error: `the body is not valid JSON: ${error.message}` });
      return;
    }
    res.set('Content-Type', 'application/json; charset=utf-8');
    res.send(body);
  });

  app.post('/json/transform', rawBody, (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let document;
    try {
      document = JSON.parse(body.toString('utf8'));
    } catch (error) {
      res.status(400).json({ error: `the body is not valid JSON: ${error.message}` });
      return;
    }
    const stats = { objects: 0, arrays: 0, strings: 0, numbers: 0, booleans: 0, nulls: 0, names: 0, sum: 0 };
    const data = transform(document, stats);
    res.json({ data, stats });
  });

  app.post('/upload', (req, res) => {
    const hash = crypto.createHash('sha256');
    let received = 0;
    req.on('data', (chunk) => {
      received += chunk.length;
      hash.update(chunk);
    });
    req.on('end', () => {
      res.json({ received, sha256: hash.digest('hex') });
    });
  });

  app.all('/ws', (req, res) => {
    res.status(400).type('text/plain').send('/ws expects a WebSocket upgrade request\n');
  });

  const server = http.createServer(app);
  const sockets = new WebSocketServer({ server, path: '/ws', maxPayload: 16 * 1024 * 1024, perMessageDeflate: false });
  sockets.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    socket.on('error', () => socket.terminate());
  });
  server.listen(port, args.host);
}

// The Showcase's transform: every string property called "name" upper-cased; every value counted by kind, the names
// changed counted, every number summed.
function transform(value, stats) {
  if (value === null) {
    stats.nulls += 1;
    return null;
  }
  if (Array.isArray(value)) {
    stats.arrays += 1;
    return value.map((item) => transform(item, stats));
  }
  switch (typeof value) {
    case 'object': {
      stats.objects += 1;
      const result = {};
      for (const [key, item] of Object.entries(value)) {
        if (key === 'name' && typeof item === 'string') {
          stats.strings += 1;
          stats.names += 1;
          result[key] = item.toUpperCase();
        } else {
          result[key] = transform(item, stats);
        }
      }
      return result;
    }
    case 'string':
      stats.strings += 1;
      return value;
    case 'number':
      stats.numbers += 1;
      stats.sum += value;
      return value;
    default:
      stats.booleans += 1;
      return value;
  }
}

// The Showcase's documents (its Json/Payloads.cs): every value a pure function of its index.
function createPayloads() {
  const tags = ['admin', 'beta', 'staff', 'trial', 'vip'];
  const users = [];
  for (let id = 1; id <= 100; id++) {
    users.push({
      id,
      name: `user ${id}`,
      email: `user${id}@example.com`,
      active: id % 3 !== 0,
      tags: [tags[id % tags.length], tags[(id + 2) % tags.length]],
    });
  }
  const records = [];
  for (let id = 1; id <= 500; id++) {
    const data = Buffer.alloc(64);
    for (let i = 0; i < data.length; i++) {
      data[i] = (id * 31 + i) & 0xff;
    }
    records.push({ id, name: `record ${id}`, timestamp: 1704067200000 + id * 1000, value: id * 1.5, data: data.toString('base64') });
  }
  return {
    small: { id: 1, name: 'defuss', active: true },
    medium: { users },
    large: { records },
  };
}
