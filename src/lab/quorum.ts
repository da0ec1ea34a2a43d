// Quorum arithmetic, the one copy: etcd members, Ceph monitors and any other Raft/Paxos-style group
// of N members needs a strict majority, ⌊N/2⌋+1, to keep working.

/** How many of `members` must be up for a majority (1→1, 2→2, 3→2, 4→3, 5→3). */
export const quorumOf = (members: number): number => Math.floor(members / 2) + 1;

/** Whether `up` of `members` still form a quorum. */
export const hasQuorum = (members: number, up: number): boolean => up >= quorumOf(members);
