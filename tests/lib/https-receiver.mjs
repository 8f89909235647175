// An HTTPS receiver for the notification tests: node https-receiver.mjs
// CERT KEY DIR NAME.  Listens on 127.0.0.1 (any free port, printed as
// "port N"), logs each request as one JSON line {path, headers, body} to
// DIR/NAME.log and answers with the next status in DIR/NAME.plan (one per
// line; none left: 200).
import { createServer } from 'node:https';
import { readFileSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';

const [cert, key, dir, name] = process.argv.slice(2);
const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    appendFileSync(`${dir}/${name}.log`, JSON.stringify({ path: req.url, headers: req.headers, body }) + '\n');
    const planFile = `${dir}/${name}.plan`;
    const plan = existsSync(planFile) ? readFileSync(planFile, 'utf8').split('\n').filter((l) => l !== '') : [];
    const status = Number(plan.shift() ?? 200);
    writeFileSync(planFile, plan.map((l) => l + '\n').join(''));
    res.writeHead(status, { 'Content-Length': 0, Connection: 'close' });
    res.end();
  });
});
server.on('tlsClientError', () => {});
server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
