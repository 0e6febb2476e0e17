// Preloaded (`node -r`) into the provisioning tool under test: every outgoing TCP connection is written
// to the file named by CONNECTIONS_LOG, and one to anything but 127.0.0.1 is refused before it is made
// (a local socket, `path`, is not network and passes).
const fs = require('node:fs');
const net = require('node:net');

const log = process.env.CONNECTIONS_LOG;
const connect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function guardedConnect(...args) {
  // net.connect() hands over its normalised arguments as one array: [options, callback].
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  if (typeof options.path !== 'string') {
    const target = `${options.host ?? 'localhost'}:${options.port}`;
    if (log) fs.appendFileSync(log, `${target}\n`);
    if (options.host !== '127.0.0.1') throw new Error(`only 127.0.0.1 may be contacted in tests, not ${target}`);
  }
  return connect.apply(this, args);
};
