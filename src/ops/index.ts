// ops/: day-2 workflows with effects: node add and remove, key rotation, seats, the cluster input of apply/diff/status.
export {};
