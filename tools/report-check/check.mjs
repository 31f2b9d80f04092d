// Validates a payrig messages.ndjson with the official Cucumber tooling.
//
//   node check.mjs path/to/messages.ndjson
//
// Checks, each failure reported with its line number (exit 1 on any problem, 2 on usage):
//  1. every line parses as JSON and through @cucumber/messages' parseEnvelope;
//  2. every envelope validates against messages.schema.json shipped in @cucumber/messages
//     (JSON Schema 2020-12, via ajv), and holds exactly one message;
//  3. meta comes first, its protocolVersion equals the installed @cucumber/messages version;
//     testRunFinished comes last, testRunStarted exactly once and before any testCase;
//  4. ids are unique; every reference points at something emitted earlier: pickle -> source and
//     gherkinDocument (astNodeIds, step and tag astNodeIds), testCase -> pickle, pickle steps,
//     stepDefinitions and hooks, testCaseStarted -> testCase, testStep* -> started case and a
//     step of its testCase, attachment -> started case; every started case and step finishes;
//  5. testRunFinished.success is false exactly when some step FAILED, was UNDEFINED or AMBIGUOUS;
//  6. each gherkinDocument matches what the official @cucumber/gherkin parser makes of the
//     source (names, keywords, texts, tags, table cells and their locations; ids aside), and
//     each pickle matches the official compiler's pickle for the same scenario or example row
//     (step texts, tags), payrig's ` [<id>]` suffix on outline rows aside.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { parseEnvelope, IdGenerator, version as messagesVersion } from '@cucumber/messages'
import { AstBuilder, GherkinClassicTokenMatcher, Parser, compile } from '@cucumber/gherkin'
import Ajv2020 from 'ajv/dist/2020.js'

const require = createRequire(import.meta.url)
const file = process.argv[2]
if (!file) {
  console.error('usage: node check.mjs messages.ndjson')
  process.exit(2)
}

const schema = JSON.parse(readFileSync(require.resolve('@cucumber/messages/schema'), 'utf8'))
const ajv = new Ajv2020({ allErrors: true, strict: false })
const validate = ajv.compile(schema)

const problems = []
const problem = (line, msg) => problems.push(`${file}:${line}: ${msg}`)

const lines = readFileSync(file, 'utf8').split('\n')
if (lines.length && lines[lines.length - 1] === '') lines.pop()
if (lines.length === 0) problem(0, 'empty file')

const ids = new Map() // id -> kind
const claim = (n, id, kind) => {
  if (typeof id !== 'string') return
  if (ids.has(id)) problem(n, `id ${id} (${kind}) already used by a ${ids.get(id)}`)
  else ids.set(id, kind)
}
const sources = new Map() // uri -> data
const docs = new Map() // uri -> { doc, astIds:Set }
const pickles = new Map() // id -> pickle
const stepDefs = new Set()
const hooks = new Set()
const testCases = new Map() // id -> { testCase, steps: Map(stepId -> testStep) }
const started = new Map() // testCaseStartedId -> { testCase, open:Set(stepIds), finished:bool, steps:Set }
let runStarted = 0
let sawFailure = false
let counts = {}

function collectAstIds(node, set, n) {
  if (Array.isArray(node)) return node.forEach((x) => collectAstIds(x, set, n))
  if (node && typeof node === 'object') {
    if (typeof node.id === 'string') {
      if (set.has(node.id)) problem(n, `gherkinDocument id ${node.id} repeats`)
      set.add(node.id)
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'id') collectAstIds(v, set, n)
  }
}

// ---- official gherkin comparison ---------------------------------------------------------
const strip = (v) => {
  // drop ids and fields payrig does not claim to reproduce (descriptions' indentation,
  // docString mediaType), keep structure, names, texts, keywords, locations
  if (Array.isArray(v)) return v.map(strip)
  if (v && typeof v === 'object') {
    const o = {}
    for (const [k, x] of Object.entries(v)) {
      if (k === 'id' || k === 'description' || k === 'mediaType' || k === 'comments') continue
      if (k === 'content' && typeof x === 'string') { o[k] = x.trim(); continue }
      o[k] = strip(x)
    }
    return o
  }
  return v
}
function firstDiff(a, b, path = '') {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b)) return `${path}: ${JSON.stringify(a)} vs official ${JSON.stringify(b)}`
  if (Array.isArray(a)) {
    if (a.length !== b.length) return `${path}: ${a.length} items vs official ${b.length}`
    for (let i = 0; i < a.length; i++) { const d = firstDiff(a[i], b[i], `${path}[${i}]`); if (d) return d }
    return null
  }
  if (a && typeof a === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)])
    for (const k of keys) { const d = firstDiff(a[k], b[k], `${path}.${k}`); if (d) return d }
    return null
  }
  return a === b ? null : `${path}: ${JSON.stringify(a)} vs official ${JSON.stringify(b)}`
}
const official = new Map() // uri -> { doc, pickles }
function officialParse(uri, data) {
  const newId = IdGenerator.incrementing()
  const parser = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher())
  const doc = parser.parse(data)
  doc.uri = uri
  const ps = compile(doc, uri, newId)
  return { doc, pickles: ps }
}
// the scenario or example row a pickle comes from, by location
const pickleKey = (p) => `${p.location?.line}`

// ---- pass over the stream ------------------------------------------------------------------
lines.forEach((text, i) => {
  const n = i + 1
  let raw
  try {
    raw = JSON.parse(text)
  } catch (e) {
    problem(n, `not JSON: ${e.message}`)
    return
  }
  try {
    parseEnvelope(text)
  } catch (e) {
    problem(n, `parseEnvelope: ${e.message}`)
  }
  if (!validate(raw)) {
    for (const err of validate.errors.slice(0, 5)) problem(n, `schema: ${err.instancePath || '/'} ${err.message} ${JSON.stringify(err.params)}`)
  }
  const keys = Object.keys(raw)
  if (keys.length !== 1) {
    problem(n, `an envelope holds exactly one message, got ${keys.join(', ')}`)
    return
  }
  const kind = keys[0]
  const m = raw[kind]
  counts[kind] = (counts[kind] || 0) + 1
  if (n === 1 && kind !== 'meta') problem(n, `first envelope must be meta, got ${kind}`)
  if (n !== 1 && kind === 'meta') problem(n, 'meta after the first line')
  if (n === lines.length && kind !== 'testRunFinished') problem(n, `last envelope must be testRunFinished, got ${kind}`)
  if (n !== lines.length && kind === 'testRunFinished') problem(n, 'testRunFinished before the last line')

  switch (kind) {
    case 'meta':
      if (m.protocolVersion !== messagesVersion) problem(n, `meta.protocolVersion ${m.protocolVersion} != @cucumber/messages ${messagesVersion}`)
      break
    case 'source':
      sources.set(m.uri, m.data)
      try {
        official.set(m.uri, officialParse(m.uri, m.data))
      } catch (e) {
        problem(n, `official gherkin parser rejects ${m.uri}: ${e.message}`)
      }
      break
    case 'gherkinDocument': {
      if (!sources.has(m.uri)) problem(n, `gherkinDocument ${m.uri} has no source before it`)
      const set = new Set()
      collectAstIds(m.feature, set, n)
      for (const id of set) claim(n, id, 'ast node')
      docs.set(m.uri, { doc: m, astIds: set })
      const off = official.get(m.uri)
      if (off) {
        const d = firstDiff(strip(m.feature), strip(off.doc.feature), 'feature')
        if (d) problem(n, `gherkinDocument ${m.uri} differs from the official parse at ${d}`)
      }
      break
    }
    case 'pickle': {
      claim(n, m.id, 'pickle')
      const d = docs.get(m.uri)
      if (!d) { problem(n, `pickle ${m.id}: no gherkinDocument for ${m.uri} before it`); break }
      for (const a of m.astNodeIds) if (!d.astIds.has(a)) problem(n, `pickle ${m.id}: astNodeId ${a} not in ${m.uri}`)
      for (const s of m.steps) {
        claim(n, s.id, 'pickle step')
        for (const a of s.astNodeIds) if (!d.astIds.has(a)) problem(n, `pickle step ${s.id}: astNodeId ${a} not in ${m.uri}`)
      }
      for (const t of m.tags) if (!d.astIds.has(t.astNodeId)) problem(n, `pickle ${m.id}: tag ${t.name} astNodeId ${t.astNodeId} not in ${m.uri}`)
      pickles.set(m.id, m)
      const off = official.get(m.uri)
      if (off) {
        const o = off.pickles.find((p) => pickleKey(p) === pickleKey(m))
        if (!o) problem(n, `pickle ${m.id} (${m.name}): the official compiler makes no pickle at line ${m.location?.line}`)
        else {
          if (!(m.name === o.name || m.name.startsWith(o.name + ' ['))) problem(n, `pickle ${m.id}: name "${m.name}" vs official "${o.name}"`)
          const ours = { steps: m.steps.map((s) => ({ text: s.text, type: s.type, argument: s.argument })), tags: m.tags.map((t) => t.name) }
          const theirs = { steps: o.steps.map((s) => ({ text: s.text, type: s.type, argument: s.argument })), tags: o.tags.map((t) => t.name) }
          const diff = firstDiff(strip(ours), strip(theirs), 'pickle')
          if (diff) problem(n, `pickle ${m.id} (${m.name}) differs from the official compile at ${diff}`)
        }
      }
      break
    }
    case 'stepDefinition':
      claim(n, m.id, 'stepDefinition')
      stepDefs.add(m.id)
      break
    case 'hook':
      claim(n, m.id, 'hook')
      hooks.add(m.id)
      break
    case 'testRunStarted':
      runStarted++
      if (runStarted > 1) problem(n, 'testRunStarted more than once')
      if (m.id) claim(n, m.id, 'testRunStarted')
      break
    case 'testCase': {
      if (runStarted === 0) problem(n, 'testCase before testRunStarted')
      claim(n, m.id, 'testCase')
      const p = pickles.get(m.pickleId)
      if (!p) { problem(n, `testCase ${m.id}: pickle ${m.pickleId} not emitted before it`); break }
      const pickleSteps = new Set(p.steps.map((s) => s.id))
      const steps = new Map()
      for (const ts of m.testSteps) {
        claim(n, ts.id, 'testStep')
        steps.set(ts.id, ts)
        if (ts.pickleStepId && !pickleSteps.has(ts.pickleStepId)) problem(n, `testStep ${ts.id}: pickle step ${ts.pickleStepId} is not a step of pickle ${p.id}`)
        if (!ts.pickleStepId && !ts.hookId) problem(n, `testStep ${ts.id}: neither pickleStepId nor hookId`)
        if (ts.hookId && !hooks.has(ts.hookId)) problem(n, `testStep ${ts.id}: hook ${ts.hookId} not emitted before it`)
        for (const d of ts.stepDefinitionIds || []) if (!stepDefs.has(d)) problem(n, `testStep ${ts.id}: stepDefinition ${d} not emitted before it`)
      }
      const covered = new Set(m.testSteps.map((s) => s.pickleStepId).filter(Boolean))
      for (const s of p.steps) if (!covered.has(s.id)) problem(n, `testCase ${m.id}: pickle step ${s.id} has no test step`)
      testCases.set(m.id, { testCase: m, steps })
      break
    }
    case 'testCaseStarted': {
      claim(n, m.id, 'testCaseStarted')
      const tc = testCases.get(m.testCaseId)
      if (!tc) problem(n, `testCaseStarted ${m.id}: testCase ${m.testCaseId} not emitted before it`)
      started.set(m.id, { tc, open: new Set(), done: new Set(), finished: false })
      break
    }
    case 'testStepStarted':
    case 'testStepFinished': {
      const s = started.get(m.testCaseStartedId)
      if (!s) { problem(n, `${kind}: testCaseStarted ${m.testCaseStartedId} unknown`); break }
      if (s.finished) problem(n, `${kind} after its testCaseFinished`)
      if (s.tc && !s.tc.steps.has(m.testStepId)) problem(n, `${kind}: test step ${m.testStepId} is not in testCase ${s.tc.testCase.id}`)
      if (kind === 'testStepStarted') s.open.add(m.testStepId)
      else {
        if (!s.open.delete(m.testStepId)) problem(n, `testStepFinished for ${m.testStepId} without testStepStarted`)
        s.done.add(m.testStepId)
        if (['FAILED', 'UNDEFINED', 'AMBIGUOUS'].includes(m.testStepResult.status)) sawFailure = true
      }
      break
    }
    case 'attachment':
      if (m.testCaseStartedId && !started.has(m.testCaseStartedId)) problem(n, `attachment: testCaseStarted ${m.testCaseStartedId} unknown`)
      break
    case 'testCaseFinished': {
      const s = started.get(m.testCaseStartedId)
      if (!s) { problem(n, `testCaseFinished: testCaseStarted ${m.testCaseStartedId} unknown`); break }
      if (s.open.size) problem(n, `testCaseFinished with unfinished steps ${[...s.open].join(', ')}`)
      if (s.tc) for (const id of s.tc.steps.keys()) if (!s.done.has(id)) problem(n, `testCaseFinished: step ${id} never ran`)
      s.finished = true
      break
    }
    case 'testRunFinished':
      if (m.success === sawFailure) problem(n, `testRunFinished.success is ${m.success} but ${sawFailure ? 'a step failed' : 'no step failed'}`)
      break
    default:
      break
  }
})
for (const [id, s] of started) if (!s.finished) problem(lines.length, `testCaseStarted ${id} never finished`)
if (runStarted === 0) problem(lines.length, 'no testRunStarted')

const summary = Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(' ')
if (problems.length) {
  for (const p of problems.slice(0, 50)) console.error(p)
  if (problems.length > 50) console.error(`... and ${problems.length - 50} more`)
  console.error(`report-check: ${file}: ${problems.length} problem(s) [@cucumber/messages ${messagesVersion}] ${summary}`)
  process.exit(1)
}
console.log(`report-check: ${file}: ok, ${lines.length} envelopes valid against @cucumber/messages ${messagesVersion} and the official gherkin parser (${summary})`)
