// What the benchmark ran on, and what else was running: the numbers mean little without it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly onnxruntime: string;
  /** One line on load from other processes, e.g. a model training beside the benchmark. */
  readonly load: string;
  readonly gpu: string;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch { /* not Linux */ }
  return cpus()[0]?.model ?? 'unknown';
}

function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) return m[1]!;
  } catch { /* not Linux */ }
  return process.platform;
}

function packageVersion(repoRoot: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/** The busiest other processes right now, by CPU share, as "name 97%". */
function busiestOthers(): string {
  try {
    const out = execFileSync('ps', ['-eo', 'pid=,pcpu=,comm=', '--sort=-pcpu'], { encoding: 'utf8' });
    return out
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((p) => p.length >= 3 && Number(p[0]) !== process.pid && Number(p[1]) >= 20)
      .slice(0, 3)
      .map((p) => `${p.slice(2).join(' ')} ${p[1]}%`)
      .join(', ');
  } catch {
    return '';
  }
}

function gpu(): string {
  try {
    return execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8' }).trim() || 'none';
  } catch {
    return 'none';
  }
}

export function describeMachine(repoRoot: string): Machine {
  const [one, five] = loadavg();
  const others = busiestOthers();
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: osName(),
    node: process.version,
    onnxruntime: packageVersion(repoRoot, 'onnxruntime-node'),
    load: `load average ${one!.toFixed(2)} (1 min), ${five!.toFixed(2)} (5 min) on ${cpus().length} cores; ${(freemem() / 2 ** 30).toFixed(1)} GiB free` +
      (others ? `; busiest other processes: ${others}` : ''),
    gpu: gpu(),
  };
}
