import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** tshark's SMPP dissector as an independent decoder for tests (test/services.sh installs tshark). */

/** text2pcap's input: an od-style dump, 16 octets a line, each line headed by its offset; offset 0 starts a packet. */
function hexDump(packets: readonly Buffer[]): string {
  const lines: string[] = [];
  for (const bytes of packets) {
    for (let offset = 0; offset < bytes.length; offset += 16) {
      const octets = [...bytes.subarray(offset, offset + 16)].map((b) => b.toString(16).padStart(2, '0'));
      lines.push(`${offset.toString(16).padStart(6, '0')} ${octets.join(' ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export const tsharkFields = [
  'frame.number', 'smpp.command_id', 'smpp.command_status', 'smpp.sequence_number', 'smpp.system_id', 'smpp.password',
  'smpp.source_addr', 'smpp.destination_addr', 'smpp.message_id', 'smpp.receipted_message_id', 'smpp.message_state',
  'smpp.sm_length', 'smpp.data_coding', 'smpp.sar_msg_ref_num', 'smpp.sar_total_segments', 'smpp.sar_segment_seqnum',
  'smpp.interface_version', 'smpp.SC_interface_version', '_ws.malformed', '_ws.expert.severity',
] as const;
export type TsharkField = (typeof tsharkFields)[number];

/** Writes the PDU frames to a pcap, one TCP segment each from port 40000 to 2775, and reads them back with tshark's SMPP dissector. */
export function dissectSmppFrames(frames: readonly Buffer[]): Record<TsharkField, string>[] {
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-tshark-'));
  try {
    writeFileSync(join(dir, 'in.txt'), hexDump(frames));
    execFileSync('text2pcap', ['-q', '-T', '40000,2775', join(dir, 'in.txt'), join(dir, 'out.pcap')], { stdio: 'pipe', timeout: 30_000 });
    const out = execFileSync(
      'tshark',
      ['-r', join(dir, 'out.pcap'), '-o', 'tcp.desegment_tcp_streams:FALSE', '-d', 'tcp.port==2775,smpp', '-T', 'fields', '-E', 'separator=/t', ...tsharkFields.flatMap((f) => ['-e', f])],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
    );
    return out.trimEnd().split('\n').map((line) => {
      const cells = line.split('\t');
      return Object.fromEntries(tsharkFields.map((f, i) => [f, cells[i] ?? ''])) as Record<TsharkField, string>;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

