// The workerd process tree, read from /proc (Linux): CPU time and resident memory of the
// processes Miniflare started, so a figure is the server's own cost — autocannon and this
// script run in the Node process and are not counted.
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'

let ticksPerSecond
function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      ticksPerSecond = 100
    }
  }
  return ticksPerSecond
}

/** `/proc/<pid>/stat` → { comm, ppid, utime, stime } (ticks), or null if it is gone. */
function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // comm is in parentheses and may hold spaces: the fields after the last ')' are fixed.
    const close = text.lastIndexOf(')')
    const comm = text.slice(text.indexOf('(') + 1, close)
    const fields = text.slice(close + 2).split(' ')
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { comm, ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]) }
  } catch {
    return null
  }
}

function allProcesses() {
  const processes = new Map()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const stat = readStat(Number(name))
    if (stat) processes.set(Number(name), stat)
  }
  return processes
}

/**
 * The pids of every `workerd` process descended from `root` (this Node process by default)
 * and of all their descendants.
 */
export function workerdTree(root = process.pid) {
  const processes = allProcesses()
  const children = new Map()
  for (const [pid, stat] of processes) {
    if (!children.has(stat.ppid)) children.set(stat.ppid, [])
    children.get(stat.ppid).push(pid)
  }
  const tree = []
  const walk = (pid, inside) => {
    for (const child of children.get(pid) ?? []) {
      const isWorkerd = inside || processes.get(child)?.comm === 'workerd'
      if (isWorkerd) tree.push(child)
      walk(child, isWorkerd)
    }
  }
  walk(root, false)
  if (tree.length === 0) throw new Error('no workerd process found under this process')
  return tree
}

/** CPU milliseconds (user + system) used so far by the given processes. */
export function cpuMs(pids) {
  let ticks = 0
  for (const pid of pids) {
    const stat = readStat(pid)
    if (stat) ticks += stat.utime + stat.stime
  }
  return (ticks * 1000) / clockTicks()
}

/** Resident memory in MiB of the given processes (VmRSS, summed). */
export function rssMiB(pids) {
  let kib = 0
  for (const pid of pids) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
      if (match) kib += Number(match[1])
    } catch {
      // gone
    }
  }
  return kib / 1024
}

/** Resident memory split as the kernel reports it: anonymous (heaps) and file-backed (mmap). */
export function rssBreakdownMiB(pids) {
  const sum = { anon: 0, file: 0, shmem: 0 }
  for (const pid of pids) {
    try {
      const text = readFileSync(`/proc/${pid}/status`, 'utf8')
      for (const [key, field] of [
        ['anon', 'RssAnon'],
        ['file', 'RssFile'],
        ['shmem', 'RssShmem'],
      ]) {
        const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)
        if (match) sum[key] += Number(match[1]) / 1024
      }
    } catch {
      // gone
    }
  }
  return { anon: Math.round(sum.anon), file: Math.round(sum.file), shmem: Math.round(sum.shmem) }
}

/**
 * Waits until the processes are nearly idle (under 10% of a core over 250 ms), at most
 * `maxMs`: requests still in flight when a timed run ends must not be billed to the next.
 */
export async function settle(pids, maxMs = 5000) {
  const deadline = Date.now() + maxMs
  while (Date.now() < deadline) {
    const before = cpuMs(pids)
    await new Promise((resolve) => setTimeout(resolve, 250))
    if (cpuMs(pids) - before < 25) return
  }
}
