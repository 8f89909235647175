// Checks every answer the integration suites received against
// docs/openapi.json.  tests/lib/LeyeTest.pm records the answers under
// $LEYE_TEST_TMP/answers (one JSON line each); tests/run.pl runs this after
// all suites, and its TAP counts in the final "N passed, N failed" line.
//
// For each answer:
//   - the path matches a documented path template, and the method is
//     documented for it (HEAD is checked as GET).  An undocumented path may
//     only be answered 404, an undocumented method on a documented path only
//     405 (204 with Allow to OPTIONS), or either one of the statuses every
//     operation documents (a malformed or oversized request...), as
//     application/problem+json: the router's own answers, which no operation
//     can list.
//   - the status is documented for the operation (or its NXX range, or default);
//   - the content type is one the response documents, and a body is present
//     exactly when the response documents content;
//   - a JSON body matches the response's schema (JSON Schema 2020-12).
// Answers to raw bytes sent on purpose (raw: true) are checked for status and
// content type only, where the route is known.  For a 2xx answer, a JSON
// request body the suite sent is checked against the operation's request
// schema: those requests were sent as valid.
//
// Usage: node check-answers.mjs [answers-dir] [openapi.json]
// Each mismatch is printed once, with how often it was seen and where.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2] ?? path.join(process.env.LEYE_TEST_TMP ?? '', 'answers');
const docPath = process.argv[3] ?? path.join(here, '..', '..', 'docs', 'openapi.json');
const doc = JSON.parse(fs.readFileSync(docPath, 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const BASE = 'https://leye.invalid/openapi.json';

const ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true, validateFormats: true });
addFormats(ajv);
for (const f of ['int32', 'int64', 'float', 'double', 'password', 'binary', 'byte']) ajv.addFormat(f, true);
ajv.addSchema({ ...doc, $id: BASE });

const validators = new Map();
function validatorFor(pointer) {
  if (!validators.has(pointer)) validators.set(pointer, ajv.compile({ $ref: BASE + '#' + pointer }));
  return validators.get(pointer);
}

const esc = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
function at(pointer) {
  let v = doc;
  for (const part of pointer.split('/').slice(1)) v = v?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return v;
}
// follows a local $ref: [object, its JSON pointer]
function deref(obj, pointer) {
  while (obj && typeof obj.$ref === 'string' && obj.$ref.startsWith('#/')) {
    pointer = obj.$ref.slice(1);
    obj = at(pointer);
  }
  return [obj, pointer];
}

// path templates, the more literal ones first: /v1/x/new before /v1/x/{id}
// The answers any request can get before it is routed (malformed, too large,
// too slow, overloaded): the statuses every operation documents.
const everyOp = Object.values(doc.paths)
  .flatMap((item) => METHODS.filter((m) => item[m]).map((m) => Object.keys(item[m].responses ?? {})))
  .reduce((a, b) => a.filter((x) => b.includes(x)));
const routerAnswer = (a, own) =>
  (own === a.status || everyOp.includes(String(a.status))) && mediaType(a.type) === 'application/problem+json';

const templates = Object.keys(doc.paths)
  .map((t) => {
    const parts = t.split('/');
    const re = new RegExp(
      '^' + parts.map((p) => p.replace(/\{[^}]+\}/g, '[^/]+').replace(/[.]/g, '\\.')).join('/') + '$'
    );
    return { t, re, params: parts.filter((p) => p.includes('{')).length };
  })
  .sort((a, b) => a.params - b.params);

function mediaType(ct) {
  return (ct ?? '').split(';')[0].trim().toLowerCase();
}
function findMedia(content, ct) {
  const mt = mediaType(ct);
  if (!content) return null;
  for (const k of Object.keys(content)) {
    const km = k.toLowerCase();
    if (km === mt || km === '*/*' || (km.endsWith('/*') && mt.startsWith(km.slice(0, -1)))) return k;
  }
  return null;
}
function ajvErrors(errors) {
  return (errors ?? [])
    .slice(0, 4)
    .map((e) => `${e.instancePath || '(root)'} ${e.message} (is ${JSON.stringify(e.data)?.slice(0, 60)})${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}${e.params?.allowedValues ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`)
    .join('; ');
}

// checks one answer -> list of problems (strings)
function check(a) {
  const problems = [];
  // The browser tests' recorder (tests/browser/harness.mjs) keeps text bodies
  // without body_length, and the body of a download reads as '' there: such
  // an empty body is unknown, not absent.
  const unknownBody = a.body_length === undefined && !a.body;
  if (a.body_length === undefined && a.body) a.body_kept = true;
  const method = a.method === 'HEAD' ? 'get' : String(a.method ?? '').toLowerCase();
  const urlPath = String(a.path ?? '').replace(/[?#].*$/s, '');
  const tpl = templates.find((x) => x.re.test(urlPath));
  if (!tpl) {
    if (!routerAnswer(a, 404))
      problems.push(`${a.method} ${urlPath}: no documented path, answered ${a.status} ${mediaType(a.type) || '(no type)'}`);
    return [problems, null];
  }
  const opPointer = `/paths/${esc(tpl.t)}/${method}`;
  const op = at(opPointer);
  const where = `${a.method} ${tpl.t} ${a.status}`;
  if (!op || !METHODS.includes(method)) {
    if (!routerAnswer(a, 405) && !(a.method === 'OPTIONS' && a.status === 204 && a.body_kept === undefined))
      problems.push(`${a.method} ${tpl.t}: method not documented, answered ${a.status} ${mediaType(a.type) || '(no type)'}`);
    return [problems, where];
  }
  const responses = op.responses ?? {};
  const code = String(a.status);
  // 502 Bad Gateway comes from the load balancer in front of the instances
  // (35_cluster.t kills one); leye-server itself never answers it
  if (a.status === 502) return [problems, where];
  const key = code in responses ? code : `${code[0]}XX` in responses ? `${code[0]}XX` : 'default' in responses ? 'default' : null;
  if (!key) {
    problems.push(`${where}: status not documented (documented: ${Object.keys(responses).join(', ')})`);
    return [problems, where];
  }
  const [resp, respPointer] = deref(responses[key], `${opPointer}/responses/${esc(key)}`);
  const content = resp?.content;
  const hasBody = a.body_kept !== undefined;
  if (unknownBody) {
    if (content && Object.keys(content).length && !findMedia(content, a.type)) problems.push(`${where}: content type ${mediaType(a.type) || '(none)'} not documented`);
    return [problems, where];
  }
  if (!hasBody) {
    if (content && Object.keys(content).length && a.method !== 'HEAD' && a.status !== 304)
      problems.push(`${where}: empty body, documented ${Object.keys(content).join(', ')}`);
    return [problems, where];
  }
  if (!content || !Object.keys(content).length) {
    problems.push(`${where}: a ${mediaType(a.type) || 'body without type'} body, documented none`);
    return [problems, where];
  }
  const mk = findMedia(content, a.type);
  if (!mk) {
    problems.push(`${where}: content type ${mediaType(a.type) || '(none)'} not documented (documented: ${Object.keys(content).join(', ')})`);
    return [problems, where];
  }
  if (a.raw || !a.body_kept || !/json/.test(mediaType(a.type)) || !content[mk].schema) return [problems, where];
  let body;
  try {
    body = JSON.parse(a.body);
  } catch {
    problems.push(`${where}: body is not JSON`);
    return [problems, where];
  }
  const v = validatorFor(`${respPointer}/content/${esc(mk)}/schema`);
  if (!v(body)) problems.push(`${where}: body does not match the schema: ${ajvErrors(v.errors)}`);
  return [problems, where];
}

// checks the request body of a 2xx answer -> list of problems
function checkRequest(a) {
  if (a.raw || a.status < 200 || a.status > 299 || a.request_body === undefined) return [];
  const method = String(a.method).toLowerCase();
  const urlPath = String(a.path ?? '').replace(/[?#].*$/s, '');
  const tpl = templates.find((x) => x.re.test(urlPath));
  if (!tpl) return [];
  const opPointer = `/paths/${esc(tpl.t)}/${method}`;
  const op = at(opPointer);
  if (!op) return [];
  const where = `${a.method} ${tpl.t} request`;
  if (!op.requestBody) {
    return a.request_body.length ? [`${where}: a body was sent and accepted, but the operation documents none`] : [];
  }
  const [rb, rbPointer] = deref(op.requestBody, `${opPointer}/requestBody`);
  const mk = findMedia(rb?.content, a.request_type);
  if (!mk) return [`${where}: content type ${mediaType(a.request_type) || '(none)'} accepted but not documented`];
  if (!/json/.test(mediaType(a.request_type)) || !rb.content[mk].schema) return [];
  let body;
  try {
    body = JSON.parse(a.request_body);
  } catch {
    return [`${where}: the body sent is not JSON, yet it was accepted`];
  }
  const v = validatorFor(`${rbPointer}/content/${esc(mk)}/schema`);
  return v(body) ? [] : [`${where}: the body sent and accepted does not match the schema: ${ajvErrors(v.errors)}`];
}

// ---------- main: TAP, one pair of tests per suite ----------
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort() : [];
const bySuite = new Map();
for (const f of files) {
  for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
    if (!line) continue;
    let a;
    try {
      a = JSON.parse(line);
    } catch {
      continue;
    }
    const s = bySuite.get(a.suite) ?? { answers: 0, requests: 0, bad: new Map(), badReq: new Map(), ops: new Set() };
    bySuite.set(a.suite, s);
    s.answers++;
    const [problems, where] = check(a);
    if (where) s.ops.add(where);
    for (const p of problems) s.bad.set(p, (s.bad.get(p) ?? 0) + 1);
    if (a.request_body !== undefined && a.status >= 200 && a.status < 300) s.requests++;
    for (const p of checkRequest(a)) s.badReq.set(p, (s.badReq.get(p) ?? 0) + 1);
  }
}

let n = 0;
const out = [];
function report(ok, name, bad) {
  n++;
  out.push(`${ok ? 'ok' : 'not ok'} ${n} - ${name}`);
  // as Test::More's diag: on standard error, which the harness shows
  for (const [p, count] of [...bad].sort()) process.stderr.write(`# ${p}${count > 1 ? ` (${count} times)` : ''}\n`);
}
n++;
out.push(`${files.length || process.env.TEST_ONLY ? 'ok' : 'not ok'} ${n} - answers were recorded (${dir})`);
for (const [suite, s] of [...bySuite].sort()) {
  report(!s.bad.size, `the ${s.answers} answers ${suite} received match docs/openapi.json (${s.ops.size} operation/status pairs)`, s.bad);
  report(!s.badReq.size, `the ${s.requests} request bodies ${suite} sent and had accepted match docs/openapi.json`, s.badReq);
}
out.push(`1..${n}`);
process.stdout.write(out.join('\n') + '\n');
