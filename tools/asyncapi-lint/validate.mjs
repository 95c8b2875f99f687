// Validates an AsyncAPI document with @asyncapi/parser (the AsyncAPI schema plus the parser's Spectral rules).
//
//   node validate.mjs <path-to-asyncapi.yaml>
//
// Prints every diagnostic as "<severity> <path> <message> (<rule>)". Exits 1 when there is an error or a warning
// (we keep the document clean), or when the frames do not follow the conventions below; exits 0 otherwise.
// On success it prints the message names for the test suite to cross-check with the Java code:
//
//   frames: client.subscribe,...,server.pong
//   error-codes: malformed-frame,...
//
// Conventions checked beyond the parser: every message of operation "send" (the client sends) is named
// "client.<type>" and every message of "receive" (the client receives) "server.<type>", where <type> is the
// payload's `type` const, which is required; client frames refuse other fields (additionalProperties: false);
// every message of the channels belongs to an operation; every message has examples, and each example payload is
// valid against the message's payload schema (the parser checks examples only for AsyncAPI 2).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const SEVERITIES = ['error', 'warning', 'info', 'hint'];

const file = process.argv[2];
if (!file || process.argv.length > 3) {
    console.error('usage: node validate.mjs <path-to-asyncapi.yaml>');
    process.exit(2);
}
const source = path.resolve(file);
const text = await readFile(source, 'utf8');

const { document, diagnostics } = await new Parser().parse(text, { source });

let failed = false;
for (const diagnostic of diagnostics) {
    const severity = SEVERITIES[diagnostic.severity] ?? String(diagnostic.severity);
    const where = diagnostic.path && diagnostic.path.length > 0 ? diagnostic.path.join('.') : '(document)';
    const line = diagnostic.range ? `:${diagnostic.range.start.line + 1}` : '';
    console.log(`${severity} ${where}${line} ${diagnostic.message} (${diagnostic.code})`);
    if (diagnostic.severity <= 1) {
        failed = true;
    }
}
if (!document) {
    console.log('error (document) the document could not be parsed');
    process.exit(1);
}

const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats(ajv);
ajv.addKeyword('x-parser-schema-id');

const problems = [];
const names = [];
const covered = new Set();
for (const [operation, direction] of [
    ['send', 'client'],
    ['receive', 'server'],
]) {
    const found = document.operations().all().filter((o) => o.action() === operation);
    if (found.length === 0) {
        problems.push(`no operation with action ${operation}`);
    }
    for (const op of found) {
        for (const message of op.messages().all()) {
            covered.add(message.json());
            const name = message.name();
            const payload = message.payload();
            const type = payload?.properties()?.type?.const();
            if (typeof type !== 'string') {
                problems.push(`message ${name ?? message.id()}: the payload needs a "type" property with a const`);
            } else if (name !== `${direction}.${type}`) {
                problems.push(`message ${message.id()}: named "${name}", expected "${direction}.${type}"`);
            }
            if (!payload?.required()?.includes('type')) {
                problems.push(`message ${name}: "type" must be required`);
            }
            if (direction === 'client' && payload?.additionalProperties() !== false) {
                problems.push(`message ${name}: client frames need additionalProperties: false`);
            }
            if (message.examples().length === 0) {
                problems.push(`message ${name}: no examples`);
            }
            if (payload) {
                const valid = ajv.compile(payload.json());
                for (const example of message.examples().all()) {
                    if (example.hasPayload() && !valid(example.payload())) {
                        for (const error of valid.errors) {
                            problems.push(
                                `message ${name}: example ${example.name() ?? '(unnamed)'}: ` +
                                    `${error.instancePath || '/'} ${error.message}`,
                            );
                        }
                    }
                }
            }
            if (names.includes(name)) {
                problems.push(`message ${name}: named twice`);
            }
            names.push(name);
        }
    }
}
for (const channel of document.channels().all()) {
    for (const message of channel.messages().all()) {
        if (!covered.has(message.json())) {
            problems.push(`channel ${channel.id()}: message ${message.id()} belongs to no operation`);
        }
    }
}
const errorMessage = document.messages().all().find((m) => m.name() === 'server.error');
const codes = errorMessage?.payload()?.properties()?.code?.enum() ?? [];
if (codes.length === 0) {
    problems.push('server.error: "code" needs an enum of the error codes');
}

for (const problem of problems) {
    console.log(`error ${problem} (chorus-frames)`);
}
if (failed || problems.length > 0) {
    process.exit(1);
}
console.log(`frames: ${names.join(',')}`);
console.log(`error-codes: ${codes.join(',')}`);
