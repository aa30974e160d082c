import type { NodeInfo } from '../port.js';

/**
 * The etcd key layout under the coordinator's prefix (default `smsproc/`):
 *   nodes/<nodeId>       JSON {site, weight}, put under the node's lease (membership)
 *   owners/<resource>    JSON {nodeId}, created under the owner's lease; create revision = epoch
 *                        (resources: binds, pool roles, SMPP clients' bind slots `client-binds/<clientId>/<n>`)
 *   pins/<resource>      JSON {nodeId}, no lease (an operator's `cluster move`; `cluster unpin` deletes it)
 */
export const nodesPrefix = 'nodes/';
export const ownersPrefix = 'owners/';
export const pinsPrefix = 'pins/';

export function pinKey(resource: string): string {
  return `${pinsPrefix}${resource}`;
}

export function nodeKey(nodeId: string): string {
  return `${nodesPrefix}${nodeId}`;
}

export function ownerKey(resource: string): string {
  return `${ownersPrefix}${resource}`;
}

export function encodeNode(node: NodeInfo): string {
  return JSON.stringify({ site: node.site, weight: node.weight });
}

/** Null for a value this version cannot read (written by someone else): such a node is ignored. Weight 0: draining. */
export function decodeNode(nodeId: string, value: string): NodeInfo | null {
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { site, weight } = parsed as { site?: unknown; weight?: unknown };
    if (typeof site !== 'string' || typeof weight !== 'number' || !(weight >= 0)) return null;
    return { id: nodeId, site, weight };
  } catch {
    return null;
  }
}

export function encodeOwner(nodeId: string): string {
  return JSON.stringify({ nodeId });
}

export function decodeOwner(value: string): string | null {
  try {
    const parsed: unknown = JSON.parse(value);
    const nodeId = typeof parsed === 'object' && parsed !== null ? (parsed as { nodeId?: unknown }).nodeId : undefined;
    return typeof nodeId === 'string' ? nodeId : null;
  } catch {
    return null;
  }
}
